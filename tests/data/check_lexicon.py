#!/usr/bin/python3
"""Validate the symptom-parser lexicon and the evaluation sets (stdlib only).

Checks
  curated concept files (lexicon/concepts.tsv, conditions.tsv, medications.tsv, substances.tsv,
                measurements.tsv; those present): header, 9 fields per line, unique codes
                across all files, code syntax allowed for the file's kind, project-local MV
                codes inside the file's range (spec: symptoms 0001-0999, conditions
                1000-2999, medications 3000-3999, substances 4000-4999, measurements and
                scores 5000-5999), the kind the file holds, flags known (chronic, conditions
                only), HP ids present in the vendored HPO file and DOID ids in the vendored
                Disease Ontology (codes and xrefs; ICD10CM xrefs in DO's ICD-10-CM table),
                "=" only for HPO codes, no MV code whose English label is an HPO label (use
                the HPO id), lowercase English synonyms, no empty/padded synonyms, default
                site exists in sites.tsv, no term (labels included, "!" dropped, English
                plural s dropped as the loader does) shared by two concepts in any two files.
  sites.tsv     header, 5 fields per line, unique codes, no synonym shared by two sites
                or by a site and a concept.
  *.jsonl       every line parses, ids unique and prefixed by the language, fields and
                enumerations valid, every code exists in a curated file, every site exists
                in sites.tsv, and a naive longest-match scan of the text with the lexicon
                finds each annotated concept at least as often as it is annotated.
  counts        >= 300 symptom concepts, >= 250 conditions, >= 200 English and >= 200
                Chinese sentences.

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
MIN_CONDITIONS = 250
MIN_SENTENCES = 200

# curated concept files in the loader's precedence order: kinds allowed, code patterns, MV range
CURATED = [
    ("concepts.tsv", {"symptom"}, r"^(HP:\d{7}|MV:\d{4})$", (1, 999)),
    ("conditions.tsv", {"condition"}, r"^(HP:\d{7}|DOID:\d+|MV:\d{4})$", (1000, 2999)),
    ("medications.tsv", {"medication"}, r"^(ATC:[A-Z0-9]{1,7}|MV:\d{4})$", (3000, 3999)),
    ("substances.tsv", {"substance", "medication"}, r"^(ATC:[A-Z0-9]{1,7}|MV:\d{4})$", (4000, 4999)),
    ("measurements.tsv", {"measurement", "score"}, r"^(LOINC:\d{1,7}-\d|MV:\d{4})$", (5000, 5999)),
]
KINDS = {"symptom", "condition", "medication", "substance", "measurement", "score"}
FLAGS = {"chronic"}
XREF_RE = re.compile(r"^(HP:\d{7}|DOID:\d+|SYMP:\d{7}|ICD10CM:[A-Z0-9.\-]+|ATC:[A-Z0-9]{1,7}|LOINC:\d{1,7}-\d|MV:\d{4})$")

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


def term_key(s):
    """A term's identity as the loader sees it: "!" (absent) dropped, normalised, and each
    English word's plural stripped the way the loader stems it ("spots" = "spot")."""
    k = norm(s[1:] if s[:1] in ("!", "?") else s)
    words = []
    for w in re.split(r"[\s\-]+", k.replace("'", "")):
        if len(w) > 4 and w.endswith("ies") and w.isascii():
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and w[-2] not in "sui" and w.isascii():
            w = w[:-1]
        words.append(w)
    return " ".join(words)


def load_do(vendor):
    """DOIDs of the vendored Disease Ontology, and the ICD-10-CM codes it cross-references."""
    doids, icd = set(), set()
    for name, into in (("HumanDO.tsv", doids), ("ICD10inDO.tsv", icd)):
        path = os.path.join(vendor, "disease-ontology", name)
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    p = [x.strip('"') for x in line.rstrip("\n").split("\t")]
                    if not p[0].startswith("DOID:"):
                        continue
                    if name == "HumanDO.tsv":
                        into.add(p[0])
                    else:
                        into.update(c.strip() for c in p[2].split(","))
        except OSError as e:
            err(f"cannot open Disease Ontology vendor file {path}: {e}")
    return doids, icd


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


def check_concept(fname, lineno, fields, code_re, file_kinds, mv_range, hpo, hpo_label, doids,
                  icd10, sites, site_syn, concepts, syn_owner, surface, kinds):
    """One line of a curated concept file; records its terms in syn_owner and surface."""
    code, en, zh, ens, zhs, site, kind, xrefs, flags = fields
    where = f"{fname}:{lineno}"
    if not code_re.match(code):
        err(f"{where}: bad code {code!r} for {fname}")
    if code in concepts:
        err(f"{where}: duplicate code {code}")
    if code.startswith("MV:") and code_re.match(code):
        n = int(code[3:])
        if not mv_range[0] <= n <= mv_range[1]:
            err(f"{where}: {code} outside {fname}'s MV range "
                f"MV:{mv_range[0]:04d}-MV:{mv_range[1]:04d}")
    if kind not in KINDS:
        err(f"{where}: unknown kind {kind!r}")
    elif kind not in file_kinds:
        err(f"{where}: kind {kind!r} does not belong in {fname} ({', '.join(sorted(file_kinds))})")
    kinds[kind] += 1
    for flag in ([] if flags == "-" else flags.split(",")):
        if flag not in FLAGS:
            err(f"{where}: unknown flag {flag!r}")
        elif kind != "condition":
            err(f"{where}: flag {flag!r} on a {kind}, only conditions are chronic")
    for c in [code] + ([] if xrefs == "-" else xrefs.split("|")):
        if c != code and not XREF_RE.match(c):
            err(f"{where}: bad xref {c!r}")
        if c.startswith("HP:") and c not in hpo:
            err(f"{where}: {c} not in the vendored HPO file")
        if c.startswith("DOID:") and c not in doids:
            err(f"{where}: {c} not in the vendored Disease Ontology")
        if c.startswith("ICD10CM:") and c not in icd10:
            err(f"{where}: {c} is not an ICD-10-CM code the vendored Disease Ontology names")
    # an MV id may stand beside its HPO term when it names it as an xref: MV:4000 Drug allergy is
    # the code the allergy findings of every set use (spec of issue 11), HP:0410323 its xref
    if code.startswith("MV:") and norm(en) in hpo_label and hpo_label[norm(en)] not in xrefs.split("|"):
        err(f"{where}: {code} {en!r} is the HPO term {hpo_label[norm(en)]}: "
            f"use the HPO id (and retire {code})")
    if zh == "=":
        if code not in hpo:
            err(f"{where}: zh_label '=' but {code} has no official HPO label")
            zh_label = ""
        else:
            zh_label = hpo[code][1]
    else:
        zh_label = zh
        if not zh or zh == "-":
            err(f"{where}: empty Chinese label")
    if not en or en == "-":
        err(f"{where}: empty English label")
    if site != "-" and site not in sites:
        err(f"{where}: default site {site} not in sites.tsv")
    concepts[code] = (en, zh_label, site)
    syns = [en] + ([zh_label] if zh_label else [])
    syns += split_syn(ens, fname, lineno, True)
    syns += split_syn(zhs, fname, lineno, False)
    seen = set()
    for s in syns:
        k = term_key(s)
        if k not in seen:  # a repeat inside one concept is harmless (labels are implicit)
            seen.add(k)
            if k in syn_owner and syn_owner[k] != code:
                err(f"{where}: synonym {s!r} of {code} also belongs to {syn_owner[k]}")
                continue
            if k in site_syn:
                err(f"{where}: synonym {s!r} of {code} is also a body-site term "
                    f"({site_syn[k]})")
            syn_owner[k] = code
        surface.append((norm(s.lstrip("!?")), code))


# The generic concepts a site makes specific and the words of a specific label that say it is of
# that generic kind: the same table as sp_generics in plugins/symptom-parser/sp-lexicon.c.
SITE_GENERICS = {
    "HP:0012531": ("pain", "ache", "sore"), "MV:0004": ("swelling", "edema"),
    "HP:0000989": ("itch", "prurit"), "MV:0003": ("stiff",), "MV:0009": ("numb",),
    "MV:0002": ("tender",), "HP:0001892": ("bleed",),
}
_SITE_SPECIFIC = {}


# Concepts the parser's context rules make of a more general lexicon match (sp-context.c):
# weakness of one side's limbs is hemiparesis; weakness of a limb is muscle weakness, not
# asthenia.  A scan of terms alone finds the general concept.
RULE_SPECIFIC = {
    "HP:0001269": ("HP:0001324",),  # Hemiparesis <- Muscle weakness with a side
    "HP:0001324": ("HP:0025406",),  # Muscle weakness <- Asthenia at a limb
}


def site_specific_of(concepts):
    """specific code -> the generic codes it may stand for (first concept per generic and site,
    in file order, whose own site is set and whose English label has one of the words)."""
    key = id(concepts)
    if key not in _SITE_SPECIFIC:
        first = {}
        for code, (en, _zh, site) in concepts.items():
            if site in (None, "", "-"):
                continue
            for generic, words in SITE_GENERICS.items():
                if any(w in en.lower() for w in words):
                    first.setdefault((generic, site), code)
        out = {}
        for (generic, _site), code in first.items():
            out.setdefault(code, set()).add(generic)
        _SITE_SPECIFIC[key] = out
    return _SITE_SPECIFIC[key]


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
            k = term_key(s)
            if k in site_syn and site_syn[k] != code:
                err(f"sites.tsv:{lineno}: synonym {s!r} of {code} also belongs to {site_syn[k]}")
            site_syn[k] = code

    # ---- curated concept files
    doids, icd10 = load_do(os.path.join(args.repo, "plugins", "symptom-parser", "vendor"))
    concepts = {}
    syn_owner = {}
    surface = []  # (normalised synonym, code)
    kinds = collections.Counter()
    for fname, file_kinds, code_pat, (mv_lo, mv_hi) in CURATED:
        path = os.path.join(lex, fname)
        if not os.path.exists(path) and fname != "concepts.tsv":
            continue
        code_re = re.compile(code_pat)
        for lineno, fields in read_tsv(path, 9, fname):
            check_concept(fname, lineno, fields, code_re, file_kinds, (mv_lo, mv_hi),
                          hpo, hpo_label, doids, icd10, sites, site_syn, concepts, syn_owner,
                          surface, kinds)

    if kinds["symptom"] < MIN_CONCEPTS:
        err(f"concepts.tsv: {kinds['symptom']} symptom concepts, need >= {MIN_CONCEPTS}")
    if kinds["condition"] < MIN_CONDITIONS:
        err(f"conditions.tsv: {kinds['condition']} conditions, need >= {MIN_CONDITIONS}")

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
                        err(f"{where}: code {code!r} not in any curated concept file")
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
                    # "pain in the left knee" is Knee pain: a generic term at a site makes the
                    # specific concept (sp_lexicon_site_specific() in sp-lexicon.c)
                    for generic in (*site_specific_of(concepts).get(code, ()),
                                    *RULE_SPECIFIC.get(code, ())):
                        moved = min(got[generic], k - got[code])
                        if moved > 0:
                            got[generic] -= moved
                            got[code] += moved
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

    print(f"curated concepts: {len(concepts)} "
          f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}; "
          f"{sum(c.startswith('HP:') for c in concepts)} HPO, "
          f"{sum(c.startswith('DOID:') for c in concepts)} DO, "
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
