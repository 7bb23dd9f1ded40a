"""Answer-level evaluation: does the reply a user gets actually answer the question?

Every question goes through the real pipeline once (understand, then BM25 and cosine scores); the
ranking, the reply policy and the composer are then re-run from those scores for each mode and
setting, which is what makes tuning fast. A reply *answers* an in-scope question when it is not a
fallback, comes from an acceptable intent and contains the content cues of the asked intent; a
must-fall-back question is handled when the reply is not an overdue answer (a fallback, small talk
or the human handoff).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.answer import ReplyKind
from bot.chat import ChatService
from bot.policy import Decision, decide
from bot.retrieve.hybrid import Mode, RawScores, RetrievalResult, rank
from bot.sessions import Slots
from bot.settings import Settings
from bot.understand import Turn
from eval.data import IntentSpec, Question

NOT_AN_OVERDUE_ANSWER = {ReplyKind.FALLBACK, ReplyKind.SMALLTALK, ReplyKind.HANDOFF, ReplyKind.CRISIS}
ANSWERING = {ReplyKind.ANSWER, ReplyKind.PENALTY, ReplyKind.HANDOFF, ReplyKind.ASK_VALUE}


@dataclass(frozen=True)
class Prepared:
    question: Question
    turn: Turn
    raw: RawScores


def prepare(chat: ChatService, questions: Sequence[Question], progress=None) -> list[Prepared]:
    """Understand each question and score it against every document, once."""
    mode: Mode = "hybrid" if chat.retriever.dense_available else "bm25"
    out = []
    for q in questions:
        turn = chat.understand(q.text)
        out.append(Prepared(q, turn, chat.retriever.raw_scores(turn.text, turn.match_text, mode, use_cache=False)))
        if progress is not None:
            progress.update(1)
    return out


def decide_all(chat: ChatService, prepared: Sequence[Prepared], settings: Settings,
               mode: Mode) -> list[tuple[Decision, RetrievalResult]]:
    roles = replace(chat.roles, threshold=settings.threshold(mode))
    out = []
    for p in prepared:
        result = rank(p.raw, chat.retriever.table, settings, mode, k=10)
        out.append((decide(p.turn, Slots(), result, roles, chat.limits), result))
    return out


def _intent_ok(q: Question, d: Decision) -> bool:
    return d.kind in ANSWERING and d.intent in q.expected


def _handled(d: Decision) -> bool:
    return d.kind in NOT_AN_OVERDUE_ANSWER


def decision_score(prepared: Sequence[Prepared], decisions: Sequence[tuple[Decision, RetrievalResult]],
                   specs: dict[str, IntentSpec]) -> tuple[float, float]:
    """(share-weighted rate of in-scope questions sent to an acceptable intent, rate of fallbacks handled)."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fb = [0, 0]
    for p, (d, _) in zip(prepared, decisions, strict=True):
        if p.question.should_fall_back:
            fb[0] += _handled(d)
            fb[1] += 1
        else:
            per[p.question.topic][0] += _intent_ok(p.question, d)
            per[p.question.topic][1] += 1
    return _weighted(per, specs), (fb[0] / fb[1] if fb[1] else 1.0)


def _weighted(per: dict[str, list[int]], specs: dict[str, IntentSpec]) -> float:
    weights = {t: specs[t].share if t in specs else 0.0 for t in per}
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(weights[t] * per[t][0] / per[t][1] for t in per) / total


def retrieval_metrics(prepared: Sequence[Prepared], decisions: Sequence[tuple[Decision, RetrievalResult]]) -> dict:
    """Ranking quality of the intents alone (before the reply policy): recall@k and MRR@10."""
    ranks: list[int | None] = []
    for p, (_, r) in zip(prepared, decisions, strict=True):
        if p.question.should_fall_back:
            continue
        ids = [h.id for h in r.hits]
        ranks.append(next((i + 1 for i, h in enumerate(ids) if h in p.question.expected), None))
    n = len(ranks)

    def recall(k: int) -> float:
        return round(sum(1 for x in ranks if x is not None and x <= k) / n, 4) if n else 0.0

    mrr = float(np.mean([1 / x if x else 0.0 for x in ranks])) if n else 0.0
    return {"questions": n, "recall@1": recall(1), "recall@3": recall(3), "recall@5": recall(5),
            "mrr@10": round(mrr, 4)}


def answer_metrics(chat: ChatService, prepared: Sequence[Prepared], settings: Settings, mode: Mode,
                   specs: dict[str, IntentSpec], compose: bool = True) -> dict[str, object]:
    """Everything about the replies for one mode: per topic, weighted, fallbacks, confusions."""
    decisions = decide_all(chat, prepared, settings, mode)
    per: dict[str, Counter] = defaultdict(Counter)
    confusions: Counter = Counter()
    for p, (d, r) in zip(prepared, decisions, strict=True):
        q, c = p.question, per[p.question.topic]
        c["n"] += 1
        if q.should_fall_back:
            c["handled"] += _handled(d)
            if not _handled(d):
                confusions[f"{q.topic} → {d.intent}"] += 1
            continue
        ok = _intent_ok(q, d)
        c["intent_ok"] += ok
        answered = ok
        if ok and compose and q.topic in specs:
            text = chat.composer.compose(d, r, whole_loan=p.turn.whole_loan).answer
            answered = specs[q.topic].answered_by(text)
        c["answered"] += answered
        c["fell_back"] += d.kind is ReplyKind.FALLBACK
        if not ok:
            confusions[f"{q.topic} → {d.intent or d.scope}"] += 1
    topics = {t: {"n": c["n"], **({"handled": round(c["handled"] / c["n"], 4)} if t.startswith("fallback") else
                                 {"answered": round(c["answered"] / c["n"], 4),
                                  "right_intent": round(c["intent_ok"] / c["n"], 4),
                                  "fell_back": round(c["fell_back"] / c["n"], 4)})}
              for t, c in sorted(per.items())}
    in_scope = {t: c for t, c in per.items() if not t.startswith("fallback")}
    fallback = {t: c for t, c in per.items() if t.startswith("fallback")}
    n_in = sum(c["n"] for c in in_scope.values())
    n_fb = sum(c["n"] for c in fallback.values())
    return {
        "questions": n_in, "fallback_questions": n_fb,
        "answered": round(sum(c["answered"] for c in in_scope.values()) / n_in, 4) if n_in else None,
        "answered_weighted": round(_weighted({t: [c["answered"], c["n"]] for t, c in in_scope.items()}, specs), 4),
        "right_intent_weighted": round(_weighted({t: [c["intent_ok"], c["n"]] for t, c in in_scope.items()}, specs), 4),
        "fallback_handled": round(sum(c["handled"] for c in fallback.values()) / n_fb, 4) if n_fb else None,
        "retrieval": retrieval_metrics(prepared, decisions),
        "topics": topics,
        "confusions": dict(confusions.most_common(25)),
    }
