#!/usr/bin/python3
"""A generated VR catalog in the plugin's format (vr-spec: {"format": 1, "items": [...]}).

    gen-catalog.py N SEED OUT.json [BASE.json]

With BASE (the shipped catalog), the N items are variants of its items: each copies a base
item (its category, targets, regions, comfort, contraindications, evidence: so every generated
item passes the same checks) under a new id and title, with its duration and mets (never above
the base's) drawn again.  Without BASE, items are drawn from
scratch (a stand-in while no catalog is at hand).  Seeded: the same arguments, the same file.
"""

import json
import random
import sys

CATEGORIES = ("upper-limb-rehab", "lower-limb-rehab", "balance-rehab", "cognitive-training",
              "pain-distraction", "relaxation", "education", "procedure-preparation", "exergame")
REGIONS = {"upper-limb-rehab": ["upper-limb"], "lower-limb-rehab": ["lower-limb"],
           "balance-rehab": ["balance", "lower-limb"], "cognitive-training": ["cognition"],
           "pain-distraction": ["none"], "relaxation": ["breathing"], "education": ["none"],
           "procedure-preparation": ["none"], "exergame": ["whole-body"]}
TARGETS = {"upper-limb-rehab": ["ICD10:I63", "ICD10:I69", "HP:0001269"],
           "lower-limb-rehab": ["ICD10:M17", "ICD10:Z96.65", "HP:0002829"],
           "balance-rehab": ["ICD10:G20", "ICD10:R26.81", "HP:0002172"],
           "cognitive-training": ["ICD10:G31.84", "ICD10:F06.7", "HP:0100543"],
           "pain-distraction": ["ICD10:M54.5", "ICD10:G89.18", "HP:0012532"],
           "relaxation": ["ICD10:F41.1", "ICD10:J44", "HP:0000739"],
           "education": ["ICD10:J44", "ICD10:I63", "ICD10:E11"],
           "procedure-preparation": ["ICD10:Z01.818", "ICD10:F93.8"],
           "exergame": ["ICD10:E66", "ICD10:M54.5", "ICD10:F32"]}
COMFORTS = ("comfortable", "moderate", "intense")
CONTRAS = ("photosensitive-epilepsy", "vestibular-disorder", "recent-eye-surgery", "pregnancy",
           "cardiac-high-intensity", "severe-motion-sickness", "open-wound-head", "psychosis",
           "claustrophobia", "recent-concussion")


def scratch_item(r, k):
    cat = CATEGORIES[k % len(CATEGORIES)]
    mets = round(r.uniform(1.0, 2.0) if cat in ("relaxation", "education", "procedure-preparation",
                                                "pain-distraction", "cognitive-training")
                 else r.uniform(2.0, 7.5), 1)
    item = {
        "id": "gen-%s-%05d" % (cat, k),
        "title": {"en": "Generated %s item %d" % (cat, k), "zh": "生成的内容 %d" % k},
        "summary": {"en": "A generated item for the benchmark.",
                    "zh": "用于基准测试的生成内容。"},
        "category": cat,
        "targets": r.sample(TARGETS[cat], 2),
        "regions": REGIONS[cat],
        "mets": mets,
        "duration_min": r.choice((5, 8, 10, 12, 15, 20)),
        "min_age": 5 if cat in ("procedure-preparation", "pain-distraction", "exergame") else 12,
        "comfort": r.choices(COMFORTS, weights=(5, 3, 1))[0],
        "locomotion": r.choices(("none", "teleport", "smooth"), weights=(6, 3, 1))[0],
        "posture": r.choice(("seated", "either", "standing")) if mets > 2.5 else "seated",
        "contraindications": sorted(r.sample(CONTRAS, r.randint(0, 2))),
        "languages": ["en", "zh"] if r.random() < 0.8 else [r.choice(("en", "zh"))],
        "evidence": "Generated benchmark item, synthetic (2026)",
    }
    if mets >= 6.0 and "cardiac-high-intensity" not in item["contraindications"]:
        item["contraindications"] = sorted(item["contraindications"] + ["cardiac-high-intensity"])
    return item


def variant(r, base, k):
    item = json.loads(json.dumps(base))
    item["id"] = "gen-%05d-%s" % (k, base["id"])[:60]
    item["id"] = item["id"].rstrip("-")
    item["title"] = {"en": "%s (%d)" % (base["title"]["en"], k),
                     "zh": "%s（%d）" % (base["title"]["zh"], k)}
    item["duration_min"] = max(3, base["duration_min"] + r.randint(-3, 5))
    # never above the base's mets: a rule tied to intensity (cardiac limit) stays true
    item["mets"] = round(max(1.0, base["mets"] * r.uniform(0.8, 1.0)), 1)
    return item


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    r = random.Random(seed)
    if len(sys.argv) == 5:
        with open(sys.argv[4], encoding="utf-8") as f:
            base = json.load(f)["items"]
        items = [variant(r, base[k % len(base)], k) for k in range(n)]
    else:
        items = [scratch_item(r, k) for k in range(n)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"format": 1, "items": items}, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
