#!/usr/bin/env python3
"""A seeded synthetic training table for the trainer benchmark (tests/bench/risk/run.sh).

  gen-synthetic.py ROWS SEED OUT.csv

Ten features (normal, uniform, skewed, count and 0/1 columns on different scales) and an
outcome `event` drawn from a known logistic model, about 30 % events.  Python's own
random.Random(SEED), so the same arguments give the same file on every machine.
"""
import math
import random
import sys

COEF = [0.8, -0.5, 0.03, -0.02, 0.6, 0.4, -0.7, 0.25, 0.015, -1.1]
INTERCEPT = -2.0


def row(r):
    x = [
        r.gauss(0, 1),              # z-score
        r.gauss(0, 2),
        r.uniform(20, 80),          # age-like
        r.gauss(120, 15),           # blood-pressure-like
        float(r.random() < 0.3),    # 0/1
        float(r.random() < 0.5),
        r.lognormvariate(0, 0.5),   # skewed
        float(r.randint(0, 6)),     # count
        r.uniform(0, 100),
        r.gauss(0, 0.5),
    ]
    lp = INTERCEPT + sum(c * v for c, v in zip(COEF, x)) - 0.03 * 50 + 0.02 * 120
    return x, 1 if r.random() < 1 / (1 + math.exp(-lp)) else 0


def main():
    rows, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    r = random.Random(seed)
    with open(out, "w") as f:
        f.write(",".join(f"x{i + 1}" for i in range(10)) + ",event\n")
        for _ in range(rows):
            x, y = row(r)
            f.write(",".join(f"{v:.6g}" for v in x) + f",{y}\n")


if __name__ == "__main__":
    main()
