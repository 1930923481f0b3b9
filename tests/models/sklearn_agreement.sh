#!/bin/bash
# logreg agrees with scikit-learn's StandardScaler + LogisticRegression() on the seed data:
# training accuracy 0.938 (pinned) and coefficients within 1e-3.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
CSV=$SRC/datasets/seed/runqlen_histograms.csv
"$ANOMON" train --model logreg --data "$CSV" --out "$T/m.json" --json >"$T/j" || fail "train"
# The pin needs no Python.
grep -q '"accuracy":0.938271604938271' "$T/j" || fail "training accuracy is not 76/81: $(cat "$T/j")"
/usr/bin/python3 -c 'import sklearn' 2>/dev/null ||
	fail "python3-sklearn is missing (apt-get install python3-sklearn; see scripts/deps.txt)"
/usr/bin/python3 - "$CSV" "$T/m.json" <<'PY' || fail "coefficients differ from scikit-learn"
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
y, X = d[:, 0].astype(int), d[:, 1:]
sc = StandardScaler().fit(X)
ref = LogisticRegression(tol=1e-10, max_iter=10000).fit(sc.transform(X), y)
m = json.load(open(sys.argv[2]))["logreg"]
coef, b = np.array(m["coef"]), m["intercept"]
dc = np.max(np.abs(coef - ref.coef_[0]))
print(f"sklearn accuracy {ref.score(sc.transform(X), y):.4f}, max |coef diff| {dc:.2e}, "
      f"|intercept diff| {abs(b - ref.intercept_[0]):.2e}")
assert np.allclose(m["mean"], sc.mean_, rtol=0, atol=1e-9)
assert np.allclose(m["scale"], sc.scale_, rtol=1e-12, atol=0)
assert dc < 1e-3 and abs(b - ref.intercept_[0]) < 1e-3
assert abs(ref.score(sc.transform(X), y) - 76 / 81) < 1e-12
PY
echo ok
