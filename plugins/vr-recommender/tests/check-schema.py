#!/usr/bin/env python3
"""Checks the vr-recommender's catalog against schemas/json/vr-catalog.schema.json.

Usage: check-schema.py SCHEMA_DIR CATALOG TEST_DATA_DIR
The shipped catalog and TEST_DATA_DIR/good-item.json (as a one-item catalog) must validate, with
at least 60 items covering all nine categories; TEST_DATA_DIR/bad-catalog.json and bad-item.json
must be refused with the messages in SCHEMA_REFUSES (the duplicate id and max_age below min_age
are the C loader's alone: a schema cannot say them); an evidence that is a placeholder
("none", "n/a", "see README") must be refused.
"""
import json
import os
import sys

import jsonschema

SCHEMA_REFUSES = {
    "bad-catalog.json": ["'colour' was unexpected", "0.5 is less than the minimum of 1.0",
                         "'wild' is not one of", "'zh' is a required property",
                         "'SNOMED:123' does not match", "'heart' is not one of",
                         "should not be valid under {'const': 'comfortable'}"],
    "bad-item.json": ["'evidence' is a required property", "'3' is not of type 'number'",
                      "'arm' is not one of", "'Bad Id' does not match"],
}
CATEGORIES = {"upper-limb-rehab", "lower-limb-rehab", "balance-rehab", "cognitive-training",
              "pain-distraction", "relaxation", "education", "procedure-preparation", "exergame"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def messages(validator, doc):
    out = []
    for e in validator.iter_errors(doc):
        out.append(e.message)
        out.extend(c.message for c in e.context or [])
    return out


def main():
    schema_dir, catalog_path, data_dir = sys.argv[1:4]
    schema = load(os.path.join(schema_dir, "vr-catalog.schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    catalog = load(catalog_path)
    good = {"format": 1, "items": [load(os.path.join(data_dir, "good-item.json"))]}
    for name, doc in (("catalog.json", catalog), ("good-item.json", good)):
        for e in validator.iter_errors(doc):
            print(f"{name}: /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
            failures += 1
    if len(catalog["items"]) < 60:
        print(f"catalog.json: {len(catalog['items'])} items, at least 60 expected")
        failures += 1
    missing = CATEGORIES - {i["category"] for i in catalog["items"]}
    if missing:
        print(f"catalog.json: no item in {sorted(missing)}")
        failures += 1
    for name, needles in SCHEMA_REFUSES.items():
        doc = load(os.path.join(data_dir, name))
        if name == "bad-item.json":
            doc = {"format": 1, "items": [doc]}
        found = messages(validator, doc)
        for needle in needles:
            if not any(needle in m for m in found):
                print(f"{name}: the schema should refuse it with \"{needle}\"; it said {found}")
                failures += 1
    # a placeholder is no citation (README, "Clinic items"): at least 10 characters and a year
    for evidence in ("none", "n/a", "-", "UNKNOWN", "see README", "not applicable"):
        item = dict(good["items"][0], evidence=evidence)
        if validator.is_valid({"format": 1, "items": [item]}):
            print(f"good-item.json with evidence {evidence!r}: the schema should refuse it")
            failures += 1
    print(f"catalog.json ({len(catalog['items'])} items) and good-item.json valid, "
          f"{len(SCHEMA_REFUSES)} broken files refused" if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
