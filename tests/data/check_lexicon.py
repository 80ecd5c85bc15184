#!/usr/bin/python3
"""Validate the symptom-parser lexicon and the evaluation sets (stdlib only).

Checks
  concepts.tsv  header, 6 fields per line, unique codes, code syntax, HPO ids present in
                the vendored HPO Chinese file, "=" only for HPO codes, no project-local MV
                code whose English label is an HPO label (use the HPO id), lowercase English
                synonyms, no empty/padded synonyms, default site exists in sites.tsv,
                no synonym (labels included) shared by two concepts.
  sites.tsv     header, 5 fields per line, unique codes, no synonym shared by two sites
                or by a site and a concept.
  *.jsonl       every line parses, ids unique and prefixed by the language, fields and
                enumerations valid, every code exists in concepts.tsv, every site exists
                in sites.tsv, and a naive longest-match scan of the text with the lexicon
                finds each annotated concept at least as often as it is annotated.
  counts        >= 300 concepts, >= 200 English and >= 200 Chinese sentences.

Usage: check_lexicon.py [--repo DIR] [--strict] [--verbose]
  --strict   also fail when the naive scan finds a concept that is not annotated
  --verbose  list those unannotated matches
Exit status 0 when all checks pass, 1 otherwise.
"""
import argparse
import collections
import json
import os
import re
import sys
import unicodedata

MIN_CONCEPTS = 300
MIN_SENTENCES = 200

POLARITY = {"present", "absent", "possible"}
EXPERIENCER = {"patient", "family"}
TEMPORALITY = {"current", "historical"}
SEVERITY = {"mild", "moderate", "severe"}
LATERALITY = {"left", "right", "bilateral"}
FINDING_KEYS = {"code", "polarity", "experiencer", "temporality",
                "duration_hours", "severity", "laterality", "site"}

CODE_RE = re.compile(r"^(HP:\d{7}|MV:\d{4})$")
SITE_RE = re.compile(r"^SITE:[a-z_]+$")

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def warn(msg):
    warnings.append(msg)


def norm(s):
    """What a matcher compares: NFKC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", s).casefold().split())


def is_cjk(ch):
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def read_tsv(path, nfields, what):
    rows = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        err(f"{what}: cannot open {path}: {e}")
        return rows
    with f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if lineno == 1 and not line.startswith("#"):
                err(f"{what}:1: first line must be a '#' header")
            if not line.strip() or line.startswith("#"):
                continue
            if "\r" in line:
                err(f"{what}:{lineno}: CR in line")
            fields = line.split("\t")
            if len(fields) != nfields:
                err(f"{what}:{lineno}: {len(fields)} fields, expected {nfields}")
                continue
            rows.append((lineno, fields))
    return rows


def split_syn(value, what, lineno, lower):
    if value == "-":
        return []
    out = []
    for s in value.split("|"):
        if s == "" or s != s.strip():
            err(f"{what}:{lineno}: empty or padded synonym in {value!r}")
            continue
        if "\t" in s:
            err(f"{what}:{lineno}: tab inside synonym {s!r}")
        if lower and s != s.lower():
            err(f"{what}:{lineno}: English synonym not lowercase: {s!r}")
        out.append(s)
    return out


def load_hpo(path):
    labels = {}
    try:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i == 0:
                    continue
                p = line.rstrip("\n").split("\t")
                if len(p) >= 6 and p[3] == "rdfs:label":
                    labels[p[2]] = (p[4], p[5])
    except OSError as e:
        err(f"cannot open HPO vendor file {path}: {e}")
    return labels


def hpo_by_label(hpo):
    """Normalised English HPO label -> HPO id."""
    return {norm(en): code for code, (en, _zh) in hpo.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--repo", default=os.path.normpath(os.path.join(here, "..", "..")))
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    lex = os.path.join(args.repo, "plugins", "symptom-parser", "lexicon")
    hpo_path = os.path.join(args.repo, "plugins", "symptom-parser", "vendor", "hpo-zh",
                            "hp-zh.babelon.tsv")
    hpo = load_hpo(hpo_path)
    hpo_label = hpo_by_label(hpo)

    # ---- sites
    sites = {}
    site_syn = {}
    for lineno, (code, en, zh, ens, zhs) in read_tsv(os.path.join(lex, "sites.tsv"), 5, "sites.tsv"):
        if not SITE_RE.match(code) and not code.startswith("UBERON:"):
            err(f"sites.tsv:{lineno}: bad site code {code!r}")
        if code in sites:
            err(f"sites.tsv:{lineno}: duplicate code {code}")
        sites[code] = (en, zh)
        for s in [en, zh] + split_syn(ens, "sites.tsv", lineno, True) + split_syn(zhs, "sites.tsv", lineno, False):
            k = norm(s)
            if k in site_syn and site_syn[k] != code:
                err(f"sites.tsv:{lineno}: synonym {s!r} of {code} also belongs to {site_syn[k]}")
            site_syn[k] = code

    # ---- concepts
    concepts = {}
    syn_owner = {}
    surface = []  # (normalised synonym, code)
    for lineno, (code, en, zh, ens, zhs, site) in read_tsv(os.path.join(lex, "concepts.tsv"), 6, "concepts.tsv"):
        if not CODE_RE.match(code):
            err(f"concepts.tsv:{lineno}: bad code {code!r}")
        if code in concepts:
            err(f"concepts.tsv:{lineno}: duplicate code {code}")
        if code.startswith("HP:") and code not in hpo:
            err(f"concepts.tsv:{lineno}: {code} not in the vendored HPO file")
        if code.startswith("MV:") and norm(en) in hpo_label:
            err(f"concepts.tsv:{lineno}: {code} {en!r} is the HPO term {hpo_label[norm(en)]}: "
                f"use the HPO id (and retire {code})")
        if zh == "=":
            if code not in hpo:
                err(f"concepts.tsv:{lineno}: zh_label '=' but {code} has no official HPO label")
                zh_label = ""
            else:
                zh_label = hpo[code][1]
        else:
            zh_label = zh
            if not zh or zh == "-":
                err(f"concepts.tsv:{lineno}: empty Chinese label")
        if not en or en == "-":
            err(f"concepts.tsv:{lineno}: empty English label")
        if site != "-" and site not in sites:
            err(f"concepts.tsv:{lineno}: default site {site} not in sites.tsv")
        concepts[code] = (en, zh_label, site)
        syns = [en] + ([zh_label] if zh_label else [])
        syns += split_syn(ens, "concepts.tsv", lineno, True)
        syns += split_syn(zhs, "concepts.tsv", lineno, False)
        seen = set()
        for s in syns:
            k = norm(s)
            if k in seen:
                continue  # a repeat inside one concept is harmless (labels are implicit)
            seen.add(k)
            if k in syn_owner and syn_owner[k] != code:
                err(f"concepts.tsv:{lineno}: synonym {s!r} of {code} also belongs to {syn_owner[k]}")
                continue
            if k in site_syn:
                err(f"concepts.tsv:{lineno}: synonym {s!r} of {code} is also a body-site term ({site_syn[k]})")
            syn_owner[k] = code
            surface.append((k, code))

    if len(concepts) < MIN_CONCEPTS:
        err(f"concepts.tsv: {len(concepts)} concepts, need >= {MIN_CONCEPTS}")

    # ---- naive longest-match scanner over the lexicon (concepts only)
    by_first = collections.defaultdict(list)
    for k, code in surface:
        by_first[k[0]].append((k, code))
    for v in by_first.values():
        v.sort(key=lambda t: -len(t[0]))

    def scan(text):
        t = norm(text)
        found = []
        i = 0
        while i < len(t):
            ch = t[i]
            hit = None
            if is_cjk(ch) or i == 0 or not t[i - 1].isalnum():
                for k, code in by_first.get(ch, ()):
                    if t.startswith(k, i):
                        end = i + len(k)
                        if not is_cjk(k[-1]) and end < len(t) and t[end].isalnum():
                            continue  # English terms end at a word boundary
                        hit = (k, code)
                        break
            if hit:
                found.append(hit[1])
                i += len(hit[0])
            else:
                i += 1
        return found

    # ---- evaluation sets
    data_dir = os.path.join(args.repo, "tests", "data")
    ids = set()
    for lang in ("en", "zh"):
        path = os.path.join(data_dir, f"symptoms-{lang}.jsonl")
        what = os.path.basename(path)
        n = 0
        try:
            f = open(path, encoding="utf-8")
        except OSError as e:
            err(f"{what}: cannot open: {e}")
            continue
        with f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    err(f"{what}:{lineno}: blank line")
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    err(f"{what}:{lineno}: invalid JSON: {e}")
                    continue
                n += 1
                sid = obj.get("id")
                if not isinstance(sid, str) or not sid.startswith(lang + "-"):
                    err(f"{what}:{lineno}: id {sid!r} must start with '{lang}-'")
                if sid in ids:
                    err(f"{what}:{lineno}: duplicate id {sid}")
                ids.add(sid)
                if obj.get("lang") != lang:
                    err(f"{what}:{lineno}: lang {obj.get('lang')!r}, expected {lang!r}")
                text = obj.get("text")
                if not isinstance(text, str) or not text.strip():
                    err(f"{what}:{lineno}: empty text")
                    continue
                extra = set(obj) - {"id", "text", "lang", "findings", "note"}
                if extra:
                    err(f"{what}:{lineno}: unknown keys {sorted(extra)}")
                findings = obj.get("findings")
                if not isinstance(findings, list):
                    err(f"{what}:{lineno}: findings must be a list")
                    continue
                want = collections.Counter()
                for fd in findings:
                    where = f"{what}:{lineno} ({sid})"
                    if not isinstance(fd, dict):
                        err(f"{where}: finding is not an object")
                        continue
                    unknown = set(fd) - FINDING_KEYS
                    if unknown:
                        err(f"{where}: unknown finding keys {sorted(unknown)}")
                    for key in ("code", "polarity", "experiencer", "temporality"):
                        if key not in fd:
                            err(f"{where}: finding without {key}")
                    code = fd.get("code")
                    if code not in concepts:
                        err(f"{where}: code {code!r} not in concepts.tsv")
                    want[code] += 1
                    if fd.get("polarity") not in POLARITY:
                        err(f"{where}: bad polarity {fd.get('polarity')!r}")
                    if fd.get("experiencer") not in EXPERIENCER:
                        err(f"{where}: bad experiencer {fd.get('experiencer')!r}")
                    if fd.get("temporality") not in TEMPORALITY:
                        err(f"{where}: bad temporality {fd.get('temporality')!r}")
                    if "severity" in fd and fd["severity"] not in SEVERITY:
                        err(f"{where}: bad severity {fd['severity']!r}")
                    if "laterality" in fd and fd["laterality"] not in LATERALITY:
                        err(f"{where}: bad laterality {fd['laterality']!r}")
                    if "site" in fd and fd["site"] not in sites:
                        err(f"{where}: site {fd['site']!r} not in sites.tsv")
                    if "duration_hours" in fd:
                        d = fd["duration_hours"]
                        if isinstance(d, bool) or not isinstance(d, (int, float)) or d <= 0:
                            err(f"{where}: duration_hours must be a positive number, got {d!r}")
                got = collections.Counter(scan(text))
                for code, k in want.items():
                    if got[code] < k:
                        err(f"{what}:{lineno} ({sid}): {code} {concepts.get(code, ('?',))[0]!r} annotated "
                            f"{k}x but the lexicon finds it {got[code]}x in: {text}")
                for code, k in got.items():
                    if k > want[code]:
                        msg = (f"{what}:{lineno} ({sid}): lexicon finds {code} {concepts[code][0]!r} "
                               f"{k}x, annotated {want[code]}x: {text}")
                        (err if args.strict else warn)(msg)
        if n < MIN_SENTENCES:
            err(f"{what}: {n} sentences, need >= {MIN_SENTENCES}")
        print(f"{what}: {n} sentences")

    print(f"concepts.tsv: {len(concepts)} concepts "
          f"({sum(c.startswith('HP:') for c in concepts)} HPO, "
          f"{sum(c.startswith('MV:') for c in concepts)} project-local), "
          f"{len(syn_owner)} distinct terms")
    print(f"sites.tsv: {len(sites)} sites")
    if args.verbose or args.strict:
        for w in warnings:
            print("warning:", w)
    elif warnings:
        print(f"{len(warnings)} unannotated lexicon matches (use --verbose to list)")
    for e in errors:
        print("error:", e, file=sys.stderr)
    if errors:
        print(f"FAILED: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
