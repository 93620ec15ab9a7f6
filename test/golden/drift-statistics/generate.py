#!/usr/bin/python3
"""Golden cases for the drift statistics (src/drift/stats), computed by scipy.

Run with Debian's python3-scipy:  /usr/bin/python3 test/golden/drift-statistics/generate.py
It rewrites drift-golden.json beside this script; the specs in src/drift/stats read it and assert that the
TypeScript results equal scipy's within 1e-9 relative. Inputs are stored exactly as scipy received them (values
rounded to a few decimals before the call, so the JSON stays small and ties occur on purpose).
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats

rng = np.random.default_rng(20261130)


def rounded(values, decimals):
    return [float(v) for v in np.round(np.asarray(values, dtype=float), decimals)]


def ks_case(name, a, b):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = stats.ks_2samp(a, b, alternative="two-sided", method="auto")
    fell_back = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
    regime = "exact" if max(len(a), len(b)) <= 10000 and not fell_back else "asymptotic"
    return {"name": name, "x": a, "y": b, "regime": regime,
            "statistic": float(result.statistic), "p_value": float(result.pvalue)}


ks = []
normal = lambda n, loc=0.0, scale=1.0: rng.normal(loc, scale, n)
# Exact regime, continuous values, equal and unequal sizes.
for n1, n2, shift in [(1, 1, 0), (1, 5, 0), (5, 5, 0), (3, 7, 1.0), (10, 10, 0.5), (7, 13, 0.0), (50, 50, 0.3),
                      (37, 100, 0.2), (200, 150, 0.0), (1000, 1000, 0.0), (1000, 1000, 0.1), (400, 1000, 0.0),
                      (1000, 2000, 0.05), (5000, 1000, 0.0), (999, 1000, 0.08), (1000, 700, 0.12),
                      (300, 10000, 0.0), (10000, 250, 0.1)]:
    ks.append(ks_case(f"normal n1={n1} n2={n2} shift={shift}",
                      rounded(normal(n1), 4), rounded(normal(n2, shift), 4)))
# Tiny p-values in the exact regime (well separated samples).
for n1, n2, shift in [(1000, 1000, 0.5), (1000, 1000, 1.0), (1000, 1000, 3.0), (800, 1000, 1.0),
                      (1000, 1500, 2.0), (20, 20, 10.0), (30, 45, 10.0)]:
    ks.append(ks_case(f"separated n1={n1} n2={n2} shift={shift}",
                      rounded(normal(n1), 4), rounded(normal(n2, shift), 4)))
# Ties and discrete features: token counts, shares with many zeros, confidences on a coarse grid.
for n1, n2, lam1, lam2 in [(1000, 1000, 12, 12), (1000, 1000, 12, 13), (600, 1000, 30, 30), (1000, 333, 5, 5.5)]:
    ks.append(ks_case(f"poisson n1={n1} n2={n2} lambda={lam1}/{lam2}",
                      [float(v) for v in rng.poisson(lam1, n1)], [float(v) for v in rng.poisson(lam2, n2)]))
for n1, n2, zeros1, zeros2 in [(1000, 1000, 0.8, 0.8), (1000, 1000, 0.8, 0.7), (500, 1200, 0.95, 0.95)]:
    a = np.where(rng.random(n1) < zeros1, 0.0, np.round(rng.beta(1, 20, n1), 2))
    b = np.where(rng.random(n2) < zeros2, 0.0, np.round(rng.beta(1, 20, n2), 2))
    ks.append(ks_case(f"zero-inflated share n1={n1} n2={n2} zeros={zeros1}/{zeros2}", rounded(a, 2), rounded(b, 2)))
ks.append(ks_case("constant, equal in both", [3.0] * 100, [3.0] * 80))
ks.append(ks_case("constant, different values", [1.0] * 100, [2.0] * 80))
ks.append(ks_case("binary feature", [float(v) for v in rng.integers(0, 2, 1000)],
                  [float(v) for v in rng.integers(0, 2, 1000)]))
# Asymptotic regime (max size > 10000): effective sizes above and below 140, every branch of the Kolmogorov
# distribution (Durbin matrix, Pelz-Good, Smirnov sum, zero).
# Two decimals keep the JSON small (and add ties).
for n1, n2, shift in [(10001, 500, 0.0), (12000, 1000, 0.08), (12000, 1000, 0.3), (15000, 12000, 0.03),
                      (11000, 100, 0.0), (11000, 100, 0.4), (11000, 100, 1.5), (10001, 40, 1.0),
                      (10001, 10001, 0.02)]:
    ks.append(ks_case(f"asymptotic n1={n1} n2={n2} shift={shift}",
                      rounded(normal(n1), 2), rounded(normal(n2, shift), 2)))

# The two-sided one-sample Kolmogorov survival (scipy.stats.kstwo.sf) and the one-sided Smirnov survival
# (scipy.special.smirnov) on a grid covering every method branch.
kolmogorov = []
for n in [1, 2, 5, 10, 40, 99, 100, 140, 141, 500, 952, 5000, 10000, 100000, 200000]:
    for x in [0.3 / n, 0.5 / n, 0.7 / n, 1.0 / n, 1.5 / n, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3,
              0.45, 0.5, 0.6, 0.9, 1 - 1.5 / n, 1 - 0.5 / n, 0.999]:
        if 0 < x < 1:
            kolmogorov.append({"n": n, "x": float(x), "sf": float(stats.kstwo.sf(x, n)),
                               "smirnov": float(special.smirnov(n, x))})

# Chi-square survival (the p-value of chi2_contingency).
chi2_sf = []
for dof in [1, 2, 3, 4, 5, 9, 10, 19, 31, 60]:
    for x in [0.0, 1e-6, 0.01, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 100.0, 300.0, 1000.0]:
        chi2_sf.append({"dof": dof, "x": x, "sf": float(stats.chi2.sf(x, dof))})

# 2 x L contingency tables; columns that are zero in both rows are dropped before scipy sees them.
chi2 = []
tables = [
    [[10, 20], [30, 40]], [[100, 90], [95, 105]], [[3, 4], [4, 3]], [[500, 500], [500, 501]], [[0, 10], [5, 5]],
    [[1, 0, 3], [2, 0, 4]], [[12, 30, 8], [14, 25, 11]], [[400, 350, 150, 100], [380, 370, 160, 90]],
    [[900, 100], [700, 300]], [[990, 10], [500, 500]], [[1000, 0, 0], [0, 0, 1000]],
    [[250, 250, 250, 250, 0], [100, 200, 300, 400, 0]], [[5, 0, 0, 7], [0, 0, 0, 9]], [[30], [40]],
    [[10, 0], [20, 0]], [[600, 400], [600, 400]], [[2, 1], [1, 2]],
    [list(rng.multinomial(1000, [0.5, 0.2, 0.1, 0.1, 0.05, 0.05])), list(rng.multinomial(1000, [0.5, 0.2, 0.1, 0.1, 0.05, 0.05]))],
    [list(rng.multinomial(1000, [0.5, 0.3, 0.2])), list(rng.multinomial(1000, [0.3, 0.3, 0.4]))],
    [list(rng.multinomial(5000, [0.6, 0.4])), list(rng.multinomial(1000, [0.62, 0.38]))],
]
for table in tables:
    table = [[int(v) for v in row] for row in table]
    kept = [j for j in range(len(table[0])) if table[0][j] + table[1][j] > 0]
    reduced = np.array([[table[0][j] for j in kept], [table[1][j] for j in kept]])
    if len(kept) < 2:
        statistic, p_value, dof = 0.0, 1.0, 0
    else:
        result = stats.chi2_contingency(reduced, correction=True)
        statistic, p_value, dof = float(result.statistic), float(result.pvalue), int(result.dof)
    chi2.append({"table": table, "statistic": statistic, "p_value": p_value, "dof": dof,
                 "dropped_columns": len(table[0]) - len(kept)})

# 2 x 2 tables for Fisher's exact test (two-sided).
fisher = []
for table in [[[1, 9], [11, 3]], [[8, 2], [1, 5]], [[3, 5], [5, 3]], [[0, 10], [10, 0]], [[0, 5], [0, 7]],
              [[5, 0], [7, 0]], [[0, 0], [3, 4]], [[1, 0], [0, 1]], [[10, 990], [12, 988]],
              [[5, 995], [40, 960]], [[0, 1000], [200, 800]], [[500, 500], [500, 500]], [[20, 980], [20, 980]],
              [[3, 997], [0, 1000]], [[100, 900], [30, 970]], [[50, 4950], [10, 990]], [[0, 5000], [1, 999]],
              [[7, 12], [12, 7]], [[2, 7], [8, 2]], [[1000, 0], [0, 1000]], [[25, 975], [45, 955]]]:
    result = stats.fisher_exact(table, alternative="two-sided")
    odds = float(result.statistic)
    fisher.append({"table": table, "p_value": float(result.pvalue),
                   "odds_ratio": None if math.isnan(odds) else ("Infinity" if math.isinf(odds) else odds)})

out = {
    "generator": "test/golden/drift-statistics/generate.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "python": sys.version.split()[0],
    "ks_2samp": ks,
    "kolmogorov": kolmogorov,
    "chi2_sf": chi2_sf,
    "chi2_contingency": chi2,
    "fisher_exact": fisher,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift-golden.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {path}: {len(ks)} ks_2samp, {len(kolmogorov)} kolmogorov, {len(chi2_sf)} chi2_sf, "
      f"{len(chi2)} chi2_contingency, {len(fisher)} fisher_exact cases")
