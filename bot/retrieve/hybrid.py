"""Hybrid retrieval: fuse BM25 and dense scores, decide confidence and the "not sure" fallback.

Both raw scores are mapped onto [0, 1] first: cosine similarity linearly between a floor and a
ceiling (e5's cosines are compressed into roughly 0.8–0.95), BM25 by saturation s / (s + half).
The fused confidence is their weighted mean; reciprocal-rank fusion is available for
comparison. A question falls back when its best match is an out-of-scope topic or when the
confidence is below the mode's threshold. All constants come from ``Settings``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.corpus import Corpus
from bot.retrieve.bm25 import BM25Index
from bot.retrieve.dense import DenseIndex, Encoder
from bot.retrieve.docs import SearchDoc, search_docs
from bot.segment import Segmenter
from bot.settings import Settings

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60


def dense_confidence(cos: np.ndarray, floor: float, ceiling: float) -> np.ndarray:
    """Map cosine similarities linearly so that ``floor`` → 0 and ``ceiling`` → 1.

    Values above the ceiling are kept (not clipped) so that ranking never ties; the reported
    confidence is clipped to [0, 1] after fusion.
    """
    return np.maximum((cos - floor) / (ceiling - floor), 0.0)


def bm25_confidence(scores: np.ndarray, half: float) -> np.ndarray:
    """Map BM25 scores onto [0, 1): ``half`` is the score that maps to 0.5."""
    scores = np.maximum(scores, 0.0)
    return scores / (scores + half)


def weighted_fusion(dense: np.ndarray, sparse: np.ndarray, dense_weight: float) -> np.ndarray:
    return dense_weight * dense + (1.0 - dense_weight) * sparse


def rrf_fusion(*score_lists: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Reciprocal-rank fusion: sum of 1 / (k + rank) over the rankings (rank 1 = best)."""
    fused = np.zeros_like(score_lists[0], dtype=np.float64)
    for scores in score_lists:
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


@dataclass(frozen=True)
class Hit:
    """One ranked entry with its component confidences."""

    id: str
    score: float
    dense: float
    bm25: float


@dataclass
class RetrievalResult:
    """Ranked entries, the confidence of the best one, and whether to fall back."""

    mode: Mode
    hits: list[Hit]
    confidence: float
    fallback: bool
    reason: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class Retriever:
    """Owns both indexes; built once at start-up and shared by every request."""

    def __init__(self, corpus: Corpus, settings: Settings, segmenter: Segmenter | None = None,
                 encoder: Encoder | None = None, progress: bool = False) -> None:
        segmenter = segmenter or Segmenter()
        docs = search_docs(corpus)
        bm25 = BM25Index([segmenter.sparse_terms(d.sparse_text(), settings.bm25_char_bigrams) for d in docs])
        dense = DenseIndex.build(docs, encoder, settings.cache_dir, progress=progress) if encoder else None
        self._attach(settings, segmenter, corpus, docs, bm25, dense, encoder)

    @classmethod
    def from_indexes(cls, settings: Settings, segmenter: Segmenter, corpus: Corpus, docs: list[SearchDoc],
                     bm25: BM25Index, dense: DenseIndex | None, encoder: Encoder | None) -> Retriever:
        """A retriever over indexes built elsewhere (synthetic corpora in the scaling benchmark)."""
        self = cls.__new__(cls)
        self._attach(settings, segmenter, corpus, docs, bm25, dense, encoder)
        return self

    def _attach(self, settings: Settings, segmenter: Segmenter, corpus: Corpus, docs: list[SearchDoc],
                bm25: BM25Index, dense: DenseIndex | None, encoder: Encoder | None) -> None:
        self.settings, self.segmenter, self.docs = settings, segmenter, docs
        self.other_products = other_products(corpus)
        self.is_entry = np.array([d.kind == "entry" for d in docs])
        self.bm25, self.dense, self.encoder = bm25, dense, encoder

    @property
    def dense_available(self) -> bool:
        return self.dense is not None

    def modes(self) -> list[Mode]:
        return ["bm25", "dense", "hybrid"] if self.dense_available else ["bm25"]

    def raw_scores(self, query: str, mode: Mode, use_cache: bool = True) -> RawScores:
        """BM25 and cosine scores of every document (zeros for a component the mode does not use)."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        text = self.segmenter.normalize_for_match(query)  # once, for terms and the product check
        terms = self.segmenter.sparse_terms(text, self.settings.bm25_char_bigrams, normalized=True)
        t1 = time.perf_counter()
        timings["segment"] = t1 - t0
        n = len(self.docs)
        bm25 = self.bm25.scores(terms) if mode != "dense" else np.zeros(n)
        t2 = time.perf_counter()
        timings["bm25"] = t2 - t1
        cos = np.zeros(n)
        if mode != "bm25":
            assert self.encoder is not None and self.dense is not None
            qvec = self.encoder.encode_query(query, use_cache=use_cache)
            t3 = time.perf_counter()
            timings["embed"] = t3 - t2
            cos = self.dense.scores(qvec)
            timings["dense"] = time.perf_counter() - t3
        other = self.other_product(text, normalized=True)
        return RawScores(bm25, cos, bool(terms) or bool(query.strip()), timings, other)

    def search(self, query: str, mode: Mode | None = None, k: int = 5, use_cache: bool = True) -> RetrievalResult:
        """Rank entries for ``query``; falls back to BM25 when the dense index is unavailable."""
        mode = mode or self.settings.retrieval_mode
        if mode != "bm25" and self.dense is None:
            mode = "bm25"
        raw = self.raw_scores(query, mode, use_cache)
        t = time.perf_counter()
        result = rank(raw, self.docs, self.is_entry, self.settings, mode, k)
        result.timings = {**raw.timings, "fusion": time.perf_counter() - t}
        return result

    def other_product(self, query: str, normalized: bool = False) -> str | None:
        """The other product a question is about, if it names one and not this bot's product."""
        text = query if normalized else self.segmenter.normalize_for_match(query)
        if any(term in text for term in self.settings.product_terms):
            return None
        return next((label for label, names in self.other_products if any(n in text for n in names)), None)


def other_products(corpus: Corpus) -> list[tuple[str, tuple[str, ...]]]:
    """(label, product names) of the out-of-scope topics that name other products."""
    return [(o.label, o.mentions) for o in corpus.out_of_scope if o.mentions]


@dataclass
class RawScores:
    """Unnormalised scores of one query against every document."""

    bm25: np.ndarray
    cos: np.ndarray
    has_text: bool
    timings: dict[str, float] = field(default_factory=dict)
    other_product: str | None = None


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indexes of the ``n`` best scores, best first (ties keep document order)."""
    if n < len(scores):
        part = np.argpartition(-scores, n - 1)[:n]
        threshold = scores[part].min()
        part = np.flatnonzero(scores >= threshold)  # keep every tie at the boundary, in order
        return part[np.argsort(-scores[part], kind="stable")][:max(n, 1)]
    return np.argsort(-scores, kind="stable")


def rank(raw: RawScores, docs: list[SearchDoc], is_entry: np.ndarray, s: Settings, mode: Mode,
         k: int = 5) -> RetrievalResult:
    """Pure scoring step: normalise, fuse, order, and decide the fallback (used by tuning too)."""
    sparse = bm25_confidence(raw.bm25, s.bm25_half)
    dense = dense_confidence(raw.cos, s.dense_floor, s.dense_ceiling)
    if mode == "bm25":
        conf = sparse
    elif mode == "dense":
        conf = dense
    else:
        conf = weighted_fusion(dense, sparse, s.dense_weight)
    rank_key = rrf_fusion(dense, sparse) if (mode == "hybrid" and s.fusion == "rrf") else conf
    conf = np.minimum(conf, 1.0)
    order = _top(rank_key, k + int((~is_entry).sum()) + 1)
    best = int(order[0])
    entry_order = order[is_entry[order]][:k]
    hits = [Hit(docs[i].id, float(conf[i]), float(dense[i]), float(sparse[i])) for i in entry_order]
    confidence = float(conf[entry_order[0]]) if len(entry_order) else 0.0
    if not raw.has_text:
        fallback, reason = True, "empty"
    elif raw.other_product is not None:
        fallback, reason = True, f"other_product:{raw.other_product}"
    elif not is_entry[best]:
        fallback, reason = True, f"out_of_scope:{docs[best].title}"
    elif confidence < s.threshold(mode):
        fallback, reason = True, "low_confidence"
    else:
        fallback, reason = False, "match"
    return RetrievalResult(mode, hits, round(confidence, 4), fallback, reason)
