"""Grid search of fusion weights, score calibration and thresholds on the dev split only.

The objective is the decision accuracy on dev: an in-scope question counts when its first-ranked
entry is acceptable and the bot does not fall back, an out-of-scope one when the bot falls back.
The best settings are printed as ``JIEBEI_*`` lines; the defaults in ``bot/settings.py`` are
copied from a run of this search and stated in the report.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bot.retrieve.hybrid import Mode, RawScores, Retriever
from bot.settings import Settings
from eval.data import Question
from eval.retrieval import metrics, rank_all

GRID = {
    "dense_floor": [0.80, 0.82, 0.84],
    "dense_ceiling": [0.92, 0.94, 0.96, 0.98],
    "bm25_half": [1.5, 2.0, 3.0, 5.0, 8.0],
    "dense_weight": [0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
}
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 19)]
MODE_PARAMS: dict[str, tuple[str, ...]] = {"hybrid": ("dense_floor", "dense_ceiling", "bm25_half", "dense_weight")}


def _score(m: dict[str, object]) -> tuple[float, float]:
    return (float(m["decision_accuracy"]), float(m["recall@1"]))  # type: ignore[arg-type]


def _search(retriever: Retriever, questions: Sequence[Question], raws: Sequence[RawScores], base: Settings,
            mode: Mode, names: Sequence[str]) -> dict[str, object]:
    top: tuple[tuple[float, float], dict[str, object]] | None = None
    for values in itertools.product(*(GRID[n] for n in names)):
        params = dict(zip(names, values, strict=True))
        if params.get("dense_floor", 0) >= params.get("dense_ceiling", 1):
            continue
        for threshold in THRESHOLDS:
            s = base.model_copy(update={**params, f"threshold_{mode}": threshold})
            m = metrics(questions, rank_all(retriever, raws, s, mode))
            if top is None or _score(m) > top[0]:
                top = (_score(m), {**params, f"threshold_{mode}": threshold,
                                   "dev_decision_accuracy": m["decision_accuracy"], "dev_recall@1": m["recall@1"],
                                   "dev_fallback_f1": m["fallback"]["f1"]})  # type: ignore[index]
    assert top is not None
    return top[1]


def tune(retriever: Retriever, questions: Sequence[Question], raws: Sequence[RawScores],
         base: Settings, progress=None) -> dict[str, dict[str, object]]:
    """Best settings on ``questions`` (which must be the dev split).

    The hybrid mode gets the full grid (calibration, weight, threshold). The single modes then
    keep that calibration and get their own threshold, so one coherent settings object serves
    all three modes.
    """
    assert all(q.split == "dev" for q in questions), "tuning must only see the dev split"
    best = {"hybrid": _search(retriever, questions, raws, base, "hybrid", MODE_PARAMS["hybrid"])}
    calibrated = base.model_copy(update={k: v for k, v in best["hybrid"].items() if k in GRID})
    if progress is not None:
        progress.update(1)
    for mode in ("bm25", "dense"):
        if mode == "dense" and not retriever.dense_available:
            continue
        best[mode] = _search(retriever, questions, raws, calibrated, mode, ())
        if progress is not None:
            progress.update(1)
    return best


def settings_lines(best: dict[str, dict[str, object]]) -> list[str]:
    """``JIEBEI_NAME=value`` lines for the tuned values."""
    merged: dict[str, object] = {}
    for params in best.values():
        merged.update({k: v for k, v in params.items() if not k.startswith("dev_")})
    return [f"JIEBEI_{k.upper()}={v}" for k, v in sorted(merged.items())]
