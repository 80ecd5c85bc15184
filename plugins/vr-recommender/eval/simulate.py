#!/usr/bin/python3
"""Simulated VR patients and their session logs, for the recommender's offline evaluation.

    simulate.py CATALOG.json OUT.json [--patients N] [--weeks W] [--seed S] [--latent FILE]

Reads a catalog in the plugin's format (only the members a clinic could see: id, category,
regions, mets, duration_min, min_age, max_age, comfort, locomotion, posture, contraindications,
languages) and writes {"format": 1, "seed", "weeks", "start", "split", "patients": [{"id",
"profile"}], "sessions": [...]}: a profile is Recommend's `patient` argument as a clinic would
send it, a session is Train's session (the spec's format).  The generative model (README.md,
"The simulator") is not the recommender's: every patient has latent variables the recommender
never sees (per-category affinity, a taste vector that meets each item's hidden style vector,
each item's hidden appeal, a cybersickness susceptibility, an engagement level); --latent
writes them to a separate file for analysis.  Python standard library only; seeded: the same
arguments give the same file byte for byte.
"""

import argparse
import datetime
import hashlib
import json
import math
import random
import sys

CATEGORIES = ("upper-limb-rehab", "lower-limb-rehab", "balance-rehab", "cognitive-training",
              "pain-distraction", "relaxation", "education", "procedure-preparation", "exergame")

# The case mix: share of patients, ages, the codes a clinic records (one is drawn), how much
# each category helps (the simulator's hidden clinical relevance, 0..1: not the catalog's
# targets), mets limit range, share seated.  The mix is loosely that of VR programmes reported
# in rehabilitation, pain and paediatric services; the exact shares are assumptions.
CONDITIONS = {
    "stroke": dict(share=0.15, ages=(48, 88), codes=["ICD10:I63.9", "ICD10:I69.3", "DOID:6713"],
                   rel={"upper-limb-rehab": 1.0, "balance-rehab": 0.6, "cognitive-training": 0.6,
                        "education": 0.3, "relaxation": 0.2},
                   mets=(2.0, 4.0), seated=0.6),
    "knee-osteoarthritis": dict(share=0.15, ages=(50, 85),
                                codes=["ICD10:M17.1", "ICD10:M17.9", "DOID:8398"],
                                rel={"lower-limb-rehab": 1.0, "balance-rehab": 0.5,
                                     "pain-distraction": 0.4, "exergame": 0.3, "education": 0.3},
                                mets=(3.0, 5.0), seated=0.3),
    "chronic-low-back-pain": dict(share=0.13, ages=(25, 68),
                                  codes=["ICD10:M54.5", "ICD10CM:M54.50", "HP:0003419"],
                                  rel={"pain-distraction": 0.8, "relaxation": 0.7,
                                       "exergame": 0.4, "education": 0.4,
                                       "lower-limb-rehab": 0.2},
                                  mets=(4.0, 7.0), seated=0.2),
    "anxiety": dict(share=0.12, ages=(16, 65), codes=["ICD10:F41.1", "ICD10:F41.9", "DOID:2030"],
                    rel={"relaxation": 1.0, "education": 0.3, "pain-distraction": 0.3,
                         "exergame": 0.2},
                    mets=(6.0, 9.0), seated=0.1),
    "copd": dict(share=0.10, ages=(55, 85), codes=["ICD10:J44.9", "ICD10:J44.1", "DOID:3083"],
                 rel={"relaxation": 0.8, "education": 0.6, "lower-limb-rehab": 0.4,
                      "exergame": 0.2},
                 mets=(2.0, 3.5), seated=0.5),
    "parkinson": dict(share=0.08, ages=(55, 88), codes=["ICD10:G20", "DOID:14330"],
                      rel={"balance-rehab": 1.0, "cognitive-training": 0.6,
                           "upper-limb-rehab": 0.5, "education": 0.2},
                      mets=(2.0, 4.0), seated=0.5),
    "post-operative": dict(share=0.11, ages=(20, 82),
                           codes=["ICD10:Z48.8", "ICD10CM:G89.18", "HP:0012532"],
                           rel={"pain-distraction": 1.0, "relaxation": 0.6,
                                "lower-limb-rehab": 0.4, "education": 0.3},
                           mets=(2.0, 3.5), seated=0.8),
    "child-before-procedure": dict(share=0.08, ages=(5, 13),
                                   codes=["ICD10:Z01.8", "ICD10:F93.8"],
                                   rel={"procedure-preparation": 1.0, "pain-distraction": 0.8,
                                        "exergame": 0.4, "education": 0.3},
                                   mets=(6.0, 9.0), seated=0.7),
    "mild-cognitive-impairment": dict(share=0.08, ages=(60, 90),
                                      codes=["ICD10CM:G31.84", "ICD10:F06.7", "DOID:0080832"],
                                      rel={"cognitive-training": 1.0, "education": 0.4,
                                           "relaxation": 0.3, "balance-rehab": 0.2},
                                      mets=(2.5, 4.5), seated=0.5),
}

# Findings a few patients carry that contraindicate content, with the code the clinic records
# and the catalog contraindication it means (the simulated clinician avoids those items).
FLAGS = [
    ("photosensitive-epilepsy", 0.02, "ICD10:G40.9"),
    ("vestibular-disorder", 0.04, "ICD10:H81.1"),
    ("severe-motion-sickness", 0.03, "ICD10:T75.3"),
    ("claustrophobia", 0.02, "ICD10:F40.2"),
    ("recent-concussion", 0.01, "ICD10:S06.0"),
]

COMFORT = {"comfortable": 0, "moderate": 1, "intense": 2}
SICKNESS = ("none", "mild", "moderate", "severe")
START = datetime.date(2026, 6, 1)  # a Monday; the dates are only ever compared


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def item_latent(item, seed):
    """The item's hidden appeal and 2-d style, fixed by the seed and its id (a clinic's new item
    gets its own): what patients feel and no catalog member says."""
    digest = hashlib.sha256(("%d:%s" % (seed, item["id"])).encode()).digest()
    r = random.Random(int.from_bytes(digest[:8], "big"))
    return {"appeal": r.gauss(0.0, 0.5), "style": (r.gauss(0.0, 0.8), r.gauss(0.0, 0.8))}


def draw_patient(r, pid, seed_weeks):
    names = list(CONDITIONS)
    main = r.choices(names, weights=[CONDITIONS[n]["share"] for n in names])[0]
    conds = [main]
    if main != "child-before-procedure" and r.random() < 0.2:
        other = r.choice([n for n in names if n not in (main, "child-before-procedure")])
        lo, hi = CONDITIONS[other]["ages"]
        if hi >= CONDITIONS[main]["ages"][0] and lo <= CONDITIONS[main]["ages"][1]:
            conds.append(other)
    lo = max(CONDITIONS[c]["ages"][0] for c in conds)
    hi = min(CONDITIONS[c]["ages"][1] for c in conds)
    age = r.randint(lo, max(lo, hi))
    sex = r.choice(("female", "male"))
    flags = [name for name, share, _ in FLAGS if r.random() < share]
    pregnant = sex == "female" and 18 <= age <= 44 and r.random() < 0.05
    # latent: cybersickness susceptibility (higher in older patients and women, as reported)
    suscept = min(1.0, max(0.0, r.betavariate(2, 4) + (0.08 if sex == "female" else 0.0)
                           + (0.06 if age >= 65 else 0.0)))
    rel = {c: 0.0 for c in CATEGORIES}
    for cond in conds:
        for cat, w in CONDITIONS[cond]["rel"].items():
            rel[cat] = max(rel[cat], w)
    affinity = {c: (0.1 + rel[c]) * math.exp(r.gauss(0.0, 0.45)) for c in CATEGORIES}
    latent = {
        "conditions": conds, "flags": flags, "susceptibility": round(suscept, 4),
        "affinity": {c: round(a, 4) for c, a in affinity.items()},
        "taste": (round(r.gauss(0, 1), 4), round(r.gauss(0, 1), 4)),
        "engagement": round(r.uniform(0.6, 3.0), 4),
        "start_week": r.randrange(0, seed_weeks),
    }
    profile = {
        "age_years": float(age), "sex": sex, "language": "zh" if r.random() < 0.5 else "en",
        "conditions": [{"code": r.choice(CONDITIONS[c]["codes"]), "status": "active"}
                       for c in conds]
        + [{"code": code, "status": "active"} for name, _, code in FLAGS if name in flags],
    }
    if pregnant:
        profile["pregnant"] = True
    # the clinic's recorded tolerance: noisy, and usually not recorded (the default applies)
    if r.random() < 0.4:
        guess = suscept + r.gauss(0.0, 0.12)
        profile["comfort_tolerance"] = ("comfortable" if guess > 0.45 else
                                        "intense" if guess < 0.2 else "moderate")
    mets_lo, mets_hi = min(CONDITIONS[c]["mets"] for c in conds)
    if mets_hi < 6.0 or r.random() < 0.3:
        profile["max_mets"] = round(r.uniform(mets_lo, mets_hi), 1)
    seated = max(CONDITIONS[c]["seated"] for c in conds)
    profile["posture"] = "seated" if r.random() < seated else "either"
    latent["pregnant"] = pregnant
    return {"id": pid, "profile": profile}, latent


def allowed(item, patient, latent):
    """The simulated clinician's screen: what a clinic would not hand this patient."""
    prof = patient["profile"]
    age = prof["age_years"]
    if age < item.get("min_age", 0) or (item.get("max_age") and age > item["max_age"]):
        return False
    contra = set(item.get("contraindications", []))
    if contra & set(latent["flags"]) or (latent["pregnant"] and "pregnancy" in contra):
        return False
    if prof.get("posture") == "seated" and item.get("posture") == "standing":
        return False
    if "max_mets" in prof and item.get("mets", 0) > prof["max_mets"]:
        return False
    tol = COMFORT[prof.get("comfort_tolerance", "moderate")]
    return COMFORT[item.get("comfort", "moderate")] <= tol


def outcome(r, item, hidden, patient, latent):
    """One session's completion, duration, rating and cybersickness from the latent model."""
    comfort = COMFORT[item.get("comfort", "moderate")]
    smooth = 1 if item.get("locomotion") == "smooth" else 0
    p_sick = sigmoid(5.0 * (latent["susceptibility"] + 0.22 * comfort + 0.12 * smooth - 0.62))
    severity = 0
    if r.random() < p_sick:
        severity = 1 + min(2, int(r.random() * (1.0 + comfort * 0.8 + latent["susceptibility"])))
    lang_ok = patient["profile"]["language"] in item.get("languages", ["en", "zh"])
    taste = latent["taste"]
    u = (1.3 * latent["affinity"][item["category"]] + hidden["appeal"]
         + 0.55 * (taste[0] * hidden["style"][0] + taste[1] * hidden["style"][1])
         + (0.0 if lang_ok else -0.8) - 0.7 * severity + r.gauss(0.0, 0.6))
    completed = r.random() < sigmoid(1.6 * u - 0.2)
    dur = item.get("duration_min", 10)
    session = {"content_id": item["id"], "completed": completed,
               "duration_min": float(dur if completed else round(dur * r.uniform(0.15, 0.8), 1))}
    if r.random() < 0.85:
        rating = 3.0 + 1.1 * u + r.gauss(0.0, 0.6) - (0.0 if completed else 1.0)
        session["rating"] = float(min(5, max(1, round(rating))))
    if severity > 0 or r.random() < 0.5:
        session["cybersickness"] = SICKNESS[severity]
    return session, u


def choose(r, patient, latent, safe, liked, popularity, by_id):
    """The exposure policy (README): repeat a liked item, the clinician's pick (an item of a
    category relevant to the condition, weighted by how often the clinic uses it), or any
    allowed item at random (a patient browsing)."""
    x = r.random()
    if liked and x < 0.3:
        return r.choice(sorted(liked))
    rel = {}
    for cond in latent["conditions"]:
        for cat, w in CONDITIONS[cond]["rel"].items():
            rel[cat] = max(rel.get(cat, 0.0), w)
    fitting = [i for i in safe if rel.get(by_id[i]["category"], 0.0) >= 0.3]
    if fitting and x < 0.8:
        weights = [rel[by_id[i]["category"]] * math.sqrt(1.0 + popularity.get(i, 0))
                   for i in fitting]
        return r.choices(fitting, weights=weights)[0]
    return r.choice(safe)


def simulate(catalog, n_patients, weeks, seed):
    r = random.Random(seed)
    items = catalog["items"]
    by_id = {it["id"]: it for it in items}
    hidden = {it["id"]: item_latent(it, seed) for it in items}
    patients, latents = [], {}
    for k in range(n_patients):
        p, lat = draw_patient(r, "sim-%05d" % (k + 1), max(1, weeks - 2))
        patients.append(p)
        latents[p["id"]] = lat
    popularity, sessions = {}, []
    state = {p["id"]: {"liked": set(), "bad": 0, "active": True} for p in patients}
    safe = {p["id"]: [it["id"] for it in items if allowed(it, p, latents[p["id"]])]
            for p in patients}
    # week by week so that popularity grows as the clinic uses its favourites
    for week in range(weeks):
        for p in patients:
            lat, st = latents[p["id"]], state[p["id"]]
            if week < lat["start_week"] or not st["active"] or not safe[p["id"]]:
                continue
            n = min(5, int(r.expovariate(1.0 / lat["engagement"])) + (r.random() < 0.5))
            days = sorted(r.sample(range(7), min(n, 7)))
            for day in days:
                cid = choose(r, p, lat, safe[p["id"]], st["liked"], popularity, by_id)
                s, _ = outcome(r, by_id[cid], hidden[cid], p, lat)
                date = START + datetime.timedelta(days=7 * week + day)
                sessions.append(dict({"patient": p["id"]}, date=date.isoformat(), **s))
                popularity[cid] = popularity.get(cid, 0) + 1
                good = s["completed"] and s.get("rating", 0) >= 4
                if good:
                    st["liked"].add(cid)
                st["bad"] = 0 if good else st["bad"] + 1
                if s.get("cybersickness") == "severe":
                    st["liked"].discard(cid)
            # patients who had a run of bad sessions drop out now and then
            if st["bad"] >= 3 and r.random() < 0.3:
                st["active"] = False
    split = START + datetime.timedelta(days=7 * (weeks - 2))
    return {"format": 1, "seed": seed, "weeks": weeks, "start": START.isoformat(),
            "split": split.isoformat(), "patients": patients, "sessions": sessions}, latents


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("catalog")
    ap.add_argument("out")
    ap.add_argument("--patients", type=int, default=600)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--latent",
                    help="write the latent variables here (never read by the evaluation)")
    a = ap.parse_args()
    if a.weeks < 3 or a.patients < 1:
        sys.exit("simulate.py: --weeks must be at least 3 and --patients at least 1")
    with open(a.catalog, encoding="utf-8") as f:
        catalog = json.load(f)
    out, latents = simulate(catalog, a.patients, a.weeks, a.seed)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")
    if a.latent:
        with open(a.latent, "w", encoding="utf-8") as f:
            json.dump(latents, f, indent=1, sort_keys=True)
    held = sum(1 for s in out["sessions"] if s["date"] >= out["split"])
    print("simulate.py: %d patients, %d sessions (%d from %s on, held out)"
          % (a.patients, len(out["sessions"]), held, out["split"]), file=sys.stderr)


if __name__ == "__main__":
    main()
