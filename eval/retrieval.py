"""Retrieval metrics per mode: recall@k, MRR@10, fallback precision/recall/F1, misses per entry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from bot.retrieve.hybrid import Mode, RawScores, RetrievalResult, Retriever, rank
from bot.settings import Settings
from eval.data import Question


def collect_raw(retriever: Retriever, questions: Sequence[Question], progress=None) -> list[RawScores]:
    """BM25 and cosine scores for every question, computed once and re-ranked per mode and setting."""
    mode: Mode = "hybrid" if retriever.dense_available else "bm25"
    out = []
    for q in questions:
        out.append(retriever.raw_scores(q.text, mode, use_cache=False))
        if progress is not None:
            progress.update(1)
    return out


def rank_all(retriever: Retriever, raws: Sequence[RawScores], settings: Settings, mode: Mode) -> list[RetrievalResult]:
    return [rank(r, retriever.docs, retriever.is_entry, settings, mode, k=10) for r in raws]


def _first_hit(result: RetrievalResult, expected: tuple[str, ...]) -> int | None:
    for i, hit in enumerate(result.hits):
        if hit.id in expected:
            return i + 1
    return None


def metrics(questions: Sequence[Question], results: Sequence[RetrievalResult]) -> dict[str, object]:
    """All retrieval numbers for one mode on one set of questions."""
    ranks, answered_right, misses = [], 0, Counter()
    tp = fp = fn = tn = 0
    for q, r in zip(questions, results, strict=True):
        if q.should_fall_back:
            tp += r.fallback
            fn += not r.fallback
            if not r.fallback and r.top is not None:
                misses[f"(should fall back) → {r.top.id}"] += 1
            continue
        fp += r.fallback
        tn += not r.fallback
        pos = _first_hit(r, q.expected)
        ranks.append(pos)
        if pos == 1 and not r.fallback:
            answered_right += 1
        if pos != 1:
            misses[f"{q.expected[0]} → {r.top.id if r.top else None}"] += 1
    n = len(ranks)

    def recall(k: int) -> float:
        return round(sum(1 for p in ranks if p is not None and p <= k) / n, 4) if n else 0.0

    precision = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * rec / (precision + rec) if precision + rec else 0.0
    n_oos = tp + fn
    return {
        "questions": n, "fallback_questions": n_oos,
        "recall@1": recall(1), "recall@3": recall(3), "recall@5": recall(5),
        "mrr@10": round(float(np.mean([1 / p if p and p <= 10 else 0.0 for p in ranks])) if n else 0.0, 4),
        "answered_correctly": round(answered_right / n, 4) if n else 0.0,
        "fallback": {"precision": round(precision, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                     "true_positive": tp, "false_positive": fp, "false_negative": fn},
        "decision_accuracy": round((answered_right + tp) / (n + n_oos), 4) if n + n_oos else 0.0,
        "misses": dict(misses.most_common(20)),
    }
