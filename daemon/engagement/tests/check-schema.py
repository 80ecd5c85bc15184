#!/usr/bin/env python3
"""Checks engagement rules files against the engagement JSON schema (draft 2020-12).

Usage: check-schema.py SCHEMA SHIPPED_RULES TEST_DATA_DIR
The shipped rules and TEST_DATA_DIR/small-rules.json must validate; of the broken test files,
those listed in SCHEMA_REFUSES must not (the others break rules only the C loader checks, or
are not JSON at all).
"""
import json
import os
import sys

import jsonschema

GOOD = ["small-rules.json"]
SCHEMA_REFUSES = {
    "broken-many-problems.json": "'pulse' was unexpected",
    "broken-missing-sections.json": "'levels' is a required property",
}


def errors_of(validator, path):
    with open(path, encoding="utf-8") as f:
        return list(validator.iter_errors(json.load(f)))


def main():
    schema_path, shipped, data_dir = sys.argv[1:4]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in [shipped] + [os.path.join(data_dir, name) for name in GOOD]:
        for e in errors_of(validator, path):
            print(f"{path}: /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
            failures += 1
    for name, needle in SCHEMA_REFUSES.items():
        messages = [e.message for e in errors_of(validator, os.path.join(data_dir, name))]
        if not any(needle in m for m in messages):
            print(f"{name}: the schema should refuse it with \"{needle}\"; it said {messages}")
            failures += 1
    print(f"{1 + len(GOOD)} rules files valid, {len(SCHEMA_REFUSES)} broken ones refused"
          if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
