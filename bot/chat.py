"""The chat pipeline: understand → retrieve → decide → compose, with values remembered per session.

A message is understood once (:mod:`bot.understand`); retrieval runs unless a dialogue act already
decides the reply; one policy function (:func:`bot.policy.decide`) chooses the reply kind from the
turn, the remembered values and the retrieval result; the composer renders it. The session update
is atomic per conversation, so two concurrent turns never lose each other's values.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace
from itertools import islice

from bot.answer import Answer, ReplyKind
from bot.compose import Composer
from bot.corpus import Corpus, Intent
from bot.penalty import Limits
from bot.policy import (
    Decision,
    Roles,
    about_penalty_only,
    decide,
    may_join,
    with_other_answer,
    with_penalty_answer,
    with_side_answer,
)
from bot.retrieve.hybrid import Miss, RetrievalResult, Retriever
from bot.sessions import SessionState, SessionStore, Slots, new_session_id
from bot.settings import Settings
from bot.understand import STATEMENT_ACTS, DialogueAct, Turn, Understander

logger = logging.getLogger(__name__)

FOLLOW_UP_MAX_CHARS = 30
"""Longer messages are questions of their own, never read as a follow-up."""
FOLLOW_UP_WITHIN = 3
"""A follow-up read in context must land on one of the message's own top intents."""
NOT_FOLLOW_UPS = ("chitchat",)
"""Out-of-scope topics that stay out of scope whatever came before. Another product is not among
them: a message that names one is never a follow-up, and one that names none ("怎么办") may only
sound like the other-product questions. Nor are the not-overdue questions: a message that says it
is not overdue is a follow-up only after an answer about being shown so (see ``_may_follow_up``),
and one that says nothing of the kind ("那房贷呢") may only sound like them."""


class ChatService:
    """Stateless apart from the session store; safe to share between requests and threads."""

    def __init__(self, settings: Settings, corpus: Corpus, retriever: Retriever, sessions: SessionStore) -> None:
        self.settings = settings
        self.corpus = corpus
        self.retriever = retriever
        self.sessions = sessions
        self.understander = Understander(corpus, retriever.segmenter, settings.product_terms)
        self.composer = Composer(corpus, settings)
        self.limits = Limits(settings.max_principal, settings.max_days)
        penalty, handoff = corpus.by_role("penalty"), corpus.by_role("handoff")
        self.roles = Roles(penalty.id if penalty else None, handoff.id if handoff else None,
                           {i.id: re.compile(i.cues) for i in corpus.intents if i.cues},
                           {i.id: re.compile(i.prefer) for i in corpus.intents if i.prefer},
                           frozenset(i.id for i in corpus.intents if i.late_cued),
                           frozenset(i.id for i in corpus.intents if i.product_follow_up),
                           settings.threshold(settings.retrieval_mode))

    def understand(self, message: str, awaiting: str | None = None) -> Turn:
        return self.understander.understand(message, awaiting)

    def respond(self, turn: Turn, state: SessionState) -> tuple[Decision, RetrievalResult | None, Answer]:
        """The reply to one understood message in a conversation (pure apart from retrieval)."""
        result = None
        if turn.act is DialogueAct.NONE:
            result = self.retriever.search(turn.text, turn.match_text)
        decision = decide(turn, state.slots, result, self.roles, self.limits, state.previous_intent)
        if decision.kind is ReplyKind.FALLBACK and turn.ellipsis is not None and state.previous_intent is not None:
            turn, result, decision = self._restated(turn, state, result, decision)
        if decision.scope == "other_product" and state.last_answered_intent is not None:
            turn, result, decision = self._product_in_context(turn, state, result, decision)
        if decision.kind is ReplyKind.FALLBACK and turn.act is DialogueAct.NONE:
            turn, result, decision = self._after_unanswered(turn, state, result, decision)
        if decision.kind is ReplyKind.FALLBACK and self._may_follow_up(turn, state, result):
            turn, result, decision = self._in_context(turn, state, result, decision)
        side_result = None
        if turn.side_questions and may_join(decision):
            decision, side_result = self._other_question(turn, decision)
        elif turn.questions and may_join(decision):
            decision, side_result = self._second_question(turn, decision)
        repeated = decision.intent is not None and decision.intent == state.previous_intent
        answer = self.composer.compose(decision, result, whole_loan=turn.whole_loan, also_result=side_result,
                                       repeated=repeated)
        return decision, result, answer

    def _read(self, text: str, slots: Slots, awaiting: str | None = None) -> tuple[Turn, RetrievalResult, Decision]:
        """``text`` understood, retrieved and decided with ``slots``: a message read another way (in
        context, restated, or one part of it), for the caller to keep or drop."""
        read = self.understand(text, awaiting)
        found = self.retriever.search(read.text, read.match_text)
        return read, found, decide(read, slots, found, self.roles, self.limits)

    @staticmethod
    def _closest(result: RetrievalResult | None) -> set[str]:
        """The entries a message alone came closest to: a rereading may only answer with one of them."""
        return {h.id for h in result.hits[:FOLLOW_UP_WITHIN]} if result is not None else set()

    def _part_in_context(self, question: str) -> tuple[Decision, RetrievalResult]:
        """One part of a message decided on its own, as said in a conversation about an overdue 借呗
        (no remembered values: the message's own values were read with the whole message)."""
        _, found, decision = self._read((self.corpus.dialogue.follow_up_context or "") + question, Slots())
        return decision, found

    def _other_question(self, turn: Turn, decision: Decision) -> tuple[Decision, RetrievalResult | None]:
        """A message asking the penalty and something else ("欠两万逾期一个月罚多少，会被起诉吗"): the
        penalty reply with the answer to the first other question that has one joined to it, or, when
        the other question won the message, its answer with the penalty answer joined. Each question
        is read on its own, as said in a conversation about an overdue 借呗, so the penalty words
        around it do not pull it back to the penalty. Returns the retrieval of the joined answer."""
        for question in turn.side_questions:
            side, found = self._part_in_context(question)
            joined = (with_side_answer(decision, side, self.roles) if about_penalty_only(decision, self.roles)
                      else with_penalty_answer(decision, side, self.roles))
            if joined.also is not None:
                logger.debug("other question answered too: %s", joined.also)
                return joined, found if joined.also == side.intent else None
        return decision, None

    def _second_question(self, turn: Turn, decision: Decision) -> tuple[Decision, RetrievalResult | None]:
        """A message asking two things ("借呗逾期三个月了 会坐牢吗 会起诉我吗"): the reply with the answer to
        the first other question that names a different entry plainly. Each question is decided in
        the conversation's context, and confirmed by reading it alone."""
        for question in turn.questions:
            other, found = self._part_in_context(question)
            if other.intent is None or other.intent == decision.intent:
                continue
            alone = self.understand(question)
            bare = self.retriever.search(alone.text, alone.match_text)
            confirmed = (bare.top is not None and bare.top.id == other.intent
                         and bare.top.score >= self.roles.threshold)
            joined = with_other_answer(decision, other, confirmed)
            if joined.also is not None:
                logger.debug("second question answered too: %s", joined.also)
                return joined, found
        return decision, None

    def _restated(self, turn: Turn, state: SessionState, result: RetrievalResult | None,
                  decision: Decision) -> tuple[Turn, RetrievalResult | None, Decision]:
        """"那信用卡呢" after "花呗逾期会影响借呗吗": the previous question asked of that product, when
        the previous question named another product and was answered; otherwise the message as it was."""
        # the question before a run of such messages ("那信用卡呢", then "网商贷呢")
        # (the last two, newest first: only as many messages are read as are needed)
        asked = list(islice((q for _, q, _ in reversed(state.recent) if not self.understander.is_ellipsis(q)), 2))
        text = self.understander.restated(asked[0], turn.ellipsis or "") if asked else None
        if text is None and len(asked) == 2:
            # a question that named no other product was read with the statement before it ("借呗还能用吗"
            # after "花呗逾期了"): the two together are what is asked again of the new product
            text = self.understander.restated(f"{asked[1]}，{asked[0]}", turn.ellipsis or "")
        if text is None:
            return turn, result, decision
        again, found, answer = self._read(text, state.slots, state.awaiting)
        if answer.kind is ReplyKind.FALLBACK:
            return turn, result, decision
        logger.debug("previous question asked of %s: %s", turn.ellipsis, answer.intent)
        return again, found, answer

    def _product_in_context(self, turn: Turn, state: SessionState, result: RetrievalResult | None,
                            decision: Decision) -> tuple[Turn, RetrievalResult | None, Decision]:
        """"那花呗还能用吗" after an answer about an overdue 借呗: what the overdue 借呗 does to the other
        product, when reading it in that conversation lands on an entry that answers such questions
        (``product_follow_up``), or on the last answer's entry again when read in that answer's own
        situation ("信用卡也都还了" after "当前存在逾期"). A question with lateness of its own
        ("花呗逾期了怎么办"), a long one, and "那花呗呢" (the last question asked of 花呗: "借呗逾期会上
        征信吗" → "花呗逾期会上征信吗") are about the other product and fall back as before."""
        context = self.corpus.dialogue.follow_up_context
        if (context is None or turn.overdue_talk or turn.ellipsis is not None
                or len(turn.text) > FOLLOW_UP_MAX_CHARS):
            return turn, result, decision
        read, found, answer = self._read(context + turn.raw, state.slots, state.awaiting)
        if answer.kind is ReplyKind.ANSWER and answer.intent in self.roles.product_follow_ups:
            logger.debug("another product asked of in an overdue 借呗 conversation: %s", answer.intent)
            return read, found, answer
        last = self._last_answered(state)
        if last is not None and last.follow_up_context:
            # the other product may be part of the last answer's own situation ("信用卡也都还了" after
            # "当前存在逾期"): read there, a message that lands on that entry again continues it
            read, found, answer = self._read(last.follow_up_context + turn.raw, state.slots, state.awaiting)
            if answer.kind is ReplyKind.ANSWER and answer.intent == last.id:
                logger.debug("another product in the last answer's situation: %s", answer.intent)
                return read, found, answer
        return turn, result, decision

    def _after_unanswered(self, turn: Turn, state: SessionState, result: RetrievalResult | None,
                          decision: Decision) -> tuple[Turn, RetrievalResult | None, Decision]:
        """A message read together with the one before it when both fall back, because users tell
        their situation in one message and ask in the next: "借呗还能用吗" right after "花呗逾期了"
        (another product's), "我想18号还" right after "借呗还款日是15号". Kept only when that lands
        on one of the entries the message alone came closest to; otherwise the message as it was."""
        if not state.recent or state.previous_intent is not None or len(turn.text) > FOLLOW_UP_MAX_CHARS:
            return turn, result, decision
        previous = state.recent[-1][1]
        if self.understand(previous).act not in STATEMENT_ACTS | {DialogueAct.NONE}:
            return turn, result, decision
        joined, found, answer = self._read(f"{previous}，{turn.raw}", state.slots, state.awaiting)
        if answer.kind is ReplyKind.FALLBACK or answer.intent not in self._closest(result):
            return turn, result, decision
        logger.debug("read with the unanswered message before it: %s", answer.intent)
        return joined, found, answer

    def _may_follow_up(self, turn: Turn, state: SessionState, result: RetrievalResult | None) -> bool:
        """A short message naming no other product, after an answer in this conversation ("会被起诉吗").

        One that names 借呗 ("借呗还能用吗" after the one-day answer, "借呗怎么还" after what-to-do-now)
        is a follow-up too unless it came closest to an everyday question ("借呗几号还款"): it fell back
        only for want of a word of being late, which the conversation has said already.
        Saying one is not overdue ("可是我没有逾期啊", "可是我借呗没逾期", which may name 借呗) is a
        follow-up only when the last answer's entry is about being shown as overdue (its own context
        says so: "借呗提示我当前存在逾期，"); read after an overdue 借呗 it would contradict itself."""
        context = self.corpus.dialogue.follow_up_context
        denial = turn.not_overdue
        return (context is not None and result is not None and bool(result.hits)
                and state.last_answered_intent is not None
                and len(turn.text) <= FOLLOW_UP_MAX_CHARS and turn.other_product is None
                and (not turn.names_product or denial or result.miss is not Miss.OUT_OF_SCOPE)
                and (not denial or bool(self._follow_up_contexts(state, denial=True)))
                and result.scope not in NOT_FOLLOW_UPS)

    def _last_answered(self, state: SessionState) -> Intent | None:
        """The entry that gave the conversation's last answer, if any."""
        return self.corpus.get(state.last_answered_intent) if state.last_answered_intent else None

    def _follow_up_contexts(self, state: SessionState, denial: bool = False) -> list[str]:
        """What a follow-up is read after: the last answer's own context when its entry has one, then
        the dialogue's (a conversation about an overdue 借呗). For a ``denial`` of being overdue, only
        an own context that speaks of being shown as overdue."""
        last = self._last_answered(state)
        contexts = [last.follow_up_context] if last is not None and last.follow_up_context else []
        if denial:
            return [c for c in contexts if self.understand(c).shown_overdue]
        general = self.corpus.dialogue.follow_up_context
        return contexts + [general] if general and general not in contexts else contexts

    def _in_context(self, turn: Turn, state: SessionState, result: RetrievalResult,
                    decision: Decision) -> tuple[Turn, RetrievalResult, Decision]:
        """The message read as part of the conversation (the last answer's own situation, else an
        overdue 借呗), when that answers it with one of the intents the message alone came closest to;
        otherwise the message as it was."""
        closest = self._closest(result)
        last = self._last_answered(state)
        contexts = self._follow_up_contexts(state, denial=turn.not_overdue)
        procedure = last.procedure_context if last is not None and turn.asks_procedure else None
        # a bare span of time ("都两天了") after an answer with a situation of its own is the time since
        # that situation (repaid two days ago and still shown overdue), not days overdue
        elapsed = (turn.values.days is not None and turn.values.principal is None and not turn.has_question
                   and not turn.overdue_talk)
        for context in [procedure] + contexts if procedure else contexts:
            # asked how to apply right after an answer about applying ("怎么申请" after the waiver
            # answer), denied being overdue after an answer about being shown so ("可是我借呗没逾期"
            # after "当前存在逾期"), or said how long it has been: that entry may answer, though the
            # message alone was not close to it
            own_context = last is not None and context == last.follow_up_context
            returns = context == procedure or turn.not_overdue or (elapsed and own_context)
            own = closest | {last.id} if returns and last is not None else closest
            in_context, found, answer = self._read(context + turn.raw, state.slots, state.awaiting)
            if answer.kind is not ReplyKind.FALLBACK and answer.intent not in own:
                # the context chose an entry the message alone was not close to ("怎么办" after the
                # one-day answer is read as that question again): choose among the message's own
                found = replace(found, hits=[h for h in found.hits if h.id in own])
                answer = decide(in_context, state.slots, found, self.roles, self.limits)
            if answer.kind is not ReplyKind.FALLBACK and answer.intent in own:
                logger.debug("follow-up read in context: %s", answer.intent)
                return in_context, found, answer
        return turn, result, decision

    def reply(self, message: str, session_id: str | None = None) -> Answer:
        """Answer ``message`` in session ``session_id`` (a new session when unknown or missing)."""
        if not session_id or self.sessions.get(session_id) is None:
            session_id = new_session_id()
        message_id = secrets.token_hex(8)

        def turn(state: SessionState | None) -> tuple[SessionState, Answer]:
            state = state or SessionState()
            understood = self.understand(message, state.awaiting)
            decision, _, answer = self.respond(understood, state)
            new_state = state.after_turn(decision.slots, decision.awaits, message_id, message, decision.intent)
            return new_state, answer

        answer = self.sessions.update(session_id, turn)
        return answer.model_copy(update={"session_id": session_id, "message_id": message_id})
