#!/usr/bin/env python3
"""Checks the plan-generator's rule files and red-flag list against their JSON schemas.

Usage: check-schema.py SCHEMA_DIR RULES_DIR RED_FLAGS TEST_DATA_DIR
Every rule file of RULES_DIR and TEST_DATA_DIR/broken-rules/a-good.json must validate against
plan-rules.schema.json, RED_FLAGS against red-flags.schema.json; of the broken fixtures,
those in SCHEMA_REFUSES must not (syntax-error.json is not JSON: only the loader sees it).
"""
import glob
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource

SCHEMA_REFUSES = {
    "bad-predicate.json": "'agee' was unexpected",
    "missing-source.json": "'source' is a required property",
    "unknown-field.json": "'ceilng' was unexpected",
}


def errors_of(validator, path):
    with open(path, encoding="utf-8") as f:
        return list(validator.iter_errors(json.load(f)))


def main():
    schema_dir, rules_dir, red_flags, data_dir = sys.argv[1:5]
    schemas = {}
    for name in ("plan-rules.schema.json", "red-flags.schema.json"):
        with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
            schemas[name] = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schemas[name])
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    rules_v = jsonschema.Draft202012Validator(schemas["plan-rules.schema.json"], registry=registry)
    flags_v = jsonschema.Draft202012Validator(schemas["red-flags.schema.json"], registry=registry)
    failures = 0
    good = sorted(glob.glob(os.path.join(rules_dir, "*.json")))
    good.append(os.path.join(data_dir, "broken-rules", "a-good.json"))
    if len(good) < 7:
        print(f"expected at least 6 rule files, found {len(good) - 1}")
        return 1
    for path, validator in [(p, rules_v) for p in good] + [(red_flags, flags_v)]:
        for e in errors_of(validator, path):
            print(f"{path}: /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
            failures += 1
    for name, needle in SCHEMA_REFUSES.items():
        found = [e.message for e in rules_v.iter_errors(
            json.load(open(os.path.join(data_dir, "broken-rules", name), encoding="utf-8")))]
        # the messages of nested failures (anyOf, a predicate's operator) are in the context
        deep = found + [c.message for e in errors_of(rules_v, os.path.join(data_dir, "broken-rules", name))
                        for c in e.context]
        if not any(needle in m for m in deep):
            print(f"{name}: the schema should refuse it with \"{needle}\"; it said {found}")
            failures += 1
    print(f"{len(good)} rule files and the red-flag list valid, {len(SCHEMA_REFUSES)} broken ones refused"
          if failures == 0 else f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
