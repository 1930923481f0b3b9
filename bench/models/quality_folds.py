"""Detection quality on the seed datasets, scikit-learn's models and anomon's on the same folds.

StratifiedKFold(5, shuffle=True, random_state=0) cuts each seed dataset, as the reference
figures of the original tool were measured; on every fold:
- the original tool's model is fitted with scikit-learn: StandardScaler + LogisticRegression()
  on the 101 raw run-queue counts; TfidfVectorizer() + RandomForestClassifier(100,
  random_state=42) on the opensnoop snippets' text (the vectoriser fitted on the fold's
  training snippets only);
- anomon's model is trained on the same rows by `anomon train` (logreg on the same counts;
  forest on the open_behaviour vectors that replay recorded from the same snippets) and
  judged by `anomon eval`, as the agent would.
A snippet that holds no parsable open gives anomon no window, hence no alarm: it counts as
judged normal. Prints "NAME accuracy f1" lines, means over the folds (F1 of the abnormal
class, 0 on a fold without predicted or true abnormal rows).

    quality_folds.py ANOMON RUNQLEN.csv SNIPPETS.jsonl WINDOWS0.jsonl WINDOWS1.jsonl SPAN_NS TMPDIR
"""
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FOLDS = StratifiedKFold(5, shuffle=True, random_state=0)


def scores(y, p):
    return accuracy_score(y, p), f1_score(y, p, zero_division=0)


def anomon_fold(anomon, model, train_file, test_file, tmp):
    """Train on train_file, then the agent's verdicts on test_file: [(tn, fp, fn, tp)]."""
    out = os.path.join(tmp, "fold-model.json")
    subprocess.run([anomon, "train", "--model", model, "--data", train_file, "--out", out,
                    "--seed", "0"], check=True, stdout=subprocess.DEVNULL)
    ev = subprocess.run([anomon, "eval", "--model", out, "--data", test_file, "--json"],
                        check=True, capture_output=True, text=True)
    c = json.loads(ev.stdout)["confusion"]
    return c["tn"], c["fp"], c["fn"], c["tp"]


def from_confusion(tn, fp, fn, tp):
    acc = (tn + tp) / (tn + fp + fn + tp)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return acc, f1


def runqlen(anomon, csv, tmp):
    data = pd.read_csv(csv)
    x, y = data.drop(columns="label").values, data["label"].values
    sk, ours = [], []
    for k, (tr, te) in enumerate(FOLDS.split(x, y)):
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x[tr], y[tr])
        sk.append(scores(y[te], model.predict(x[te])))
        trf, tef = os.path.join(tmp, f"rq-train{k}.csv"), os.path.join(tmp, f"rq-test{k}.csv")
        data.iloc[tr].to_csv(trf, index=False)
        data.iloc[te].to_csv(tef, index=False)
        ours.append(from_confusion(*anomon_fold(anomon, "logreg", trf, tef, tmp)))
    return np.mean(sk, axis=0), np.mean(ours, axis=0)


def opensnoop(anomon, snippets, windows, span_ns, tmp):
    data = pd.read_json(snippets, lines=True)
    text, y = data["log"].values, data["label"].values
    # Window k of the recorded vectors is snippet k: replay spread snippet k over
    # [start + k span, start + (k+1) span).
    rows = [json.loads(l) for f in windows for l in open(f) if l.strip()]
    start0 = min(r["start"] for r in rows)
    by_snippet = {(r["start"] - start0) // span_ns: r for r in rows}
    sk, ours = [], []
    for k, (tr, te) in enumerate(FOLDS.split(text, y)):
        model = make_pipeline(TfidfVectorizer(),
                              RandomForestClassifier(n_estimators=100, random_state=42))
        model.fit(text[tr], y[tr])
        sk.append(scores(y[te], model.predict(text[te])))
        files = []
        for part, idx in (("train", tr), ("test", te)):
            path = os.path.join(tmp, f"os-{part}{k}.jsonl")
            with open(path, "w") as f:
                for i in idx:
                    if i in by_snippet:
                        f.write(json.dumps(by_snippet[i]) + "\n")
            files.append(path)
        tn, fp, fn, tp = anomon_fold(anomon, "forest", files[0], files[1], tmp)
        # Snippets without a window: no verdict, no alarm.
        for i in te:
            if i not in by_snippet:
                if y[i]:
                    fn += 1
                else:
                    tn += 1
        ours.append(from_confusion(tn, fp, fn, tp))
    return np.mean(sk, axis=0), np.mean(ours, axis=0)


def main(argv):
    anomon, csv, snippets, w0, w1, span, tmp = argv[1:8]
    sk, ours = runqlen(anomon, csv, tmp)
    print(f"runqlen-sklearn {sk[0]:.3f} {sk[1]:.3f}")
    print(f"runqlen-anomon-samefolds {ours[0]:.3f} {ours[1]:.3f}")
    sk, ours = opensnoop(anomon, snippets, [w0, w1], int(span), tmp)
    print(f"opensnoop-sklearn {sk[0]:.3f} {sk[1]:.3f}")
    print(f"opensnoop-anomon-samefolds {ours[0]:.3f} {ours[1]:.3f}")


if __name__ == "__main__":
    main(sys.argv)
