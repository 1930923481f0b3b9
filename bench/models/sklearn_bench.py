"""scikit-learn side of the model benchmarks, on the rows bench_models wrote."""
import sys, time
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

d = sys.argv[1]
s = np.loadtxt(f"{d}/score_100.csv", delimiter=",", skiprows=1)
ys, xs = s[:, 0].astype(int), s[:, 1:]
t = np.loadtxt(f"{d}/train_10000x50.csv", delimiter=",", skiprows=1)
yt, xt = t[:, 0].astype(int), t[:, 1:]


def single(model, x, n=200):
    t0 = time.perf_counter()
    for i in range(n):
        model.predict_proba(x[i:i + 1])
    return (time.perf_counter() - t0) / n * 1e9


lr = make_pipeline(StandardScaler(), LogisticRegression()).fit(xs, ys)
print(f"logreg_score_100 {single(lr, xs, 2000):.1f} ns")
rf = RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0).fit(xs, ys)
print(f"forest_score_100trees {single(rf, xs, 100):.1f} ns")
t0 = time.perf_counter()
rf.predict_proba(xs)
print(f"forest_score_batch_row {(time.perf_counter() - t0) / len(xs) * 1e9:.1f} ns")
t0 = time.perf_counter()
RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0).fit(xt, yt)
print(f"forest_fit_10000x50 {time.perf_counter() - t0:.3f} s")
