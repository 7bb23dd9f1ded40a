"""The reply policy: one function chooses what kind of reply a message gets.

Inputs are the understood message (:class:`~bot.understand.Turn`), the conversation's remembered
values and the retrieval result; the output is a :class:`Decision` the composer renders. No text is
written here and nothing is looked up, so the policy is tested with a fake retrieval result.

Order of precedence: a crisis always comes first; then the explicit dialogue acts; then values
that cannot be calculated; then the scope rules (another product only, "I am not overdue"); then
the penalty estimate or the question for a missing value; then the retrieved answer or fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.answer import ReplyKind
from bot.penalty import Limits, out_of_range
from bot.retrieve.hybrid import Miss, RetrievalResult
from bot.sessions import Slots
from bot.understand import ABOUT_LAST_ANSWER, DialogueAct, Turn

PREFER_WITHIN = 4
"""How far down the candidates an intent singled out by its own words may come from."""
FallbackScope = Literal["unsure", "everyday", "not_overdue", "other_product", "chitchat"]
Slot = Literal["principal", "days", "daily_rate"]
Awaiting = Literal["principal", "days", "values"]


@dataclass(frozen=True)
class Roles:
    """What the corpus says about its intents: which play a role (the penalty calculator's entry,
    the human handoff) and which answer only messages with certain cue words."""

    penalty: str | None
    handoff: str | None
    cues: dict[str, re.Pattern[str]] = field(default_factory=dict)
    prefer: dict[str, re.Pattern[str]] = field(default_factory=dict)
    late_cued: frozenset[str] = frozenset()
    """Intents whose cue words include being late: a message whose dates show it late has them."""
    product_follow_ups: frozenset[str] = frozenset()
    """Intents that may answer a short question about another product after an overdue 借呗 answer."""
    threshold: float = 1.0
    """Confidence an intent needs to win over a close everyday topic when the message talks of being overdue."""


@dataclass(frozen=True)
class Decision:
    """What to reply, and what to remember."""

    kind: ReplyKind
    slots: Slots
    act: DialogueAct = DialogueAct.NONE
    intent: str | None = None
    """The knowledge intent the reply answers from."""
    scope: FallbackScope | None = None
    estimate: bool = False
    """Join a penalty estimate computed from ``slots``."""
    estimate_first: bool = False
    """The estimate is the reply's first sentence (a penalty question), else it follows the answer."""
    carried: tuple[Slot, ...] = ()
    """Slots the estimate uses that came from earlier turns (the reply names them)."""
    days_before: int | None = None
    """The days counted before this message when it added more ("再拖十天"): the reply shows the sum."""
    total: bool = False
    """The message asks what clearing the debt costs in all: the estimate adds the principal."""
    asks_for: Literal["principal", "days"] | None = None
    problems: tuple[str, ...] = ()
    offer_calculator: bool = False
    """The penalty answer, which invites the amount and the days for an estimate."""
    also: str | None = None
    """Another intent the same message asks about: a question beside the penalty ("…罚多少，会被起诉吗"),
    the penalty beside the question answered, or a second question ("会坐牢吗 会起诉我吗"). Its answer
    follows the reply's own."""

    @property
    def awaits(self) -> Awaiting | None:
        """What the next message may be answering: the value asked for, or both after the invitation
        (then "我借了8000" or "20天" is taken as an answer, but a bare number stays ambiguous)."""
        return self.asks_for or ("values" if self.offer_calculator else None)


def added_days(old: Slots, turn: Turn) -> int | None:
    """The days counted so far when this message adds more on top of them ("再拖十天"), else None."""
    v = turn.values
    return old.days if v.days_added and v.days is not None and old.days is not None else None


def merge_slots(old: Slots, turn: Turn) -> tuple[Slots, tuple[Slot, ...]]:
    """New values replace old ones, more days ("再拖十天") add to the days so far; returns the merged
    slots and which used values were carried over."""
    v = turn.values
    before = added_days(old, turn)
    days = v.days if before is None or v.days is None else before + v.days
    new = Slots(
        principal=v.principal if v.principal is not None else old.principal,
        principal_approx=v.principal_approx if v.principal is not None else old.principal_approx,
        days=days if days is not None else old.days,
        # a vague count plus a stated one is no longer the phrase the user said: the sum is given plainly
        days_approx=(v.days_approx if before is None else None) if v.days is not None else old.days_approx,
        daily_rate=v.daily_rate if v.daily_rate is not None else old.daily_rate,
        rate_basis=v.rate_basis if v.daily_rate is not None else old.rate_basis,
    )
    carried: list[Slot] = []
    if v.principal is None and old.principal is not None:
        carried.append("principal")
    if v.days is None and old.days is not None:
        carried.append("days")
    if v.daily_rate is None and old.daily_rate is not None:
        carried.append("daily_rate")
    return new, tuple(carried)


def _retrieved(result: RetrievalResult, roles: Roles, slots: Slots, turn: Turn) -> Decision:
    """The plain reply: the best intent the message can be answered from, or the fallback for its scope.

    An intent with cue words answers only a message that has one of them; otherwise the next
    intent that is confident enough answers, and when none is, the message is everyday 借呗 use.
    """
    # close to an out-of-scope topic, yet the message speaks of being overdue (or of being shown as
    # overdue, which is never "I am not overdue"): a confident intent still answers
    confident = result.top is not None and result.top.score >= roles.threshold
    overdue_after_all = result.miss is Miss.OUT_OF_SCOPE and confident and (
        (result.scope == "everyday" and turn.overdue_talk) or (result.scope == "not_overdue" and turn.shown_overdue))
    if (result.miss is not None and not overdue_after_all) or result.top is None:
        scope: FallbackScope = "unsure"
        if result.miss is Miss.OUT_OF_SCOPE and result.scope is not None:
            scope = result.scope
        if scope == "other_product" and not turn.names_product:
            # close to the other-product questions, yet naming no product at all ("怎么办"): not
            # known to be about another product, so not told it is
            scope = "unsure"
        return Decision(ReplyKind.FALLBACK, slots, scope=scope)
    def answerable(intent_id: str) -> bool:
        cue = roles.cues.get(intent_id)
        return (cue is None or bool(cue.search(turn.text))
                or (turn.late_by_dates and intent_id in roles.late_cued))

    preferred = next((h.id for h in result.hits[:PREFER_WITHIN]
                      if h.score >= roles.threshold and (p := roles.prefer.get(h.id)) is not None
                      and p.search(turn.text) and answerable(h.id)), None)
    if preferred is not None:
        return Decision(ReplyKind.HANDOFF if preferred == roles.handoff else ReplyKind.ANSWER, slots, intent=preferred,
                        offer_calculator=preferred == roles.penalty)
    intent = None
    for rank, hit in enumerate(result.hits):
        if rank > 0 and (hit.id not in roles.cues or hit.score < roles.threshold or not turn.overdue_talk):
            # another intent may stand in for the top one only when the message speaks of being
            # overdue and has that intent's own cue words
            break
        if answerable(hit.id):
            intent = hit.id
            break
    if intent is None:
        # close to an overdue answer but without a word of being late or owing: everyday 借呗 use; one
        # that does speak of being late and matches no entry's cue ("借呗逾期 微信会被封吗") is a
        # question the knowledge does not cover, never "not an overdue question"
        return Decision(ReplyKind.FALLBACK, slots, scope="unsure" if turn.overdue_talk else "everyday")
    if intent == roles.handoff:
        return Decision(ReplyKind.HANDOFF, slots, intent=intent)
    return Decision(ReplyKind.ANSWER, slots, intent=intent, offer_calculator=intent == roles.penalty)


def may_join(decision: Decision) -> bool:
    """A reply another question's answer can join: an answer, an estimate or a question for a value,
    with nothing joined yet (never a fallback, a crisis or small talk)."""
    return (decision.kind in (ReplyKind.ANSWER, ReplyKind.PENALTY, ReplyKind.ASK_VALUE)
            and decision.intent is not None and decision.also is None)


def about_penalty_only(decision: Decision, roles: Roles) -> bool:
    """The reply speaks only of the penalty (an estimate, a question for a value, the penalty answer),
    so another question in the same message would go unanswered."""
    return decision.intent is not None and decision.intent == roles.penalty and decision.also is None


def with_penalty_answer(decision: Decision, side: Decision, roles: Roles) -> Decision:
    """``decision``, which answers the message's other question (``side``, decided on that question
    alone, got the same intent: "借呗逾期罚息多少？多久会上征信？" got the 征信 answer), with the
    penalty answer joined to it, which invites the values for an estimate."""
    if (decision.kind is not ReplyKind.ANSWER or decision.intent in (None, roles.penalty) or roles.penalty is None
            or side.intent != decision.intent or decision.estimate or decision.also is not None):
        return decision
    return replace(decision, also=roles.penalty, offer_calculator=True)


def with_side_answer(decision: Decision, side: Decision, roles: Roles) -> Decision:
    """``decision`` with the answer to the message's other question (``side``, decided on that
    question alone) joined to it, when that question has an answer of its own beside the penalty."""
    if (not about_penalty_only(decision, roles) or side.kind not in (ReplyKind.ANSWER, ReplyKind.HANDOFF)
            or side.intent is None or side.intent == roles.penalty):
        return decision
    return replace(decision, also=side.intent)


def with_other_answer(decision: Decision, other: Decision, confirmed: bool) -> Decision:
    """``decision`` answering one of the message's questions, with the answer to another of them
    (``other``, decided on that question alone) joined, when that is a different entry and the
    question names it plainly (``confirmed``: read without any context it still comes first), so
    that a vague second part ("还能用吗") never adds an answer of its own."""
    if (decision.kind is not ReplyKind.ANSWER or decision.also is not None or not confirmed
            or other.kind not in (ReplyKind.ANSWER, ReplyKind.HANDOFF) or other.intent in (None, decision.intent)):
        return decision
    return replace(decision, also=other.intent)


def decide(turn: Turn, slots: Slots, result: RetrievalResult | None, roles: Roles, limits: Limits,
           last_intent: str | None = None) -> Decision:
    """Choose the reply kind for ``turn`` given the remembered ``slots`` and the retrieval ``result``.

    ``result`` may be None only for dialogue acts, which never need retrieval. ``last_intent``: the
    entry that answered the conversation's previous message, which "真的吗" and "为什么" ask about.
    """
    if turn.act in ABOUT_LAST_ANSWER:
        if last_intent is None:  # nothing to confirm or explain: not sure what is asked
            return Decision(ReplyKind.FALLBACK, slots, scope="unsure")
        if last_intent == roles.penalty and slots.complete:  # the estimate again, its formula shown
            return Decision(ReplyKind.PENALTY, slots, intent=roles.penalty, estimate=True, estimate_first=True)
        kind = ReplyKind.HANDOFF if last_intent == roles.handoff else ReplyKind.ANSWER
        return Decision(kind, slots, act=turn.act, intent=last_intent)
    if turn.act is DialogueAct.CRISIS:
        return Decision(ReplyKind.CRISIS, slots, act=turn.act)
    if turn.act is DialogueAct.RESET:
        return Decision(ReplyKind.SMALLTALK, Slots(), act=turn.act)
    if turn.act is DialogueAct.HUMAN:
        return Decision(ReplyKind.HANDOFF, slots, act=turn.act, intent=roles.handoff)
    if turn.act is not DialogueAct.NONE:
        return Decision(ReplyKind.SMALLTALK, slots, act=turn.act)
    assert result is not None, "retrieval is needed for everything but dialogue acts"

    # another product only: its numbers are not a 借呗 penalty and its questions are not ours
    if turn.other_product is not None:
        return Decision(ReplyKind.FALLBACK, slots, scope="other_product")
    if turn.not_overdue:
        return Decision(ReplyKind.FALLBACK, slots, scope="not_overdue")

    if turn.unplaced_number and slots.missing is not None:
        # "20" right after the invitation: ask for the missing value in words that place it
        return Decision(ReplyKind.ASK_VALUE, slots, intent=roles.penalty, asks_for=slots.missing)

    top_is_penalty = result.top is not None and not result.fallback and result.top.id == roles.penalty
    v = turn.values
    # numbers count as the overdue debt when the message talks of one, or answers the bot's question; a
    # rate alone ("日利率是万分之四") also when the conversation already holds the amount or the days
    rate_for_debt = (v.daily_rate is not None and v.principal is None and v.days is None
                     and (slots.principal is not None or slots.days is not None))
    # …and so do numbers alone ("如果是一万呢") once the conversation holds the debt
    what_if = turn.only_values and (slots.principal is not None or slots.days is not None)
    values_count = turn.has_values and (turn.debt_talk or turn.answers_awaited or rate_for_debt or what_if)
    if values_count:
        merged, carried = merge_slots(slots, turn)
        # the days checked are those this message states: the sum when it adds more ("再拖十天")
        problems = out_of_range(v.principal, merged.days if v.days is not None else None, v.daily_rate, limits,
                                v.rejected)
        if problems:
            return Decision(ReplyKind.REFUSE_VALUE, slots, intent=roles.penalty, problems=tuple(problems))
        before = added_days(slots, turn)
    else:
        merged, carried, before = slots, ("principal", "days", "daily_rate"), None
    carried = tuple(c for c in carried if getattr(merged, c) is not None)

    plain = _retrieved(result, roles, merged, turn)
    # the penalty named inside a question another entry answers ("能减免罚息吗", "罚息合法吗") is that
    # entry's question, unless the message asks what the penalty comes to
    other_question = plain.kind is ReplyKind.ANSWER and plain.intent != roles.penalty and not turn.asks_amount
    about_penalty = (top_is_penalty or turn.penalty_question) and not other_question
    new_value = values_count and (v.principal is not None or v.days is not None or v.daily_rate is not None)
    if merged.complete and (new_value or about_penalty):
        # a question beyond the numbers ("…会上征信吗") is answered first, the estimate joined after it
        # so is a message of nothing but numbers ("再拖两周呢" after an estimate): it asks the estimate again
        first = about_penalty or what_if or plain.kind is ReplyKind.FALLBACK or not turn.has_question
        intent = roles.penalty if first else plain.intent
        kind = ReplyKind.PENALTY if first else ReplyKind.ANSWER
        return Decision(kind, merged, intent=intent, estimate=True, estimate_first=first, carried=carried,
                        days_before=before, total=turn.asks_total)
    missing = merged.missing
    if new_value and missing is not None:
        # an amount or a rate alone is only ever about the penalty; days alone ("逾期四天") may ask anything
        # …unless the statement says more than the debt and those words choose another entry ("欠了两万多
        # 催收天天打电话"): that one answers, and the amount is kept for an estimate
        answered_elsewhere = (plain.kind is ReplyKind.ANSWER and plain.intent != roles.penalty and not turn.penalty_question
                              and not turn.only_debt)
        about_money = (v.principal is not None or v.days is None) and not turn.has_question and not answered_elsewhere
        # but a rate inside a question best answered by another entry ("罚息年化24%合法吗") is that
        # entry's question: the rate is remembered for a later estimate
        rate_question = (v.principal is None and v.days is None and turn.has_question and not top_is_penalty
                         and plain.kind is ReplyKind.ANSWER)
        # and numbers inside an everyday question with no word of being late are a normal loan's: a rate
        # ("为什么我的日利率是万分之五"), or a term or amount when nothing asks about a penalty
        # ("借呗分了六期 现在想把本金提前还掉行吗"); the message falls back as the question does
        everyday_numbers = (turn.has_question and not turn.overdue_talk and plain.kind is ReplyKind.FALLBACK
                            and plain.scope in ("everyday", "not_overdue")
                            and ((v.principal is None and v.days is None) or not turn.penalty_question))
        # a due date today or still to come ("明天就到期了 欠五千 只有三千") has no days overdue to ask for:
        # the message is answered as it asks, the amount kept, unless it asks what the penalty would be
        not_late_yet = missing == "days" and turn.before_due and not turn.penalty_question
        # one value given right after the bot asked for the numbers ("逾期5天" after the invitation) asks too
        if ((about_penalty or plain.kind is ReplyKind.FALLBACK or about_money or turn.answers_awaited)
                and not (rate_question or everyday_numbers or not_late_yet)):
            return Decision(ReplyKind.ASK_VALUE, merged, intent=roles.penalty, asks_for=missing, carried=carried)
    if about_penalty and missing is not None and (merged.principal is not None or merged.days is not None):
        # "罚多少" after one of the two values was given earlier: ask for the other, naming the one kept
        return Decision(ReplyKind.ASK_VALUE, merged, intent=roles.penalty, asks_for=missing, carried=carried)
    return replace(plain, slots=merged)

