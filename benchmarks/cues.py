"""What the cue words change (``cx_nlp/text/cues.py``), each lexicon on and off, through ``Analyzer.predict``.

    python benchmarks/cues.py                 # both lexicons
    python benchmarks/cues.py --max-per-file 300   # training-side rows per corpus (validation: all)

- **Sentence cues** (``cx_nlp/text/sentiment_cues.yaml``, Romanian and Polish): text sentiment macro-F1 on the
  ro and pl sentiment corpora, all validation rows (dev, or the hashed 10% of train never trained on) and a
  seeded sample of training-side rows (the side the word lists were mended on), with ``Analyzer.sentiment_cues`` set
  and unset. Binary corpora are scored negative-vs-positive.
- **Price cues** (``polarity_cues`` of ``price_value`` in the taxonomy): right polarity of the named gold
  ``price_value`` touchpoints on the aspect corpora's validation rows (less those that tuned the detector) and
  on training-side rows, with the taxonomy's cues and with a copy of the taxonomy without them.

Needs ``../shared/data`` (or ``CX_NLP_SHARED_DATA``). Embeddings are cached under ``artifacts/``.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sentence_table(an, df: pd.DataFrame) -> pd.DataFrame:
    from sklearn.metrics import f1_score

    from cx_nlp.heads import SENTIMENT_LABELS
    from cx_nlp.text.cues import sentiment_cues

    rows = []
    for on in (False, True):
        an.sentiment_cues = sentiment_cues() if on else None
        res = an.predict(df["text"].tolist())
        pred = []
        for r, binary in zip(res, df["binary"]):
            p = np.array([r.sentiment["scores"][lab] for lab in SENTIMENT_LABELS]) if r.sentiment else np.eye(3)[1]
            if binary:
                p[SENTIMENT_LABELS.index("neutral")] = 0.0
            pred.append(int(p.argmax()))
        d = df.assign(pred=pred)
        for (fold, file), g in d.groupby(["fold", "file"], sort=True):
            rows.append({"rows": fold, "corpus": file, "n": len(g), "cues": "on" if on else "off",
                         "macro_f1": f1_score(g["label"], g["pred"], average="macro")})
    t = pd.DataFrame(rows).pivot_table(index=["rows", "corpus", "n"], columns="cues", values="macro_f1").reset_index()
    return t.assign(change=t["on"] - t["off"])


def price_table(an, df: pd.DataFrame) -> pd.DataFrame:
    shipped = an.touchpoints.taxonomy
    rows = []
    try:
        for name, tax in (("off", shipped.without_polarity_cues()), ("on", shipped)):
            an.touchpoints.taxonomy = tax
            for fold, pol, r in zip(df["fold"], df["polarity"], an.predict(df["text"].tolist())):
                gold = (pol or {}).get("price_value")
                named = {t["name"]: t.get("sentiment") for t in r.touchpoints}
                if gold and "price_value" in named:
                    rows.append({"rows": fold, "cues": name, "right": named["price_value"] == gold})
    finally:
        an.touchpoints.taxonomy = shipped
    return (pd.DataFrame(rows).groupby(["cues", "rows"])["right"]
            .agg(**{"named price touchpoints": "size", "right polarity": "mean"}).reset_index())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--max-per-file", type=int, default=600, help="training-side rows per corpus (0 = all)")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    from cx_nlp import Analyzer
    from cx_nlp.cx.touchpoint_data import (ASPECT_FILES, INTENT_FILES, CachedEncoder, detector_tuning_rows,
                                           touchpoint_examples)
    from cx_nlp.training.corpora import sentiment_examples, shared_data_dir

    folder = shared_data_dir()
    if folder is None:
        print("../shared/data/train not found (set CX_NLP_SHARED_DATA)", file=sys.stderr)
        return 2
    an = Analyzer.load()
    an.encoder = CachedEncoder(an.encoder, ROOT / "artifacts", name="cues_bench_cache")

    def cap(d):  # validation rows are all scored; the training side is sampled
        if d["fold"].iat[0] == "valid" or not args.max_per_file:
            return d
        return d.sample(min(len(d), args.max_per_file), random_state=1)

    s = sentiment_examples(folder)
    s = s[s["lang"].isin(["ro", "pl"])]
    s = pd.concat([cap(g) for _, g in s.groupby(["fold", "file"])], ignore_index=True)
    print("Sentence cues (ro, pl): text sentiment macro-F1")
    print(sentence_table(an, s).to_string(index=False, float_format="%.4f"))

    t = touchpoint_examples(folder, taxonomy=an.touchpoints.taxonomy, files=ASPECT_FILES + INTENT_FILES)
    t = t[(t["file"] != "taxonomy") & t["labels"].map(lambda labels: "price_value" in labels)]
    t = t[(t["fold"] == "train") | ~detector_tuning_rows(t)].reset_index(drop=True)
    print("\nPrice cues: polarity of named gold price_value touchpoints (all languages)")
    print(price_table(an, t).to_string(index=False, float_format="%.4f"))
    an.encoder.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
