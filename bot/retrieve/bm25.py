"""Sparse retrieval: Okapi BM25 with rank-bm25's numbers, stored as a bm25s index.

rank-bm25 is the reference for what a score is (its IDF, including the epsilon floor for terms in
more than half of the documents, and its term-frequency saturation); its statistics are computed
here vectorised, so a million documents index in seconds rather than minutes, and saved by bm25s:
per term, the documents that contain it and their precomputed weights. The saved folder is a
bm25s index (``bm25s.BM25.load`` reads it); serving memory-maps its arrays with NumPy alone, because
importing bm25s brings SciPy, which was a fifth of a cold start. A query is scored by walking only
its terms' postings, so it costs the same at 30 entries as at a million that do not share its words.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

K1, B, EPSILON = 1.5, 0.75, 0.25  # rank-bm25's defaults
WEIGHT_CHUNK = 1 << 22
"""Postings whose weights are computed at once while building (bounds the float64 temporaries)."""
ARRAY_FILES = {"data": "data.csc.index.npy", "indices": "indices.csc.index.npy", "indptr": "indptr.csc.index.npy"}
VOCAB_FILE, PARAMS_FILE = "vocab.index.json", "params.index.json"
"""The files of a saved bm25s index that scoring needs (the defaults of ``bm25s.BM25.save`` and ``load``)."""


class BM25Index:
    """BM25 over pre-segmented documents, with top-k search."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int],
                 n_docs: int, k1: float = K1, b: float = B) -> None:
        """Postings in CSC form: term ``t``'s documents are ``indices[indptr[t]:indptr[t + 1]]``, sorted, and
        their weights the same slice of ``data``; ``k1`` and ``b`` are recorded, the weights already hold them."""
        self.n_docs, self.vocab, self.k1, self.b = n_docs, vocab, k1, b
        # plain arrays over the (memory-mapped) buffers: slicing a np.memmap costs a subclass object each time
        self._data, self._indices, self._indptr = np.asarray(data), np.asarray(indices), np.asarray(indptr)

    @classmethod
    def build(cls, docs_terms: Sequence[Sequence[str]], k1: float = K1, b: float = B,
              epsilon: float = EPSILON) -> BM25Index:
        """Index ``docs_terms`` (a list of term lists per document), scoring exactly as rank-bm25's BM25Okapi."""
        if not docs_terms:
            raise ValueError("BM25Index needs at least one document")
        vocab: dict[str, int] = {}
        parts: list[np.ndarray] = []
        lengths = np.zeros(len(docs_terms), dtype=np.int64)
        for d, terms in enumerate(docs_terms):
            # rank-bm25 divides by zero on an all-empty corpus; it sees a placeholder term there
            terms = list(terms) or ["\0"]
            parts.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in terms), dtype=np.int64,
                                     count=len(terms)))
            lengths[d] = len(terms)
        return cls.from_term_ids(np.concatenate(parts), lengths, vocab, k1, b, epsilon)

    @classmethod
    def from_term_ids(cls, term_ids: np.ndarray, lengths: np.ndarray, vocab: dict[str, int], k1: float = K1,
                      b: float = B, epsilon: float = EPSILON, n_terms: int | None = None) -> BM25Index:
        """Index documents given as one array of term ids (document after document) and their lengths.

        ``n_terms`` counts ids beyond ``vocab`` too (terms that no query can name, in synthetic corpora).
        """
        n = len(lengths)
        n_terms = n_terms or len(vocab)
        # (term, doc) pairs with their term frequency, sorted by term then document: one int64 key
        # per occurrence, sorted in place and run-length counted (np.unique would hold several
        # copies; at a million documents that was the build's memory peak)
        key = term_ids.astype(np.int64) * n
        key += np.repeat(np.arange(n, dtype=np.int64), lengths)
        key.sort()
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        tf = np.diff(np.r_[starts, len(key)]).astype(np.int32)
        pairs = key[starts]
        del key, starts
        p_term, p_doc = (pairs // n).astype(np.int32), (pairs % n).astype(np.int32)
        del pairs
        df = np.bincount(p_term, minlength=n_terms).astype(np.float64)
        idf = np.log(n - df + 0.5) - np.log(df + 0.5)
        average_idf = idf.sum() / len(idf)
        idf[idf < 0] = epsilon * average_idf
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        weights = np.empty(len(tf), dtype=np.float32)
        for lo in range(0, len(tf), WEIGHT_CHUNK):  # float64 arithmetic, a chunk at a time
            t, d, f = p_term[lo:lo + WEIGHT_CHUNK], p_doc[lo:lo + WEIGHT_CHUNK], tf[lo:lo + WEIGHT_CHUNK]
            weights[lo:lo + WEIGHT_CHUNK] = idf[t] * f * (k1 + 1) / (f + norm[d])
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df.astype(np.int64), out=indptr[1:])
        return cls(weights, p_doc, indptr, vocab, n, k1, b)

    @property
    def memory_mapped(self) -> bool:
        """The postings are read from the saved files as queries touch them, not held in memory."""
        return isinstance(self._data.base, np.memmap)

    def save(self, folder: Path) -> None:
        """Write a bm25s index (arrays as .npy, vocabulary and parameters as JSON) into ``folder``."""
        import bm25s

        model = bm25s.BM25(k1=self.k1, b=self.b, method="robertson", dtype="float32", int_dtype="int32")
        model.scores = {"data": self._data, "indices": self._indices, "indptr": self._indptr, "num_docs": self.n_docs}
        model.vocab_dict = self.vocab
        model.unique_token_ids_set = set(self.vocab.values())
        model.nonoccurrence_array = None  # robertson BM25 has no score for absent terms
        folder.mkdir(parents=True, exist_ok=True)
        model.save(str(folder), show_progress=False)  # the parameters file records num_docs too

    @classmethod
    def load(cls, folder: Path, mmap: bool = True) -> BM25Index:
        """Load a saved index; with ``mmap`` the arrays stay on disk and pages load as queries touch them."""
        mode = "r" if mmap else None
        arrays = {k: np.load(folder / name, mmap_mode=mode, allow_pickle=False) for k, name in ARRAY_FILES.items()}
        vocab = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
        params = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))
        return cls(arrays["data"], arrays["indices"], arrays["indptr"], vocab, int(params["num_docs"]),
                   float(params["k1"]), float(params["b"]))

    def _ids(self, query_terms: Sequence[str]) -> list[int]:
        return [self.vocab[t] for t in query_terms if t in self.vocab]

    def _postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self._indptr[term_id]), int(self._indptr[term_id + 1])
        return self._indices[start:end], self._data[start:end]

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (a repeated query term counts again, as in rank-bm25).

        bm25s sums postings with ``np.add.at``; a term's postings name each document once, so plain
        indexed addition gives the same sums several times faster.
        """
        out = np.zeros(self.n_docs, dtype=np.float32)
        for t in self._ids(query_terms):
            docs, weights = self._postings(t)
            out[docs] += weights
        return out

    def doc_scores(self, query_terms: Sequence[str], docs: np.ndarray) -> np.ndarray:
        """Exact scores of the given documents only (each term's postings are sorted by document)."""
        out = np.zeros(len(docs), dtype=np.float32)
        # in the postings' own integer type: searching int64 keys in int32 postings would copy every
        # posting list to int64 first (measured at 1M documents: 9 ms of a query's 31, now 0.3)
        docs = np.asarray(docs).astype(self._indices.dtype, copy=False)
        for t in self._ids(query_terms):
            posted, weights = self._postings(t)
            where = np.searchsorted(posted, docs)
            hit = where < len(posted)
            hit[hit] = posted[where[hit]] == docs[hit]
            out[hit] += weights[where[hit]]
        return out

    def top_k(self, query_terms: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(best documents, their exact scores), best first; only documents that match.

        In a large corpus the terms found in more than half of the documents (rank-bm25 gives them the
        same small floor IDF) are left out of the search for candidates, which keeps a query's cost
        to the postings of its telling terms; the candidates are then scored with every term.
        """
        ids = self._ids(query_terms)
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indptr = self._indptr
        telling = [t for t in ids if indptr[t + 1] - indptr[t] <= self.n_docs // 2] or ids
        partial = np.zeros(self.n_docs, dtype=np.float32)
        for t in telling:
            docs, weights = self._postings(t)
            partial[docs] += weights
        # select among the matching documents only: numpy's selection degrades badly on the mass of
        # equal zeros (measured at 1M documents: up to 140 ms for one query over the whole array, 5 ms
        # over the matching 300k), and the k-th score from a partition of the values alone, which
        # needs no index array
        best = np.flatnonzero(partial > 0)
        if len(best) > k:
            values = partial[best]
            kth = np.partition(values, len(values) - k)[len(values) - k]
            best = best[values >= kth]
            if len(best) > k:  # ties at the k-th score
                best = best[np.argpartition(-partial[best], k - 1)[:k]]
        exact = self.doc_scores(query_terms, best)
        order = np.argsort(-exact, kind="stable")
        return best[order], exact[order]


def rank_bm25_reference(docs_terms: Sequence[Sequence[str]], query_terms: Sequence[str]) -> np.ndarray:
    """rank-bm25's own scores, for checking (not used to serve)."""
    from rank_bm25 import BM25Okapi

    return BM25Okapi([list(t) or ["\0"] for t in docs_terms]).get_scores(list(query_terms))
