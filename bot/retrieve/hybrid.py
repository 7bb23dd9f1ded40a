"""Hybrid retrieval: fuse BM25 and dense scores, resolve documents to intents, decide confidence.

Both raw scores are mapped onto [0, 1] first: cosine similarity linearly between a floor and a
ceiling (e5's cosines are compressed into roughly 0.8–0.95), BM25 by saturation s / (s + half).
The fused confidence is their weighted mean; reciprocal-rank fusion is available for comparison.
Documents then resolve to their target (an evidence paragraph to the intent it supports), each
target keeping its best document. Retrieval falls back when the best target is an out-of-scope
topic or its confidence is below the mode's threshold; rules about the message itself (another
product, "I am not overdue") belong to the reply policy. All constants come from ``Settings``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np

from bot.corpus import Corpus, Scope
from bot.model.lean import sha256_file
from bot.retrieve.bm25 import BM25Index
from bot.retrieve.dense import DenseIndex, Encoder
from bot.retrieve.docs import SearchDoc, docs_fingerprint, search_docs
from bot.segment import Segmenter
from bot.settings import Settings

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "bm25", "dense"]
CHECKSUMS = "checksums.json"
RRF_K = 60


class Miss(StrEnum):
    """Why retrieval found no answer."""

    EMPTY = "empty"
    OUT_OF_SCOPE = "out_of_scope"
    LOW_CONFIDENCE = "low_confidence"


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
    """One ranked intent with its component confidences and the document that matched it."""

    id: str
    score: float
    dense: float
    bm25: float
    via: str


@dataclass
class RetrievalResult:
    """Ranked intents, the confidence of the best one, and whether retrieval found no answer."""

    mode: Mode
    hits: list[Hit]
    confidence: float
    miss: Miss | None
    scope: Scope | None = None
    """The out-of-scope topic's scope rule when ``miss`` is OUT_OF_SCOPE."""
    evidence: dict[str, float] = field(default_factory=dict)
    """Confidence of every evidence document among the candidates (for citations)."""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def fallback(self) -> bool:
        return self.miss is not None

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass
class RawScores:
    """Unnormalised scores of one query against its candidate documents (indexes into the doc list)."""

    cand: np.ndarray
    bm25: np.ndarray
    cos: np.ndarray
    has_text: bool
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DocTable:
    """Per-document facts the ranking needs, as arrays."""

    docs: Sequence[SearchDoc]
    target: np.ndarray  # target index per document
    target_ids: list[str]
    target_is_intent: np.ndarray
    target_scope: list[Scope | None]
    is_evidence: np.ndarray

    @classmethod
    def build(cls, docs: list[SearchDoc]) -> DocTable:
        ids: dict[str, int] = {}
        scopes: list[Scope | None] = []
        kinds: list[bool] = []
        for d in docs:
            if d.target not in ids:
                ids[d.target] = len(ids)
                scopes.append(d.scope)
                kinds.append(d.kind != "oos")
        target = np.array([ids[d.target] for d in docs], dtype=np.int64)
        return cls(docs, target, list(ids), np.array(kinds), scopes, np.array([d.kind == "evidence" for d in docs]))


class Retriever:
    """Owns both indexes; built once at start-up and shared by every request."""

    def __init__(self, corpus: Corpus, settings: Settings, segmenter: Segmenter | None = None,
                 encoder: Encoder | None = None, progress: bool = False) -> None:
        segmenter = segmenter or Segmenter()
        docs = search_docs(corpus)
        bm25 = sparse_index(docs, segmenter, settings)
        dense = DenseIndex.build(docs, encoder, settings.cache_dir, progress=progress,
                                 ann_min_units=settings.ann_min_units) if encoder else None
        self._attach(settings, segmenter, docs, bm25, dense, encoder)

    @classmethod
    def from_indexes(cls, settings: Settings, segmenter: Segmenter, docs: Sequence[SearchDoc],
                     bm25: BM25Index, dense: DenseIndex | None, encoder: Encoder | None,
                     table: DocTable | None = None) -> Retriever:
        """A retriever over indexes built elsewhere (synthetic corpora in the scaling benchmark)."""
        self = cls.__new__(cls)
        self._attach(settings, segmenter, docs, bm25, dense, encoder, table)
        return self

    def _attach(self, settings: Settings, segmenter: Segmenter, docs: Sequence[SearchDoc], bm25: BM25Index,
                dense: DenseIndex | None, encoder: Encoder | None, table: DocTable | None = None) -> None:
        self.settings, self.segmenter, self.docs = settings, segmenter, docs
        self.table = table or DocTable.build(list(docs))
        self.bm25, self.dense, self.encoder = bm25, dense, encoder
        # out-of-scope topics always compete when they are few; in a large corpus with many of them
        # they compete through each side's top-k like every other document (else every query would
        # score them all)
        oos = np.flatnonzero(~self.table.target_is_intent[self.table.target])
        self._oos_docs = oos if len(oos) <= settings.candidates else np.zeros(0, dtype=np.int64)
        self._sparse_pool = ThreadPoolExecutor(2, thread_name_prefix="sparse")

    def _timed_sparse_top(self, terms: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray, float]:
        t = time.perf_counter()
        top, scores = self.bm25.top_k(terms, k)
        return top, scores, time.perf_counter() - t

    @property
    def dense_available(self) -> bool:
        return self.dense is not None

    def modes(self) -> list[Mode]:
        return ["bm25", "dense", "hybrid"] if self.dense_available else ["bm25"]

    def raw_scores(self, text: str, match_text: str, mode: Mode, use_cache: bool = True) -> RawScores:
        """BM25 and cosine scores of the candidate documents (zeros for a component the mode does not use).

        ``text`` is the normalised message (what the encoder reads), ``match_text`` the same with
        synonyms mapped (what BM25 reads); both come from the message's one understanding. A small
        corpus has every document as a candidate; a large one the union of each side's top-k (and
        the out-of-scope topics), each candidate scored exactly by both sides.
        """
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        terms = self.segmenter.sparse_terms(match_text, self.settings.bm25_char_bigrams, normalized=True)
        t1 = time.perf_counter()
        timings["segment"] = t1 - t0
        n = len(self.docs)
        small = n <= self.settings.exact_max_docs
        k = self.settings.candidates
        sparse_all: np.ndarray | None = None
        sparse_top = np.zeros(0, dtype=np.int64)
        sparse_top_scores = np.zeros(0)
        sparse_job: Future[tuple[np.ndarray, np.ndarray, float]] | None = None
        if mode != "dense":
            if small:
                sparse_all = self.bm25.scores(terms)
            elif mode == "hybrid":  # a large corpus: the sparse side searches while the query is encoded
                sparse_job = self._sparse_pool.submit(self._timed_sparse_top, terms, k)
            else:
                sparse_top, sparse_top_scores, _ = self._timed_sparse_top(terms, k)
        t2 = time.perf_counter()
        timings["bm25"] = t2 - t1
        qvec = None
        dense_top = np.zeros(0, dtype=np.int64)
        dense_top_scores = np.zeros(0)
        dense_all = None
        if mode != "bm25":
            assert self.encoder is not None and self.dense is not None
            qvec = self.encoder.encode_query(text, use_cache=use_cache)
            t3 = time.perf_counter()
            timings["embed"] = t3 - t2
            if small:
                dense_all = self.dense.scores(qvec)
            else:
                dense_top, dense_top_scores = self.dense.top_k(qvec, k)
            timings["dense"] = time.perf_counter() - t3
        if sparse_job is not None:
            sparse_top, sparse_top_scores, timings["bm25"] = sparse_job.result()
        if small:
            cand = np.arange(n)
            cos = dense_all if dense_all is not None else np.zeros(n)
            bm25 = sparse_all if sparse_all is not None else np.zeros(n)
        else:
            cand = np.unique(np.concatenate([sparse_top, dense_top, self._oos_docs]))
            # each side already scored its own top-k exactly; only the other candidates are scored here
            cos = np.zeros(len(cand))
            if qvec is not None and self.dense is not None:
                cos = _complete(cand, dense_top, dense_top_scores, lambda d: self.dense.doc_scores(qvec, d))
            bm25 = np.zeros(len(cand))
            if mode != "dense":
                bm25 = _complete(cand, sparse_top, sparse_top_scores, lambda d: self.bm25.doc_scores(terms, d))
        return RawScores(cand, np.asarray(bm25, dtype=np.float64), np.asarray(cos, dtype=np.float64),
                         bool(terms) or bool(text.strip()), timings)

    def search(self, text: str, match_text: str | None = None, mode: Mode | None = None, k: int = 5,
               use_cache: bool = True) -> RetrievalResult:
        """Rank intents for a normalised message; serves BM25 alone when the dense index is unavailable."""
        mode = mode or self.settings.retrieval_mode
        if mode != "bm25" and self.dense is None:
            mode = "bm25"
        if match_text is None:
            match_text = self.segmenter.normalize_for_match(text)
        raw = self.raw_scores(text, match_text, mode, use_cache)
        t = time.perf_counter()
        result = rank(raw, self.table, self.settings, mode, k)
        result.timings = {**raw.timings, "fusion": time.perf_counter() - t}
        return result


def _complete(cand: np.ndarray, known: np.ndarray, known_scores: np.ndarray,
              score: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Scores of the sorted ``cand``: those of ``known`` documents reused, the rest computed by ``score``."""
    out = np.zeros(len(cand))
    have = np.isin(cand, known)
    if len(known):
        out[np.searchsorted(cand, known)] = known_scores
    if not have.all():
        out[~have] = score(cand[~have])
    return out


def sparse_index(docs: list[SearchDoc], segmenter: Segmenter, settings: Settings) -> BM25Index:
    """The BM25 index of ``docs``: loaded (memory-mapped, checksums verified) from the cache, or built and saved."""
    key = hashlib.sha256("\0".join((docs_fingerprint(docs), segmenter.fingerprint,
                                     str(settings.bm25_char_bigrams))).encode()).hexdigest()[:24]
    folder = settings.cache_dir / "bm25" / key
    if (folder / CHECKSUMS).is_file():
        try:
            sums = json.loads((folder / CHECKSUMS).read_text())
            if all(sha256_file(folder / name) == digest for name, digest in sums.items()):
                return BM25Index.load(folder, mmap=True)
            logger.warning("BM25 index %s is damaged (checksum mismatch): rebuilding it", key)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("BM25 index %s is unreadable (%s): rebuilding it", key, type(exc).__name__)
    index = BM25Index.build([segmenter.sparse_terms(d.sparse_text(), settings.bm25_char_bigrams) for d in docs])
    try:
        tmp = folder.with_name(folder.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        index.save(tmp)
        (tmp / CHECKSUMS).write_text(json.dumps({p.name: sha256_file(p) for p in sorted(tmp.iterdir())}))
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except OSError as exc:  # a read-only cache still serves, from memory
        logger.warning("could not save the BM25 index: %s", exc)
    return index


def rank(raw: RawScores, table: DocTable, s: Settings, mode: Mode, k: int = 5) -> RetrievalResult:
    """Pure scoring step: normalise, fuse, resolve documents to targets, decide the miss (used by tuning too)."""
    sparse = bm25_confidence(raw.bm25, s.bm25_half)
    dense = dense_confidence(raw.cos, s.dense_floor, s.dense_ceiling)
    if mode == "bm25":
        conf = sparse
    elif mode == "dense":
        conf = dense
    else:
        conf = weighted_fusion(dense, sparse, s.dense_weight)
    key = rrf_fusion(dense, sparse) if (mode == "hybrid" and s.fusion == "rrf") else conf
    conf = np.minimum(conf, 1.0)
    order = np.argsort(-key, kind="stable")
    targets = table.target[raw.cand[order]]
    # the first occurrence of each target in rank order is its best document
    _, first = np.unique(targets, return_index=True)
    best_docs = order[np.sort(first)]
    hits: list[Hit] = []
    best_target: int | None = None
    for i in best_docs:
        t = int(table.target[raw.cand[i]])
        if best_target is None:
            best_target = t
        if table.target_is_intent[t] and len(hits) < k:
            hits.append(Hit(table.target_ids[t], float(conf[i]), float(dense[i]), float(sparse[i]),
                            table.docs[int(raw.cand[i])].id))
        if len(hits) >= k and best_target is not None:
            break
    evidence = {table.docs[int(raw.cand[i])].id: float(conf[i])
                for i in np.flatnonzero(table.is_evidence[raw.cand])}
    confidence = hits[0].score if hits else 0.0
    miss: Miss | None = None
    scope: Scope | None = None
    if not raw.has_text:
        miss = Miss.EMPTY
    elif best_target is not None and not table.target_is_intent[best_target]:
        miss, scope = Miss.OUT_OF_SCOPE, table.target_scope[best_target]
    elif confidence < s.threshold(mode):
        miss = Miss.LOW_CONFIDENCE
    return RetrievalResult(mode, hits, round(confidence, 4), miss, scope, evidence)
