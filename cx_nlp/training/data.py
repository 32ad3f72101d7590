"""Read a user's labeled file and turn its label column into training targets.

Inputs: CSV/TSV, Excel, JSONL, Parquet (through ``cx_nlp.io.readers``) or a Hugging Face ``datasets``
folder (``save_to_disk``). Any label set works:

- **single-label**: one class per row (``"delivery"``; numbers that are class ids, e.g. ``0/1``);
- **multi-label**: a list (JSONL/Parquet list, or a JSON list string ``'["a", "b"]'``) or a delimited
  string (``"delivery|price"``; the delimiter is detected among ``| ; ,`` or given);
- **rating** 1..5 → sentiment: 1-2 negative, 3 neutral, 4-5 positive (halves: <=2.5 negative, >=3.5 positive);
- **NPS** 0..10 → sentiment: 0-6 negative (detractor), 7-8 neutral (passive), 9-10 positive (promoter);
- sentiment words (``pos``/``neg``/``neutral``/``positive``...) → the default ``negative/neutral/positive``.

Automatic detection (``kind="auto"``), in this order: list values → multi; numeric values in a column
whose name says nps/recommend → NPS; numeric values 1..5 (at least 3 distinct, or a rating/stars name) →
rating; numeric 0..10 with values above 5 and at least 4 distinct → NPS; sentiment words → sentiment;
a delimiter whose parts recur across rows → multi; else single. A column whose name says
id/class/category/label/topic/intent is never read as a rating. ``kind=`` overrides all of it.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import CxError
from ..heads import SENTIMENT_LABELS

LABEL_COLUMN_NAMES = ["label", "labels", "target", "class", "category", "categories", "topic", "topics",
                      "tags", "tag", "intent", "sentiment", "polarity", "rating", "stars", "score", "nps",
                      "emotion", "emotions", "aspect", "aspects", "touchpoint", "touchpoints"]
LANG_COLUMN_NAMES = ["lang", "language", "locale", "lang_code", "language_code"]
SPLIT_COLUMN_NAMES = ["split", "fold", "subset", "partition"]
SPLIT_VALUES = {"train": "train", "training": "train", "valid": "valid", "validation": "valid", "val": "valid",
                "dev": "valid", "development": "valid", "eval": "valid", "test": "test", "testing": "test"}
SENTIMENT_SYNONYMS = {
    "negative": "negative", "neg": "negative", "bad": "negative", "-1": "negative",
    "neutral": "neutral", "neu": "neutral", "mixed": "neutral",
    "positive": "positive", "pos": "positive", "good": "positive",
}
_CLASS_NAME = re.compile(r"(^|_)(id|class|category|cat|label|labels|topic|topics|intent|tag|tags|code)($|_)", re.I)
_RATING_NAME = re.compile(r"rating|stars?|score|grade|rate", re.I)
_NPS_NAME = re.compile(r"nps|recommend|likelihood", re.I)
DELIMITERS = ("|", ";", ",")


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:
        return bool(pd.isna(v)) if np.isscalar(v) else False
    except (TypeError, ValueError):
        return False


def _listlike(v: Any) -> list | None:
    """A list value, or a JSON list written as a string; None otherwise."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, str):
        s = v.strip()
        if s.startswith("[") and s.endswith("]"):
            try:
                out = json.loads(s)
            except ValueError:
                return None
            return out if isinstance(out, list) else None
    return None


def _as_number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, str):
        try:
            f = float(v.strip().replace(",", "."))
        except ValueError:
            return None
        return None if math.isnan(f) or math.isinf(f) else f
    return None


def _label_text(v: Any) -> str:
    """One class name: numbers that are whole become ``"3"`` not ``"3.0"``."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, str):
        f = _as_number(v)
        if f is not None and f.is_integer() and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", v):
            return str(int(f))
        return v.strip()
    return str(v).strip()


def rating_to_sentiment(r: float) -> str | None:
    """1-2 negative, 3 neutral, 4-5 positive; None outside 1..5."""
    if r is None or not (1 <= r <= 5):
        return None
    return "negative" if r <= 2.5 else "positive" if r >= 3.5 else "neutral"


def nps_to_sentiment(r: float) -> str | None:
    """NPS: 0-6 detractor (negative), 7-8 passive (neutral), 9-10 promoter (positive); None outside 0..10."""
    if r is None or not (0 <= r <= 10):
        return None
    return "negative" if r < 6.5 else "neutral" if r < 8.5 else "positive"


@dataclass
class LabelSpec:
    """How a label column becomes targets; saved with the model so ``cx-nlp eval`` reads data the same way."""
    kind: str                       # "single" | "multi"
    labels: list[str]
    source: str = "labels"          # "labels" | "rating" | "nps" | "sentiment"
    sep: str | None = None          # multi-label delimiter of string cells (None: list values)
    dropped_labels: dict[str, int] = field(default_factory=dict)  # too rare to learn, with their counts

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "LabelSpec":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    # ------------------------------------------------------------------ one cell -> label names
    def parse(self, v: Any) -> list[str] | None:
        """The label names of one cell; None = no usable label (the row is skipped)."""
        if self.source in ("rating", "nps"):
            if _missing(v):
                return None
            f = _as_number(v)
            lab = (rating_to_sentiment if self.source == "rating" else nps_to_sentiment)(f) if f is not None else None
            return [lab] if lab else None
        if self.kind == "multi":
            lst = _listlike(v)
            if lst is not None:
                return [_label_text(x) for x in lst if not _missing(x)]
            if _missing(v):
                return []  # an empty multi-label cell: none of the labels applies
            parts = str(v).split(self.sep) if self.sep else [str(v)]
            return [p.strip() for p in parts if p.strip()]
        if _missing(v):
            return None
        lst = _listlike(v)
        if lst is not None:
            return [_label_text(lst[0])] if len(lst) == 1 else None
        lab = _label_text(v)
        if self.source == "sentiment":
            lab = SENTIMENT_SYNONYMS.get(lab.lower())
            return [lab] if lab else None
        return [lab]

    def encode(self, values: Iterable[Any]) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """(targets, keep, unknown): class ids (single) or (n, k) 0/1 floats (multi) for the kept rows.

        ``unknown`` counts label names outside ``labels`` (rows of an unknown single label are dropped;
        unknown names in a multi-label cell are ignored).
        """
        index = {lab: i for i, lab in enumerate(self.labels)}
        keep, ys, unknown = [], [], {}
        for v in values:
            labs = self.parse(v)
            if labs is None:
                keep.append(False)
                continue
            if self.kind == "single":
                i = index.get(labs[0])
                if i is None:
                    unknown[labs[0]] = unknown.get(labs[0], 0) + 1
                    keep.append(False)
                    continue
                ys.append(i)
            else:
                row = np.zeros(len(self.labels), dtype=np.float32)
                for lab in labs:
                    if lab in index:
                        row[index[lab]] = 1.0
                    else:
                        unknown[lab] = unknown.get(lab, 0) + 1
                ys.append(row)
            keep.append(True)
        keep_a = np.asarray(keep, dtype=bool)
        if self.kind == "single":
            y = np.asarray(ys, dtype=np.int64)
        else:
            y = np.stack(ys) if ys else np.zeros((0, len(self.labels)), dtype=np.float32)
        return y, keep_a, unknown


def _detect_sep(values: list[str]) -> str | None:
    """A delimiter whose parts recur: at least half of the parts are also whole labels of other rows or
    occur in two or more distinct delimited cells (``"delivery|price"`` beside ``"delivery"``), while a
    single label that merely contains a comma (``"Price, value"``) has parts seen nowhere else."""
    distinct = set(values)
    for sep in DELIMITERS:
        cells = {v for v in distinct if sep in v}
        n_with = sum(1 for v in values if sep in v)
        if n_with < max(2, 0.05 * len(values)) or not cells:
            continue
        whole = {v.strip() for v in distinct if sep not in v}
        seen: dict[str, int] = {}
        for c in cells:
            for part in {p.strip() for p in c.split(sep) if p.strip()}:
                seen[part] = seen.get(part, 0) + 1
        if not seen or any(len(p) > 60 for p in seen):
            continue
        recurring = sum(1 for p, k in seen.items() if k >= 2 or p in whole)
        if recurring >= 0.5 * len(seen):
            return sep
    return None


def infer_spec(values: pd.Series, name: str = "", kind: str = "auto", sep: str | None = None,
               min_count: int = 2) -> LabelSpec:
    """Work out how to read a label column (see the module docstring for the rules)."""
    kinds = ("auto", "single", "multi", "rating", "nps", "sentiment")
    if kind not in kinds:
        raise ValueError(f"[E301] label kind must be one of {kinds}, not {kind!r}")
    present = [v for v in values.tolist() if not _missing(v)]
    if not present:
        raise CxError("E501", f"label column {name!r} is empty")
    spec: LabelSpec | None = None
    if kind in ("rating", "nps"):
        spec = LabelSpec("single", list(SENTIMENT_LABELS), source=kind)
    elif kind == "sentiment":
        spec = LabelSpec("single", list(SENTIMENT_LABELS), source="sentiment")
    elif kind == "multi" or (kind == "auto" and (sep is not None or any(_listlike(v) is not None
                                                                        for v in present[:2000]))):
        has_lists = any(_listlike(v) is not None for v in present[:2000])
        use_sep = None if has_lists else (sep or _detect_sep([str(v) for v in present]) or ",")
        spec = LabelSpec("multi", [], sep=use_sep)
    elif kind == "auto":
        nums = [_as_number(v) for v in present]
        class_named = bool(_CLASS_NAME.search(name or ""))
        if all(x is not None for x in nums) and not class_named:
            arr = np.asarray(nums)
            distinct = len(np.unique(arr))
            if _NPS_NAME.search(name or "") and arr.min() >= 0 and arr.max() <= 10:
                spec = LabelSpec("single", list(SENTIMENT_LABELS), source="nps")
            elif arr.min() >= 1 and arr.max() <= 5 and (distinct >= 3 or _RATING_NAME.search(name or "")):
                spec = LabelSpec("single", list(SENTIMENT_LABELS), source="rating")
            elif arr.min() >= 0 and arr.max() <= 10 and arr.max() > 5 and distinct >= 4:
                spec = LabelSpec("single", list(SENTIMENT_LABELS), source="nps")
        if spec is None:
            texts = [_label_text(v) for v in present]
            lowered = {t.lower() for t in texts}
            if lowered <= set(SENTIMENT_SYNONYMS) and len({SENTIMENT_SYNONYMS[t] for t in lowered}) >= 2 \
                    and not all(t.lstrip("-").isdigit() for t in lowered):
                spec = LabelSpec("single", list(SENTIMENT_LABELS), source="sentiment")
            else:
                found = _detect_sep(texts)
                spec = LabelSpec("multi", [], sep=found) if found else LabelSpec("single", [])
    else:  # kind == "single"
        spec = LabelSpec("single", [])
    # The label set: what the column holds, in a stable order, minus labels too rare to learn.
    counts: dict[str, int] = {}
    for v in present:
        for lab in spec.parse(v) or []:
            counts[lab] = counts.get(lab, 0) + 1
    if spec.source in ("rating", "nps", "sentiment"):
        order = [lab for lab in SENTIMENT_LABELS if lab in counts]
        if spec.source in ("rating", "nps"):
            order = list(SENTIMENT_LABELS)  # a rating scale always has three classes
    else:
        order = sorted(counts, key=lambda s: (s.casefold(), s))
    rare = {lab: counts.get(lab, 0) for lab in order if counts.get(lab, 0) < min_count}
    spec.labels = [lab for lab in order if lab not in rare or spec.source in ("rating", "nps")]
    spec.dropped_labels = {k: v for k, v in rare.items() if k not in spec.labels}
    if len(spec.labels) < 2 and spec.kind == "single":
        raise CxError("E501", f"label column {name!r} has fewer than two classes with {min_count}+ rows: {counts}")
    if not spec.labels:
        raise CxError("E501", f"label column {name!r} has no label with {min_count}+ rows: {counts}")
    return spec


# ---------------------------------------------------------------------------------------------- reading
def _is_datasets_folder(p: Path) -> bool:
    return p.is_dir() and any((p / f).is_file() for f in ("dataset_info.json", "state.json", "dataset_dict.json"))


def read_any(path: str | Path, text_col: str | None = None) -> pd.DataFrame:
    """A whole labeled table as a DataFrame (a ``datasets`` folder gets a ``split`` column per split)."""
    p = Path(path)
    if _is_datasets_folder(p):
        try:
            from datasets import load_from_disk
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise CxError("E501", f"{p} is a Hugging Face datasets folder but `datasets` is not installed",
                          hint="pip install 'cx-nlp[train]'") from exc
        ds = load_from_disk(str(p))
        from datasets import DatasetDict

        if isinstance(ds, DatasetDict):
            frames = []
            for split in ds.keys():
                df = ds[split].to_pandas()
                df["split"] = split
                frames.append(df)
            return pd.concat(frames, ignore_index=True)
        return ds.to_pandas()
    if p.is_dir():
        raise CxError("E501", f"{p} is a folder but not a `datasets` folder (no dataset_info.json/state.json)")
    from ..io.readers import read_table

    return read_table(p, text_col=text_col, detect_text=text_col is None).read()


def _pick(columns: list[str], names: list[str]) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def detect_text_column(df: pd.DataFrame) -> str:
    from ..io.columns import detect_text_column as detect

    col = detect(df.head(500))
    if col is None:
        raise CxError("E404", f"none of the columns {list(df.columns)} holds free text", hint="pass --text-col")
    return col


def detect_label_column(df: pd.DataFrame, text_col: str) -> str:
    col = _pick([c for c in df.columns if c != text_col], LABEL_COLUMN_NAMES)
    if col is None:
        raise CxError("E501", f"no label column found among {list(df.columns)}",
                      hint="name it with --label-col (e.g. --label-col topic)")
    return col


def detect_lang_column(df: pd.DataFrame) -> str | None:
    col = _pick(list(df.columns), LANG_COLUMN_NAMES)
    if col is None:
        return None
    vals = df[col].dropna().astype(str).str.strip()
    # a language column holds short codes (en, pt-BR), not free text
    return col if len(vals) and (vals.str.len() <= 8).mean() > 0.95 else None


def detect_split_column(df: pd.DataFrame) -> str | None:
    col = _pick(list(df.columns), SPLIT_COLUMN_NAMES)
    if col is None:
        return None
    vals = set(df[col].dropna().astype(str).str.strip().str.lower())
    return col if vals and vals <= set(SPLIT_VALUES) and "train" in {SPLIT_VALUES[v] for v in vals} else None


def normalise_split(values: pd.Series) -> np.ndarray:
    out = []
    for v in values.tolist():
        s = "" if _missing(v) else str(v).strip().lower()
        if s not in SPLIT_VALUES:
            raise CxError("E501", f"split column value {v!r} is not one of {sorted(SPLIT_VALUES)}")
        out.append(SPLIT_VALUES[s])
    return np.asarray(out)


# ---------------------------------------------------------------------------------------------- splits
def stratify_keys(y: np.ndarray, kind: str) -> np.ndarray:
    """Single-label: the class. Multi-label: the row's rarest label (or -1 for rows without labels)."""
    if kind == "single":
        return y.astype(np.int64)
    freq = y.sum(0)
    out = np.full(len(y), -1, dtype=np.int64)
    for i, row in enumerate(y):
        on = np.flatnonzero(row > 0.5)
        if len(on):
            out[i] = int(on[np.argmin(freq[on])])
    return out


def stratified_split(keys: np.ndarray, valid_fraction: float = 0.15, seed: int = 13) -> np.ndarray:
    """A boolean "is validation" mask: ``valid_fraction`` of each stratum (>= 1 row of every stratum with
    2+ rows, never all of one), seeded and independent of row order within a stratum's sorted positions."""
    if not 0 < valid_fraction < 1:
        raise ValueError("[E301] valid_fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    valid = np.zeros(len(keys), dtype=bool)
    for k in np.unique(keys):
        idx = np.flatnonzero(keys == k)
        if len(idx) < 2:
            continue
        n_v = min(max(1, int(round(valid_fraction * len(idx)))), len(idx) - 1)
        valid[rng.permutation(idx)[:n_v]] = True
    return valid


# ---------------------------------------------------------------------------------------------- weights
def class_weights(y: np.ndarray, kind: str, mode: str = "balanced") -> tuple[np.ndarray, np.ndarray | None]:
    """(row weights, multi-label positive weights).

    ``balanced``: a class weighs n / (k * count) (every class counts as much in the loss: macro-F1 is
    what users read); ``sqrt``: the square root of that (milder); ``none``: all ones. Multi-label rows
    keep weight 1 and each label's positives weigh sqrt(negatives / positives), clipped to [1, 30].
    Row weights are scaled to mean 1 so the learning rate means the same whatever the imbalance.
    """
    if mode not in ("balanced", "sqrt", "none"):
        raise ValueError(f"[E301] class_weight must be 'balanced', 'sqrt' or 'none', not {mode!r}")
    n = len(y)
    if kind == "single":
        if mode == "none" or n == 0:
            return np.ones(n, dtype=np.float32), None
        k = int(y.max()) + 1 if n else 0
        counts = np.bincount(y, minlength=k).astype(np.float64)
        present = counts > 0
        per = np.zeros(k)
        per[present] = n / (present.sum() * counts[present])
        if mode == "sqrt":
            per = np.sqrt(per)
        w = per[y]
        return (w / w.mean()).astype(np.float32), None
    w = np.ones(n, dtype=np.float32)
    if mode == "none":
        return w, None
    pos = y.sum(0)
    neg = n - pos
    pw = np.sqrt(np.where(pos > 0, neg / np.maximum(pos, 1), 1.0))
    if mode == "sqrt":
        pw = np.sqrt(pw)
    return w, np.clip(pw, 1.0, 30.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------- one call
@dataclass
class LabeledData:
    """Texts with targets, their fold (train/valid/test) and language (given or None = detect)."""
    texts: list[str]
    y: np.ndarray
    spec: LabelSpec
    fold: np.ndarray
    lang: list[str | None]
    text_col: str
    label_col: str
    dropped: dict[str, int]           # why rows were left out -> count
    unknown_labels: dict[str, int]
    split_source: str                 # "valid file" | "split column <c>" | "stratified <f>"
    rows: np.ndarray | None = None    # positions of the kept rows in the input (data, then valid) table


def _clean_texts(df: pd.DataFrame, text_col: str) -> tuple[list, np.ndarray]:
    texts = df[text_col].tolist()
    ok = np.asarray([isinstance(t, str) and bool(t.strip()) for t in texts], dtype=bool)
    return texts, ok


def load_labeled(data: str | Path | pd.DataFrame, text_col: str | None = None, label_col: str | None = None,
                 valid: str | Path | pd.DataFrame | None = None, split_col: str | None = None,
                 lang_col: str | None = None, kind: str = "auto", sep: str | None = None,
                 spec: LabelSpec | None = None, valid_fraction: float = 0.15, seed: int = 13,
                 min_count: int = 2, split: bool = True) -> LabeledData:
    """Read, pick columns, parse labels and assign folds. ``spec`` (from a trained model) fixes the labels.

    ``split=False`` (evaluation): every usable row gets fold ``"eval"``.
    """
    df = data.copy() if isinstance(data, pd.DataFrame) else read_any(data, text_col)
    df = df.reset_index(drop=True)
    source = "stratified"
    if valid is not None:
        dv = valid.copy() if isinstance(valid, pd.DataFrame) else read_any(valid, text_col)
        df = pd.concat([df.assign(__fold="train"), dv.assign(__fold="valid")], ignore_index=True)
        source = "valid file"
    if text_col is None:
        text_col = detect_text_column(df.drop(columns=["__fold"], errors="ignore"))
    elif text_col not in df.columns:
        raise CxError("E403", f"no column {text_col!r}; the columns are {list(df.columns)}")
    if label_col is None:
        label_col = detect_label_column(df, text_col)
    elif label_col not in df.columns:
        raise CxError("E403", f"no label column {label_col!r}; the columns are {list(df.columns)}")
    if lang_col is None:
        lang_col = detect_lang_column(df)
    elif lang_col not in df.columns:
        raise CxError("E403", f"no language column {lang_col!r}; the columns are {list(df.columns)}")
    if valid is None and split:
        if split_col is None:
            split_col = detect_split_column(df)
        elif split_col not in df.columns:
            raise CxError("E403", f"no split column {split_col!r}; the columns are {list(df.columns)}")
        if split_col is not None:
            df["__fold"] = normalise_split(df[split_col])
            source = f"split column {split_col!r}"
    texts, ok_text = _clean_texts(df, text_col)
    dropped = {"empty_text": int((~ok_text).sum())}
    fit_rows = df["__fold"].ne("test").to_numpy() if "__fold" in df else np.ones(len(df), bool)
    if spec is None:
        spec = infer_spec(df.loc[ok_text & fit_rows, label_col], name=str(label_col), kind=kind, sep=sep,
                          min_count=min_count)
    cand = np.flatnonzero(ok_text)
    y, keep, unknown = spec.encode(df[label_col].to_numpy()[cand].tolist())
    unknown_rows = int(sum(unknown.values())) if spec.kind == "single" else 0
    dropped["unknown_label"] = unknown_rows
    dropped["no_label"] = int((~keep).sum()) - unknown_rows
    use = np.zeros(len(df), dtype=bool)
    use[cand[keep]] = True
    rows = np.flatnonzero(use)
    if len(rows) < 10:
        raise CxError("E501", f"only {len(rows)} usable labeled rows (need at least 10)", hint=str(dropped))
    if not split:
        fold = np.full(len(rows), "eval", dtype=object)
        source = "none (evaluation)"
    elif "__fold" in df:
        fold = df["__fold"].to_numpy()[rows].astype(object)
    else:
        fold = np.where(stratified_split(stratify_keys(y, spec.kind), valid_fraction, seed), "valid", "train")
        fold = fold.astype(object)
        source = f"stratified {valid_fraction:g}"
    if split and not (fold == "train").any():
        raise CxError("E501", "no training rows")
    if split and not (fold == "valid").any():
        raise CxError("E501", "no validation rows", hint="pass --valid FILE or a split column, or more rows")
    langs: list[str | None]
    if lang_col is not None:
        langs = [None if _missing(v) else str(v).strip().lower() for v in df[lang_col].to_numpy()[rows]]
    else:
        langs = [None] * len(rows)
    return LabeledData(texts=[texts[i] for i in rows], y=y, spec=spec, fold=fold, lang=langs,
                       text_col=str(text_col), label_col=str(label_col), dropped={k: v for k, v in dropped.items() if v},
                       unknown_labels=unknown, split_source=source, rows=rows)


def head_name_for(label_col: str, spec: LabelSpec) -> str:
    """A file-safe head name from the label column (``"Topic (main)"`` -> ``"topic_main"``).

    A rating column gives a custom head (``rating``) beside the default sentiment head; pass
    ``head_name="sentiment"`` to replace the default sentiment head with it instead."""
    name = re.sub(r"[^0-9a-zA-Z]+", "_", label_col).strip("_").lower() or "custom"
    if name[0].isdigit():
        name = "h_" + name
    return name
