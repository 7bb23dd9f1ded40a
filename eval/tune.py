"""Grid search of fusion weights, score calibration and thresholds on the dev split only.

The objective is what users get: the share-weighted rate of dev questions whose reply comes from an
acceptable intent, plus the rate of must-fall-back questions that get no overdue answer, with a
penalty below 95% for the latter (the product's bar). Each candidate re-ranks stored scores and
re-runs the reply policy, so no question is encoded twice. The best settings are printed as
``JIEBEI_*`` lines; the defaults in ``bot/settings.py`` come from a run of this search.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bot.chat import ChatService
from bot.retrieve.hybrid import Mode
from bot.settings import Settings
from eval.answers import Prepared, decide_all, decision_score
from eval.data import IntentSpec

GRID = {
    "dense_floor": [0.80, 0.82, 0.84, 0.86],
    "dense_ceiling": [0.92, 0.94, 0.96, 0.98],
    "bm25_half": [1.5, 3.0, 6.0],
    "dense_weight": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
}
THRESHOLDS = [round(0.05 * i, 2) for i in range(8, 19)]
FALLBACK_BAR = 0.95


def objective(weighted: float, handled: float) -> float:
    return weighted + handled - 2 * max(0.0, FALLBACK_BAR - handled)


def _search(chat: ChatService, prepared: Sequence[Prepared], specs: dict[str, IntentSpec], base: Settings,
            mode: Mode, names: Sequence[str]) -> dict[str, object]:
    top: tuple[float, dict[str, object]] | None = None
    for values in itertools.product(*(GRID[n] for n in names)):
        params = dict(zip(names, values, strict=True))
        if params.get("dense_floor", 0) >= params.get("dense_ceiling", 1):
            continue
        for threshold in THRESHOLDS:
            s = base.model_copy(update={**params, f"threshold_{mode}": threshold})
            weighted, handled = decision_score(prepared, decide_all(chat, prepared, s, mode), specs)
            score = objective(weighted, handled)
            if top is None or score > top[0]:
                top = (score, {**params, f"threshold_{mode}": threshold, "dev_right_intent_weighted": round(weighted, 4),
                               "dev_fallback_handled": round(handled, 4)})
    assert top is not None
    return top[1]


def tune(chat: ChatService, prepared: Sequence[Prepared], specs: dict[str, IntentSpec], base: Settings,
         progress=None) -> dict[str, dict[str, object]]:
    """Best settings on ``prepared`` (which must be dev questions only).

    The hybrid mode gets the full grid; the single modes keep that calibration and get their own
    threshold, so one coherent settings object serves all three modes.
    """
    assert all(p.question.split == "dev" for p in prepared), "tuning must only see the dev split"
    best = {"hybrid": _search(chat, prepared, specs, base, "hybrid", tuple(GRID))} \
        if chat.retriever.dense_available else {}
    calibrated = base.model_copy(update={k: v for k, v in best.get("hybrid", {}).items() if k in GRID})
    if progress is not None:
        progress.update(1)
    for mode in ("bm25", "dense"):
        if mode == "dense" and not chat.retriever.dense_available:
            continue
        best[mode] = _search(chat, prepared, specs, calibrated, mode, ())
        if progress is not None:
            progress.update(1)
    return best


def settings_lines(best: dict[str, dict[str, object]]) -> list[str]:
    """``JIEBEI_NAME=value`` lines for the tuned values."""
    merged: dict[str, object] = {}
    for params in best.values():
        merged.update({k: v for k, v in params.items() if not k.startswith("dev_")})
    return [f"JIEBEI_{k.upper()}={v}" for k, v in sorted(merged.items())]
