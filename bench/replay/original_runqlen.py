"""A reconstruction of the original tool's runqlen.py, for benchmarks only.

The original script is not available; its document describes it: read the @runqlen
histograms that bpftrace's runqlen.bt printed to bt.log, and judge them with a logistic
regression (scikit-learn) trained, on every run, on the 81 labelled histograms it shipped
(StandardScaler, then LogisticRegression() on the 101 raw counts runqlen_0 ... runqlen_100);
it printed "Model accuracy on training set: 0.94" and the predictions, 0 normal, 1 abnormal.
This script does the same with the same libraries:

1. start-up: Python, pandas and scikit-learn are imported;
2. training: the CSV read with pandas, scaled, fitted; the training accuracy printed (0.94);
3. the log: every histogram's counts, in the order its lines come, fill the vector from
   position 0 (the original's reading: bpftrace leaves out empty buckets, so a bucket's
   position is not its run-queue length; kept here as the original did it), then all
   histograms are predicted in one batch and one line "histogram K: 0|1" printed each.

    original_runqlen.py HISTOGRAMS.csv BT.LOG [--timings FILE]

--timings writes "phase seconds" lines (import, train, log) measured inside the script.
"""
import re
import sys
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

BUCKET = re.compile(r"^\[(-?\d+), ?(-?\d+)\)\s+(\d+)\s")


def train(csv_path):
    data = pd.read_csv(csv_path)
    x, y = data.drop(columns="label").values, data["label"].values
    scaler = StandardScaler().fit(x)
    model = LogisticRegression().fit(scaler.transform(x), y)
    print(f"Model accuracy on training set: {model.score(scaler.transform(x), y):.2f}")
    return scaler, model, x.shape[1]


def judge(log_path, scaler, model, width):
    hists, current = [], None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("@runqlen:"):
                current = []
                hists.append(current)
            elif current is not None:
                m = BUCKET.match(line)
                if m and len(current) < width:
                    current.append(int(m.group(3)))
    x = np.zeros((len(hists), width))
    for i, counts in enumerate(hists):
        x[i, :len(counts)] = counts
    predictions = model.predict(scaler.transform(x))
    print("\n".join(f"histogram {i}: {p}" for i, p in enumerate(predictions)))
    print(f"Predictions for new samples: {int(predictions.sum())} of {len(predictions)} abnormal")


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--timings"):
        sys.exit("usage: original_runqlen.py HISTOGRAMS.csv BT.LOG [--timings FILE]")
    t_import = time.perf_counter()
    scaler, model, width = train(argv[1])
    t_train = time.perf_counter()
    judge(argv[2], scaler, model, width)
    t_log = time.perf_counter()
    if len(argv) == 5:
        with open(argv[4], "w") as f:
            f.write(f"import {t_import - T0:.4f}\ntrain {t_train - t_import:.4f}\n"
                    f"log {t_log - t_train:.4f}\n")


if __name__ == "__main__":
    main(sys.argv)
