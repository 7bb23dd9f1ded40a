"""The chat pipeline: one message in, one answer out, with penalty values remembered per session.

Every message goes through extraction first. With principal and days known (from this message or
earlier turns) the reply is the penalty estimate joined to the penalty knowledge entry; with only
one of them, the question is answered as usual and the missing value is asked for; values out of
range are refused with the reason. Everything else is plain retrieval.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import replace
from decimal import ROUND_HALF_UP

from bot.answer import Answer, PenaltyInfo
from bot.compose import DISCLAIMER, Composer, source_ref
from bot.corpus import Corpus
from bot.extract import Extraction, extract
from bot.normalize import normalize
from bot.numerals import NUMBER, parse_number
from bot.penalty import Limits, calculate, explain, out_of_range
from bot.retrieve.hybrid import RetrievalResult, Retriever
from bot.sessions import SessionState, SessionStore, new_session_id
from bot.settings import Settings

logger = logging.getLogger(__name__)

PENALTY_ENTRY = "faq-penalty"
PENALTY_TAG = "罚息"
DEBT_CUE = re.compile(r"逾期|罚|欠|超期|过期|晚还|晚了|拖|没还|未还|还不上|本金|滞纳|利率|日息|年化|万分之")
BARE_NUMBER = re.compile(rf"[-−负]?\s*{NUMBER}")
OFFER = "告诉我欠款金额和逾期天数（例如“欠5000元，逾期10天”），我可以帮你估算罚息。"
ASK = {
    "principal": "如果想估算罚息，请告诉我欠款金额（例如“欠款5000元”）。",
    "days": "如果想估算罚息，请告诉我逾期天数（例如“逾期10天”）。",
}


class ChatService:
    """Stateless apart from the session store; safe to share between requests."""

    def __init__(self, settings: Settings, corpus: Corpus, retriever: Retriever, sessions: SessionStore) -> None:
        self.settings = settings
        self.corpus = corpus
        self.retriever = retriever
        self.sessions = sessions
        self.composer = Composer(corpus, settings.suggestions)
        self.limits = Limits(settings.max_principal, settings.max_days)

    def reply(self, message: str, session_id: str | None = None) -> Answer:
        """Answer ``message`` in session ``session_id`` (a new session when unknown or missing)."""
        state = self.sessions.get(session_id) if session_id else None
        if state is None:
            session_id, state = new_session_id(), SessionState()
        assert session_id is not None
        found = extract(message)
        if found.empty and state.awaiting:
            found = self._bare_answer(message, state.awaiting) or found
        result = self.retriever.search(message)
        answer, state = self._answer(message, found, state, result)
        message_id = secrets.token_hex(8)
        awaiting = answer.asks_for[0] if answer.asks_for else None
        state = replace(state, turns=state.turns + 1, recent=dict(state.recent), awaiting=awaiting)
        state.remember(message_id, message, answer.sources[0].id if answer.sources else None)
        self.sessions.put(session_id, state)
        return answer.model_copy(update={"session_id": session_id, "message_id": message_id})

    def _answer(self, message: str, found: Extraction, state: SessionState,
                result: RetrievalResult) -> tuple[Answer, SessionState]:
        remembered = state.principal is not None or state.days is not None
        other_product = result.reason.startswith("other_product")
        if found.empty or other_product or not (DEBT_CUE.search(message) or remembered):
            # a question about another product (花呗逾期一天) gets the not-sure reply, numbers or not,
            # and numbers outside any talk of a debt ("借一万一天利息多少") are not an overdue amount
            return self.composer.compose(result, suffix=OFFER if self._about_penalty(result) else ""), state
        problems = out_of_range(found.principal, found.days, found.daily_rate, self.limits, found.rejected)
        if problems:
            text = "无法估算罚息：" + "；".join(problems) + "。请检查后重新告诉我。"
            return self._penalty_answer(result, prefix=text), state
        state = replace(
            state,
            principal=found.principal if found.principal is not None else state.principal,
            days=found.days if found.days is not None else state.days,
            daily_rate=found.daily_rate if found.daily_rate is not None else state.daily_rate,
            rate_basis=found.rate_basis if found.daily_rate is not None else state.rate_basis,
        )
        if state.principal is None or state.days is None:
            if found.principal is None and found.days is None:  # only a rate: remember it quietly
                return self.composer.compose(result), state
            missing = "principal" if state.principal is None else "days"
            if result.fallback:
                answer = self._penalty_answer(result, suffix=ASK[missing])
            else:
                answer = self.composer.compose(result, suffix=ASK[missing])
            return answer.model_copy(update={"asks_for": [missing]}), state
        est = calculate(state.principal, state.days, state.daily_rate, self.settings.default_daily_rate,
                        self.settings.penalty_markup)
        text = explain(est, self.settings.annual_rate_warning, state.rate_basis)
        penalty_entry = self.corpus.get(PENALTY_ENTRY)
        if result.fallback or self._about_penalty(result) or penalty_entry is None:
            answer = self._penalty_answer(result, prefix=text)
        else:  # the user asked something else: answer it, then join the estimate
            answer = self.composer.compose(result, suffix=text)
            answer.sources.append(source_ref(penalty_entry, answer.confidence))
            answer.disclaimer = answer.disclaimer or DISCLAIMER
        return answer.model_copy(update={"penalty": PenaltyInfo(**est.as_json())}), state

    @staticmethod
    def _bare_answer(message: str, awaiting: str) -> Extraction | None:
        """A reply that is only a number ("20", "两万") answers the value the bot asked for."""
        text = normalize(message).rstrip("。.!！ ")
        if not BARE_NUMBER.fullmatch(text):
            return None
        value = parse_number(text.lstrip("-−负"))
        if value is None:
            return None
        if text[0] in "-−负":
            return Extraction(rejected=(awaiting,))
        if awaiting == "days":
            return Extraction(days=int(value.to_integral_value(rounding=ROUND_HALF_UP)))
        return Extraction(principal=value)

    def _about_penalty(self, result: RetrievalResult) -> bool:
        entry = self.corpus.get(result.top.id) if result.top and not result.fallback else None
        return entry is not None and PENALTY_TAG in entry.tags

    def _penalty_answer(self, result: RetrievalResult, prefix: str = "", suffix: str = "") -> Answer:
        entry = self.corpus.get(PENALTY_ENTRY)
        if entry is None:  # a corpus without the penalty entry still answers
            return self.composer.compose(result, suffix="\n\n".join(p for p in (prefix, suffix) if p))
        conf = max(result.confidence, next((h.score for h in result.hits if h.id == PENALTY_ENTRY), 0.0))
        return self.composer.from_entry(entry, max(conf, self.settings.threshold(result.mode)), result,
                                        prefix=prefix, suffix=suffix)
