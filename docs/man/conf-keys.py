#!/usr/bin/env python3
"""Turns the example configuration (medversed --print-config-example, packaging/medversed.conf)
into the KEYS section of medversed.conf(5) in scdoc, so the man page lists exactly the keys the
daemon's key table has, with the table's own words.

    conf-keys.py TEMPLATE EXAMPLE-CONF OUTPUT      (replaces the line @KEYS@ of TEMPLATE)
"""
import re
import sys


def escape(text):
    # scdoc formats *bold* and _underline_; the key table's text uses neither
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def blocks(lines, intros):
    """Yields (group, paragraphs, key, value) for each documented key of the example; a group
    introduced in a comment ("# [plugin.NAME]: …") gets its text in intros[group]."""
    group = None
    paragraphs = [[]]
    for line in lines:
        line = line.rstrip("\n")
        m = re.match(r"^\[(.+)\]$", line)
        if m:
            group, paragraphs = m.group(1), [[]]
            continue
        m = re.match(r"^#([a-z][a-z0-9-]*)=(.*)$", line)
        if m:
            yield group, [" ".join(p) for p in paragraphs if p], m.group(1), m.group(2)
            paragraphs = [[]]
            continue
        if line.startswith("# ["):
            # "# [plugin.NAME]: keys the daemon owns…": a group every plugin's section has
            m = re.match(r"^# \[([^\]]+)\]:?\s*(.*)$", line)
            group, paragraphs = m.group(1), [[]]
            intros[group] = [m.group(2)]
            continue
        if line == "#" or line == "":
            if group in intros and intros[group][-1] != "" and not any(paragraphs):
                intros[group].append("")
                continue
            if line == "" and group is not None:
                paragraphs = [[]]
            elif paragraphs[-1]:
                paragraphs.append([])
            continue
        if re.match(r"^# (range|default): ", line) and group is not None:
            # a line of its own in the example: a paragraph of its own here
            paragraphs.append([line[2:]])
            paragraphs.append([])
            continue
        if line.startswith("# ") and group is not None:
            if group in intros and not any(paragraphs) and len(paragraphs) == 1 \
                    and intros[group][-1] != "":
                # the intro runs on until its first paragraph break
                intros[group].append(line[2:])
                continue
            paragraphs[-1].append(line[2:])


def render(conf_lines):
    out = []
    current = None
    intros = {}
    for group, paragraphs, key, value in blocks(conf_lines, intros):
        if group != current:
            current = group
            out.append("## [%s]\n" % escape(group))
            intro = " ".join(w for w in intros.get(group, []) if w)
            if intro:
                out.append(escape(intro[0].upper() + intro[1:]) + "\n")
        shown = "(unset)" if value == "" else escape(value)
        out.append("*%s* = %s" % (escape(key), shown))
        for p in paragraphs:
            p = re.sub(r"^range: (\d+)-(\d+)$", r"Range: \1 to \2.", p)
            p = re.sub(r"^default: set at build time.*$",
                       "The default is set at build time; the value shown is Debian's "
                       "(the packaged file shows this build's).", p)
            out.append("\t" + escape(p))
            out.append("")
        if not paragraphs:
            out.append("")
    return "\n".join(out).rstrip("\n")


def main():
    template, conf, output = sys.argv[1:4]
    with open(conf, encoding="utf-8") as f:
        keys = render(f.readlines())
    with open(template, encoding="utf-8") as f:
        text = f.read()
    if "@KEYS@" not in text:
        sys.exit("%s has no @KEYS@ line" % template)
    with open(output, "w", encoding="utf-8") as f:
        f.write(text.replace("@KEYS@", keys))


if __name__ == "__main__":
    main()
