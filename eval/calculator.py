"""Calculator metrics: extraction and amount accuracy over the penalty phrasings table."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.chat import ChatService
from bot.extract import extract
from eval.data import PenaltyCase


def _close(a: float | Decimal | None, b: Decimal | None, places: str = "0.0000000001") -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - b) <= Decimal(places)


def run_case(chat: ChatService, case: PenaltyCase) -> tuple[bool, str]:
    """Send the case's turns in one session; return (passed, what happened)."""
    session = None
    answer = None
    for turn in case.turns:
        answer = chat.reply(turn, session)
        session = answer.session_id
    assert answer is not None
    p = answer.penalty
    if case.kind == "calc":
        rate = case.daily_rate if case.daily_rate is not None else chat.settings.default_daily_rate
        ok = (p is not None and _close(p.principal, case.principal) and p.days == case.days
              and _close(p.daily_rate, rate) and _close(p.amount, case.amount, "0.001"))
        got = "no figure" if p is None else f"{p.principal}/{p.days}d/{p.daily_rate}/{p.amount}"
        return ok, got
    if case.kind in ("ask_days", "ask_principal"):
        want = case.kind.removeprefix("ask_")
        return p is None and answer.asks_for == [want], f"asks_for={answer.asks_for} penalty={p is not None}"
    if case.kind == "refuse":
        return p is None and "无法估算" in answer.answer, "refused" if "无法估算" in answer.answer else "not refused"
    return p is None and not answer.asks_for, f"penalty={p is not None} asks_for={answer.asks_for}"


def extraction_ok(case: PenaltyCase) -> bool | None:
    """Single-turn calc cases: does extraction alone find principal, days and rate?"""
    if case.kind != "calc" or len(case.turns) != 1:
        return None
    found = extract(case.turns[0])
    return found.principal == case.principal and found.days == case.days and (
        (found.daily_rate is None and case.daily_rate is None)
        or (found.daily_rate is not None and case.daily_rate is not None and _close(found.daily_rate, case.daily_rate)))


def calculator_metrics(chat: ChatService, cases: Sequence[PenaltyCase]) -> dict[str, object]:
    outcomes = [(c, *run_case(chat, c)) for c in cases]
    calc = [o for o in outcomes if o[0].kind == "calc"]
    extraction = [e for c in cases if (e := extraction_ok(c)) is not None]
    return {
        "cases": len(cases),
        "outcome_accuracy": round(sum(o[1] for o in outcomes) / len(outcomes), 4) if outcomes else 0.0,
        "amount_accuracy": round(sum(o[1] for o in calc) / len(calc), 4) if calc else 0.0,
        "extraction_accuracy": round(sum(extraction) / len(extraction), 4) if extraction else 0.0,
        "failures": [{"turns": " || ".join(o[0].turns), "kind": o[0].kind, "got": o[2]} for o in outcomes if not o[1]],
    }
