#!/usr/bin/env python3
"""Checks model files against the risk-model JSON schema (draft 2020-12).

Usage: check-schema.py SCHEMA MODELS_DIR TEST_DATA_DIR
Every *.json of MODELS_DIR and TEST_DATA_DIR must validate; of TEST_DATA_DIR/broken/, the
files listed in SCHEMA_REFUSES must not (the others break rules only the C loader checks:
a failing example, a duplicate name, a reversed range).
"""
import glob
import json
import os
import sys

import jsonschema

SCHEMA_REFUSES = {
    "broken-unknown-transform.json": "'log10' is not one of",
    "broken-missing-unit.json": "'unit' is a required property",
    "broken-many-problems.json": "'probit' is not one of",
}


def main():
    schema_path, models_dir, data_dir = sys.argv[1:4]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    good = sorted(glob.glob(os.path.join(models_dir, "*.json")) + glob.glob(os.path.join(data_dir, "*.json")))
    if len(good) < 8:
        print(f"expected at least 8 model files, found {len(good)}")
        return 1
    for path in good:
        with open(path, encoding="utf-8") as f:
            errors = list(validator.iter_errors(json.load(f)))
        for e in errors:
            print(f"{path}: {'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
        failures += len(errors)
    for name, needle in SCHEMA_REFUSES.items():
        with open(os.path.join(data_dir, "broken", name), encoding="utf-8") as f:
            messages = [e.message for e in validator.iter_errors(json.load(f))]
        if not any(needle in m for m in messages):
            print(f"{name}: the schema should refuse it with \"{needle}\"; it said {messages}")
            failures += 1
    print(f"{len(good)} model files valid, {len(SCHEMA_REFUSES)} broken ones refused" if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
