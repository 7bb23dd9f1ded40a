"""The answer object returned by the CLI, the chat pipeline and ``POST /api/chat``."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class ReplyKind(StrEnum):
    """What kind of reply the policy chose; clients branch on this, never on the text."""

    CRISIS = "crisis"
    SMALLTALK = "smalltalk"
    HANDOFF = "handoff"
    PENALTY = "penalty"
    ASK_VALUE = "ask_value"
    REFUSE_VALUE = "refuse_value"
    ANSWER = "answer"
    FALLBACK = "fallback"


class SourceRef(BaseModel):
    """Where the reply comes from: a knowledge intent, or the evidence behind it."""

    id: str
    title: str
    kind: Literal["intent", "article", "comment"]
    score: float | None = Field(None, description="Retrieval confidence of this source, 0–1, when it was matched")
    label: str = Field(description="Human-readable citation")


class Contact(BaseModel):
    """A phone number to offer (the widget renders it as a tel: link)."""

    name: str
    number: str
    note: str | None = None


class PenaltyInfo(BaseModel):
    """A penalty estimate; rates are fractions (0.0005 = 0.05% per day)."""

    principal: float
    days: int
    daily_rate: float
    rate_assumed: bool
    amount: float
    per_day: float = Field(description="What each further day adds until repaid, at the stated amount and rate")
    annualized_rate: float
    formula: str
    amount_max: float | None = Field(None, description="Upper end when the user gave a range (十几天, 两三千)")
    principal_max: float | None = None
    days_max: int | None = None
    total: float | None = Field(None, description="Principal plus penalty, when the user asked what clearing the debt "
                                                  "costs in all (the loan's normal interest not included)")
    total_max: float | None = None
    carried: list[Literal["principal", "days", "daily_rate"]] = Field(
        default=[], description="Values carried over from earlier turns of the conversation")


class Answer(BaseModel):
    """What the bot says to one message."""

    session_id: str | None = None
    message_id: str = ""
    kind: ReplyKind
    lead: str = Field(description="The direct answer, at most 80 characters; shown first")
    answer: str = Field(description="The whole reply: the lead, then the explanation and details")
    details: str = Field("", description="Everything after the lead (the widget shows it expandable)")
    also: list[str] = Field(default=[], description=(
        "The direct answer to the message's second question (\"罚多少，会被起诉吗\", "
        "\"会坐牢吗 会起诉我吗\"); shown under the lead. Its explanation follows in details and answer"))
    fallback: bool
    confidence: float = Field(ge=0.0, le=1.0, description="Retrieval confidence of the matched entry (0 when none)")
    sources: list[SourceRef] = []
    suggestions: list[str] = []
    penalty: PenaltyInfo | None = None
    asks_for: list[Literal["principal", "days"]] = Field(
        default=[], description="Values the bot asked for to estimate the penalty")
    contacts: list[Contact] = Field(default=[], description="Phone numbers offered with this reply")
    disclaimer: str | None = None
