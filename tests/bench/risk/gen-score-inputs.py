#!/usr/bin/env python3
"""Seeded input sets for the scoring benchmark (tests/bench/risk/run.sh).

  gen-score-inputs.py KIND ROWS SEED OUT.csv

KIND is `pce` (inputs of the white men's Pooled Cohort Equation, pce-2013-white-men) or
`framingham` (Framingham Offspring diabetes, framingham-offspring-diabetes-2007).  The values
follow the rough shape of a clinic's adult population (means and spreads of the NHANES-like
ranges the models were built on), kept inside each model's valid ranges so every set scores.
About a third of the lipid and glucose values are written in mmol/L, so the unit conversion is
part of what both sides compute.

One header row of input names; a cell is a number in the input's canonical unit, "NUMBER UNIT"
in another accepted unit, true/false, or a category level; an empty cell leaves the input out
(its default applies).  bench-score.c and bench-score.R read this format.  Python's own
random.Random(SEED), so the same arguments give the same file on every machine.
"""
import random
import sys

MG_PER_MMOL = {"chol": 38.67, "tg": 88.57, "glucose": 18.016}


def clip(x, lo, hi):
    return max(lo, min(hi, x))


def lab(r, mg, lo, hi, kind):
    """A lab value in mg/dL, or a third of the time the same value in mmol/L when it stays in
    range after conversion back (the model checks the canonical value)."""
    mg = round(clip(mg, lo, hi))
    if r.random() < 1 / 3:
        mmol = round(mg / MG_PER_MMOL[kind], 2)
        if lo <= mmol * MG_PER_MMOL[kind] <= hi:
            return f"{mmol:.2f} mmol/L"
    return str(mg)


def boolean(r, p):
    return "true" if r.random() < p else "false"


def pce_row(r):
    smoker = r.choices(["never", "former", "current"], [0.55, 0.27, 0.18])[0]
    return [
        str(r.randint(40, 79)),
        "male",
        lab(r, r.gauss(200, 38), 130, 320, "chol"),
        lab(r, r.gauss(48, 13), 20, 100, "chol"),
        str(round(clip(r.gauss(130, 18), 90, 200))),
        # left out a fifth of the time: the model's default (untreated) applies
        "" if r.random() < 0.2 else boolean(r, 0.3),
        smoker,
        boolean(r, 0.12),
    ]


def framingham_row(r):
    return [
        str(r.randint(30, 79)),
        r.choice(["female", "male"]),
        boolean(r, 0.25),
        f"{clip(r.lognormvariate(3.31, 0.18), 15, 60):.1f}",  # median BMI ~27
        boolean(r, 0.4),
        lab(r, r.gauss(52, 15), 10, 150, "chol"),
        lab(r, r.lognormvariate(4.8, 0.45), 20, 2000, "tg"),  # median ~120 mg/dL
        # fasting glucose below the diabetic threshold (the model's range ends at 125.9)
        lab(r, r.gauss(96, 11), 60, 125, "glucose"),
    ]


KINDS = {
    "pce": (["age", "sex", "total_cholesterol", "hdl_cholesterol", "systolic_bp",
             "on_bp_treatment", "smoker", "diabetes"], pce_row),
    "framingham": (["age", "sex", "parental_diabetes", "bmi", "elevated_bp",
                    "hdl_cholesterol", "triglycerides", "fasting_glucose"], framingham_row),
}


def main():
    kind, rows, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    header, make = KINDS[kind]
    r = random.Random(seed)
    with open(out, "w") as f:
        f.write(",".join(header) + "\n")
        for _ in range(rows):
            f.write(",".join(make(r)) + "\n")


if __name__ == "__main__":
    main()
