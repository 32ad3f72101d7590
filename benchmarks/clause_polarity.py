"""Touchpoint polarity in sentences that turn at "but": how much of the clause's reading to keep, and
when a neutral clause takes the polarity opposite the other clause's.

    python benchmarks/clause_polarity.py                    # weights 1, 0.75, 0.5, 0.25, 0; contrast 1, 0.8, 0.6, 0.5
    python benchmarks/clause_polarity.py --weights 1,0.25 --contrast 1,0.6

A sentence split at a contrastive conjunction gets a touchpoint pass per clause, so "delivery was late,
but support was great" reads each touchpoint in its own clause. Where the clauses name only one touchpoint
between them ("I called three times, but nobody picked up"), the clause that names it often states a fact
and reads neutral, while the whole sentence (what the aspect polarity head learned from) says how it went.
``Calibration.clause_weight`` is the clause's share of the reading there; the rest is the whole sentence's
reading of that touchpoint. Where the clauses name different touchpoints and one reads neutral ("the product
is excellent, but delivery took two weeks"), ``Calibration.contrast_confidence`` is how sure the other clause's
reading must be for the neutral one to take the opposite polarity (1: never).

Rows: aspect-corpus texts with a sentence that splits into two clauses and gold polarity per touchpoint,
from two parts that the aspect polarity head never trained on: the training-side calibration share that
tunes it (``part=cal``, where the weight is chosen) and the validation rows (``part=valid``, reported).
Scored: share of gold touchpoints that ``Result.touchpoints`` names with the right sentiment, split by
whether the text's gold polarities differ (``mixed``); plus the mixed reviews of
``tests/integration/test_touchpoints_e2e.py`` (both touchpoints right): the ten the rules were designed on
(``MIXED``) and 25 written after (``MIXED_MORE``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration"))


def two_clause_rows(taxonomy) -> pd.DataFrame:
    from cx_nlp.cx.touchpoint_data import row_groups, touchpoint_examples
    from cx_nlp.cx.touchpoints import (
        POLARITY_CALIBRATION,
        POLARITY_SEED,
        _calibration_split,
    )
    from cx_nlp.text import segment, split_clauses
    from cx_nlp.training.corpora import shared_data_dir

    folder = shared_data_dir()
    if folder is None:
        sys.exit("../shared/data/train not found")
    d = touchpoint_examples(folder, taxonomy)
    d = d[d["file"] != "taxonomy"].reset_index(drop=True)
    valid = (d["fold"] == "valid").to_numpy()
    # the same draw fit_polarity makes (by review / translation group)
    cal = _calibration_split(len(d), ~valid, row_groups(d), POLARITY_CALIBRATION, POLARITY_SEED)
    d["part"] = np.where(valid, "valid", np.where(cal, "cal", "fit"))
    d = d[(d["part"] != "fit") & d["polarity"].map(lambda p: isinstance(p, dict) and len(p) > 0)]
    two = [max((len(split_clauses(t, s, lang)) for s in segment(t, lang)), default=1) == 2
           for t, lang in zip(d["text"], d["lang"])]
    d = d[two].reset_index(drop=True)
    d["mixed"] = d["polarity"].map(lambda p: len(set(p.values())) > 1)
    return d


def score(an, d: pd.DataFrame, review_sets) -> str:
    """One table row's cells: accuracy on the calibration and validation rows, and each set of mixed reviews."""
    # the tests' check: each gold touchpoint named with its polarity
    from test_touchpoints_e2e import _has_all

    rows = []
    for (part, lang, mixed, pol), r in zip(zip(d["part"], d["lang"], d["mixed"], d["polarity"]),
                                           an.predict(d["text"].tolist())):
        named = {t["name"]: t.get("sentiment") for t in r.touchpoints}
        rows += [(part, lang, mixed, named[tp] == g) for tp, g in pol.items() if tp in named]
    x = pd.DataFrame(rows, columns=["part", "lang", "mixed", "ok"])

    def acc(m) -> str:
        return f"{x.loc[m, 'ok'].mean():.3f} ({int(m.sum())})"
    cal, val = x["part"] == "cal", x["part"] == "valid"
    cells = [acc(cal), acc(cal & x["mixed"]), acc(val), acc(val & x["mixed"]), acc(val & (x["lang"] == "en")),
             acc(val & (x["lang"] == "ru"))]
    for reviews in review_sets:
        ok = sum(_has_all(r, gold)[0] for (_, _, gold), r in zip(reviews, an.predict([t for _, t, _ in reviews])))
        cells.append(f"{ok}/{len(reviews)}")
    return " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", default="1,0.75,0.5,0.25,0")
    ap.add_argument("--contrast", default="1,0.8,0.6,0.5")
    args = ap.parse_args()
    from test_touchpoints_e2e import MIXED, MIXED_MORE

    from cx_nlp import Analyzer

    an = Analyzer.load()
    calib = an.touchpoints.calibration
    d = two_clause_rows(an.touchpoints.taxonomy)
    print("rows:", d.groupby(["part", "lang"]).size().to_dict(), flush=True)
    header = "| cal | cal, mixed | valid | valid, mixed | valid en | valid ru | mixed reviews | more mixed reviews |"
    # one table per setting, the other held at the shipped value
    for name, values, held in (("clause_weight", args.weights, "contrast_confidence"),
                               ("contrast_confidence", args.contrast, "clause_weight")):
        shipped = getattr(calib, name)
        print(f"\n{held} = {getattr(calib, held):g}\n\n| {name} {header}\n" + "|---" * 9 + "|")
        for v in (float(x) for x in values.split(",")):
            setattr(calib, name, v)
            print(f"| {v:g} | {score(an, d, (MIXED, MIXED_MORE))}", flush=True)
        setattr(calib, name, shipped)


if __name__ == "__main__":
    main()
