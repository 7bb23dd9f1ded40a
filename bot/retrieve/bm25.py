"""Sparse retrieval: Okapi BM25 (rank-bm25's statistics) over jieba terms, scored from postings.

rank-bm25 computes the IDF and length statistics; scoring a query walks only the postings of
its terms instead of every document, so a query costs the same whether the corpus holds 30 or
100,000 entries that do not share its words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

logger = logging.getLogger(__name__)


class BM25Index:
    """BM25 over pre-segmented documents."""

    def __init__(self, docs_terms: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> None:
        if not docs_terms:
            raise ValueError("BM25Index needs at least one document")
        # rank-bm25 divides by zero on an all-empty corpus; a placeholder term avoids it
        safe = [list(t) if t else ["\0"] for t in docs_terms]
        stats = BM25Okapi(safe, k1=k1, b=b)
        self.n_docs = len(safe)
        lengths = np.asarray(stats.doc_len, dtype=np.float64)
        norm = k1 * (1 - b + b * lengths / stats.avgdl)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc_id, freqs in enumerate(stats.doc_freqs):
            for term, tf in freqs.items():
                ids, weights = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                weights.append(stats.idf[term] * tf * (k1 + 1) / (tf + norm[doc_id]))
        self._postings = {t: (np.asarray(i, dtype=np.int64), np.asarray(w, dtype=np.float64))
                          for t, (i, w) in postings.items()}

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query (a repeated term counts again, as in rank-bm25)."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        for term in query_terms:
            hit = self._postings.get(term)
            if hit is not None:
                out[hit[0]] += hit[1]
        return out
