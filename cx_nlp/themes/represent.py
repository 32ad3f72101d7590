"""Theme labels: class-based TF-IDF keywords per language, a short unique name, representative sentences.

c-TF-IDF (as in BERTopic): all sentences of a theme form one class document; a term's weight in a
theme is its frequency there times ``log(1 + A / f)`` with ``A`` the average class size in words and
``f`` the term's frequency over all themes, so words said everywhere ("good", "staff" in a restaurant
export) do not label every theme. Terms are lemmas and 2-3-word phrases (``terms.py``), counted per
language: a theme that spans ro, pl and ru keeps keywords in each, and its name comes from the display
language (default: the dominant language of the collection).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

import numpy as np

from .terms import poor_name
from .terms import terms as extract_terms

__all__ = ["Representation", "ctfidf_keywords", "make_names"]

_SEP = "\x1f"


class Representation:
    """Per theme: ``keywords[lang]`` = [(surface, score, lemma key)], best first; ``langs`` = sentence counts."""

    def __init__(self, keywords: dict[int, dict[str, list[tuple[str, float]]]], langs: dict[int, Counter]):
        self.keywords = keywords
        self.langs = langs

    def display_keywords(self, t: int, display: str | None, top_n: int) -> tuple[list[str], set[str]]:
        """Theme ``t``'s best ``top_n`` keywords, the display language's first, then its other languages by
        sentence count; and those among them that should not lead its name (``terms.poor_name``)."""
        per = self.keywords.get(t, {})
        order = [display] + [lg for lg, _ in self.langs.get(t, Counter()).most_common() if lg != display]
        kws: list[str] = []
        avoid: set[str] = set()
        for lg in order:
            for w, _, key in per.get(lg, []):
                if w not in kws:
                    kws.append(w)
                    if poor_name(key):
                        avoid.add(w)
            if len(kws) >= top_n:
                break
        return kws[:top_n], avoid


def ctfidf_keywords(theme_of_unit: Sequence[int], texts: Sequence[str], langs: Sequence[str | None],
                    theme_ids: Sequence[int], top_n: int = 10, ngram_max: int = 3,
                    min_count: int = 2) -> Representation:
    """Keywords per theme and language from the units assigned to each theme (-1 units are ignored).

    A sentence repeated word for word (a pasted template, a signature, "Thank you!") counts once: a keyword
    must recur across different sentences, or one long repeated sentence names the theme it sits in."""
    from sklearn.feature_extraction.text import CountVectorizer

    ids = list(theme_ids)
    row = {t: i for i, t in enumerate(ids)}
    bags: list[list[str]] = [[] for _ in ids]
    surface: dict[str, Counter] = defaultdict(Counter)
    lang_count: dict[int, Counter] = {t: Counter() for t in ids}
    distinct: dict[int, Counter] = {t: Counter() for t in ids}
    said: set[tuple[int, str]] = set()
    for t, text, lang in zip(theme_of_unit, texts, langs):
        if t < 0 or t not in row:
            continue
        lang = lang or "und"
        lang_count[t][lang] += 1
        norm = " ".join(str(text).casefold().split())
        if (t, norm) in said:
            continue
        said.add((t, norm))
        distinct[t][lang] += 1
        seen: set[str] = set()
        for key, sur in extract_terms(text, lang, ngram_max=ngram_max):
            k = lang + _SEP + key
            surface[k][sur] += 1
            if k not in seen:  # sentence frequency: a word repeated in one sentence counts once
                seen.add(k)
                bags[row[t]].append(k)
    if not any(bags):
        return Representation({t: {} for t in ids}, lang_count)
    cv = CountVectorizer(analyzer=lambda bag: bag, lowercase=False)
    counts = cv.fit_transform(bags).astype(np.float64).tocsr()
    vocab = cv.get_feature_names_out()
    tf = counts.multiply(1.0 / np.maximum(counts.sum(axis=1), 1)).tocsr()
    total = np.asarray(counts.sum(axis=0)).ravel()
    avg = float(counts.sum()) / max(len(ids), 1)
    idf = np.log1p(avg / np.maximum(total, 1))
    scores = tf.multiply(idf).tocsr()
    out: dict[int, dict[str, list[tuple[str, float]]]] = {}
    for t in ids:
        i = row[t]
        lo, hi = scores.indptr[i], scores.indptr[i + 1]
        cols, vals = scores.indices[lo:hi], scores.data[lo:hi]
        cnt = counts[i].toarray().ravel()
        per_lang: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
        for c, v in zip(cols, vals):
            lang, key = vocab[c].split(_SEP, 1)
            # a keyword must recur in the theme (unless the theme is tiny): in >= 2 and >= 5% of its sentences
            n_lang = distinct[t][lang]
            if cnt[c] < max(min(min_count, max(1, n_lang // 2)), int(np.ceil(0.05 * n_lang))):
                continue
            per_lang[lang].append((key, float(v), surface[vocab[c]].most_common(1)[0][0]))
        kw = {}
        for lang, items in per_lang.items():
            items.sort(key=lambda x: (-x[1], x[0]))
            kw[lang] = _dedupe(items, top_n)
        out[t] = kw
    return Representation(out, lang_count)


def _dedupe(items: list[tuple[str, float, str]], top_n: int) -> list[tuple[str, float, str]]:
    """Drop a unigram already inside a better-ranked phrase, and a phrase that repeats its words."""
    picked: list[tuple[str, float, str]] = []
    for key, score, sur in items:
        words = key.split()
        if len(set(words)) < len(words):
            continue
        if any(key == p[0] or (len(words) == 1 and key in p[0].split()) for p in picked):
            continue
        picked.append((key, score, sur))
        if len(picked) >= top_n:
            break
    return [(sur, round(score, 5), key) for key, score, sur in picked]


def _clean_name(words: list[str]) -> str:
    s = " / ".join(words)
    return s[:1].upper() + s[1:] if s else s


def _pick(kws: list[str]) -> list[str]:
    """A leading phrase is a name on its own ("late delivery"); otherwise the two best words, where a
    phrase that contains an already chosen word replaces it ("arrived" + "arrived late" -> "arrived late")."""
    take: list[str] = []
    for k in kws:
        words = set(k.split())
        overlap = [x for x in take if set(x.split()) & words]
        if overlap:
            if len(overlap) == 1 and len(k.split()) > len(overlap[0].split()) and len(take) == 1:
                return [k]
            continue
        take.append(k)
        if len(k.split()) >= 2 and len(take) == 1:
            return take
        if len(take) == 2:
            break
    return take or kws[:1]


def make_names(keywords: dict[int, list[str]], fixed: dict[int, str] | None = None, max_words: int = 3,
               avoid: dict[int, set[str]] | None = None) -> dict[int, str]:
    """Short names from the best keywords, unique across themes. ``fixed``: user names, kept as given;
    ``avoid``: per theme, keywords that make poor names (evaluative words), used only when nothing else is left."""
    fixed = dict(fixed or {})
    names: dict[int, str] = {}
    used = {v.casefold() for v in fixed.values()}
    for t, kws in keywords.items():
        if t in fixed:
            names[t] = fixed[t]
            continue
        kws = [k for k in kws if k]
        bad = (avoid or {}).get(t) or set()
        kws = [k for k in kws if k not in bad] + [k for k in kws if k in bad]
        if not kws:
            base = f"Theme {t}"
        else:
            base = _clean_name(_pick(kws))
        name, k = base, 2 if kws else 0
        while name.casefold() in used and kws and k < min(len(kws), max_words + 2):
            k += 1
            name = _clean_name(kws[:k])
        if name.casefold() in used:
            n = 2
            while f"{base} ({n})".casefold() in used:
                n += 1
            name = f"{base} ({n})"
        used.add(name.casefold())
        names[t] = name
    return names
