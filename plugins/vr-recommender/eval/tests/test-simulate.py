#!/usr/bin/python3
"""The simulator (simulate.py): seeded and reproducible, its sessions in the spec's format,
its patients in Recommend's (nothing latent in its output), and its generative model visible in
the data (intense content makes more cybersickness than comfortable content).

    test-simulate.py SIMULATE.py GEN-CATALOG.py
"""

import json
import os
import subprocess
import sys
import tempfile

SESSION_MEMBERS = {"patient", "content_id", "date", "duration_min", "completed", "rating",
                   "cybersickness"}
PATIENT_MEMBERS = {"age_years", "sex", "language", "pregnant", "conditions", "findings",
                   "comfort_tolerance", "max_mets", "posture", "goals", "extra_items"}


def run(simulate, catalog, out, seed, patients=300):
    subprocess.run([sys.executable, simulate, catalog, out, "--patients", str(patients),
                    "--weeks", "8", "--seed", str(seed)], check=True, stderr=subprocess.DEVNULL)
    with open(out, "rb") as f:
        return f.read()


def main():
    simulate, gen = sys.argv[1], sys.argv[2]
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        catalog = os.path.join(tmp, "catalog.json")
        subprocess.run([sys.executable, gen, "90", "7", catalog], check=True)
        a = run(simulate, catalog, os.path.join(tmp, "a.json"), 11)
        b = run(simulate, catalog, os.path.join(tmp, "b.json"), 11)
        c = run(simulate, catalog, os.path.join(tmp, "c.json"), 12)
        check(a == b, "the same seed gives the same file")
        check(a != c, "another seed gives another file")
        sim = json.loads(a)
        with open(catalog, encoding="utf-8") as f:
            items = {it["id"]: it for it in json.load(f)["items"]}
    ids = {p["id"] for p in sim["patients"]}
    check(len(sim["sessions"]) > 1000, "sessions are produced (%d)" % len(sim["sessions"]))
    for s in sim["sessions"]:
        check(set(s) <= SESSION_MEMBERS, "session members %s" % sorted(set(s) - SESSION_MEMBERS))
        check(s["patient"] in ids and s["content_id"] in items, "session refers to known ids")
        check(isinstance(s["duration_min"], float) and s["duration_min"] > 0, "duration_min > 0")
        check(s.get("rating", 3.0) in (1.0, 2.0, 3.0, 4.0, 5.0), "rating 1-5")
        check(s.get("cybersickness", "none") in ("none", "mild", "moderate", "severe"),
              "cybersickness level")
        check(sim["start"] <= s["date"] < "2027", "date in range")
    for p in sim["patients"]:
        check(set(p["profile"]) <= PATIENT_MEMBERS, "only Recommend's patient members")
        check(p["profile"]["language"] in ("en", "zh"), "language")
    check(any(s["date"] >= sim["split"] for s in sim["sessions"]), "sessions after the split")
    check(any(s["date"] < sim["split"] for s in sim["sessions"]), "sessions before the split")
    # the latent model shows through: intense items sicken more often than comfortable ones
    sick = {"comfortable": [0, 0], "intense": [0, 0]}
    for s in sim["sessions"]:
        comfort = items[s["content_id"]]["comfort"]
        if comfort in sick and "cybersickness" in s:
            sick[comfort][0] += s["cybersickness"] in ("moderate", "severe")
            sick[comfort][1] += 1
    rate = {k: v[0] / max(1, v[1]) for k, v in sick.items()}
    check(rate["intense"] > rate["comfortable"],
          "intense content sickens more (%.3f vs %.3f)" % (rate["intense"], rate["comfortable"]))
    print("moderate or severe cybersickness: comfortable %.3f, intense %.3f" %
          (rate["comfortable"], rate["intense"]))
    for what in sorted(set(failures)):
        print("FAIL:", what)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
