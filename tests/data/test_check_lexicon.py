#!/usr/bin/python3
"""Shows that check_lexicon.py fails on real defects (stdlib only).

Copies the lexicon and the evaluation sets into a temporary tree, checks that the copy passes,
then plants one defect at a time and checks that the checker exits 1 naming it:
  - a project-local MV code for a concept HPO has an exact term for (Loss of voice, HP:0001686)
  - an evaluation finding whose code is not in concepts.tsv
  - a synonym shared by two concepts
  - an annotated finding the lexicon cannot find in the sentence
  - a malformed concepts.tsv line (8 fields, not 9)
  - in conditions.tsv: an unknown kind, a symptom filed as a condition, a DOID or an HP id the
    vendored files do not have, an unknown flag, an MV code outside the file's range
  - a chronic flag on a symptom
  - a term shared by a symptom (concepts.tsv) and a condition (conditions.tsv)

Usage: test_check_lexicon.py [--repo DIR]    Exit status 0 when every case behaves.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

LEX = os.path.join("plugins", "symptom-parser", "lexicon")
VENDOR = os.path.join("plugins", "symptom-parser", "vendor")
DATA = os.path.join("tests", "data")


def make_tree(repo, dest):
    shutil.copytree(os.path.join(repo, LEX), os.path.join(dest, LEX))
    # the HPO file is read only: a link is enough
    os.makedirs(os.path.join(dest, "plugins", "symptom-parser"), exist_ok=True)
    os.symlink(os.path.join(repo, VENDOR), os.path.join(dest, VENDOR))
    os.makedirs(os.path.join(dest, DATA))
    for lang in ("en", "zh"):
        name = f"symptoms-{lang}.jsonl"
        shutil.copy(os.path.join(repo, DATA, name), os.path.join(dest, DATA, name))


def edit(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        raise SystemExit(f"test_check_lexicon: {old!r} not found in {path}: update this test")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


def concepts(tree):
    return os.path.join(tree, LEX, "concepts.tsv")


def conditions(tree):
    return os.path.join(tree, LEX, "conditions.tsv")


def jsonl(tree, lang):
    return os.path.join(tree, DATA, f"symptoms-{lang}.jsonl")


CASES = [
    ("project id for an HPO term",
     lambda t: edit(concepts(t), "HP:0001686\tLoss of voice\t=", "MV:0023\tLoss of voice\t失声"),
     "is the HPO term HP:0001686"),
    ("unknown code in the gold file",
     lambda t: edit(jsonl(t, "zh"), '"code": "HP:0031504"', '"code": "MV:9999"'),
     "'MV:9999' not in any curated concept file"),
    ("synonym shared by two concepts",
     lambda t: edit(concepts(t), "\tfoamy urine|", "\tfoamy urine|hoarseness|"),
     "also belongs to"),
    ("annotation the lexicon cannot find",
     lambda t: edit(jsonl(t, "zh"), "尿里有泡沫，腿也肿了。", "腿也肿了。"),
     "annotated 1x but the lexicon finds it 0x"),
    ("malformed line",
     lambda t: edit(concepts(t), "HP:0031504\tFoamy urine\t=\t", "HP:0031504\tFoamy urine\t"),
     "8 fields, expected 9"),
    ("unknown kind",
     lambda t: edit(conditions(t), "\tcondition\tDOID:10763", "\tdisease\tDOID:10763"),
     "unknown kind 'disease'"),
    ("symptom filed as a condition",
     lambda t: edit(conditions(t), "\tcondition\tDOID:10763", "\tsymptom\tDOID:10763"),
     "does not belong in conditions.tsv"),
    ("DOID not in the Disease Ontology",
     lambda t: edit(conditions(t), "\tDOID:10763|", "\tDOID:99999999|"),
     "DOID:99999999 not in the vendored Disease Ontology"),
    ("HP id not in HPO",
     lambda t: edit(conditions(t), "HP:0001681\tAngina", "HP:9999999\tAngina"),
     "HP:9999999 not in the vendored HPO file"),
    ("unknown flag",
     lambda t: edit(conditions(t), "|ICD10CM:I10\tchronic", "|ICD10CM:I10\tlongterm"),
     "unknown flag 'longterm'"),
    ("MV code outside the file's range",
     lambda t: edit(conditions(t), "MV:1000\tConcussion", "MV:0998\tConcussion"),
     "MV:0998 outside conditions.tsv's MV range"),
    ("chronic symptom",
     lambda t: edit(concepts(t), "\tsymptom\t-\t-", "\tsymptom\t-\tchronic"),
     "only conditions are chronic"),
    ("term shared by a symptom and a condition",
     lambda t: edit(concepts(t), "\tfoamy urine|", "\tfoamy urine|htn|"),
     "also belongs to"),
    ("terms equal once stemmed",
     lambda t: edit(concepts(t), "\tfoamy urine|", "\tfoamy urine|wheal|"),
     "also belongs to"),
]


def run_checker(checker, tree):
    return subprocess.run([sys.executable, checker, "--repo", tree],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          encoding="utf-8", check=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", default=os.path.normpath(os.path.join(here, "..", "..")))
    args = ap.parse_args()
    checker = os.path.join(here, "check_lexicon.py")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="check-lexicon-") as tmp:
        for i, (name, plant, expect) in enumerate([("clean copy", None, None)] + CASES):
            tree = os.path.join(tmp, str(i))
            make_tree(args.repo, tree)
            if plant is not None:
                plant(tree)
            r = run_checker(checker, tree)
            if expect is None:
                ok = r.returncode == 0
            else:
                ok = r.returncode == 1 and expect in r.stdout
            print(f"{'ok' if ok else 'FAIL'}: {name} (exit {r.returncode})")
            if not ok:
                failed += 1
                print(r.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
