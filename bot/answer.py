"""The answer object returned by the CLI, the chat pipeline and ``POST /api/chat``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SourceRef(BaseModel):
    """A knowledge entry the reply is based on."""

    id: str
    title: str
    kind: Literal["article", "comment", "faq"]
    score: float = Field(description="Retrieval confidence of this entry, 0–1")
    label: str = Field(description="Human-readable citation")


class PenaltyInfo(BaseModel):
    """A penalty estimate; rates are fractions (0.0005 = 0.05% per day)."""

    principal: float
    days: int
    daily_rate: float
    rate_assumed: bool
    amount: float
    annualized_rate: float
    formula: str


class Answer(BaseModel):
    """What the bot says to one message."""

    session_id: str | None = None
    message_id: str = ""
    answer: str
    fallback: bool
    confidence: float = Field(ge=0.0, le=1.0)
    sources: list[SourceRef] = []
    suggestions: list[str] = []
    penalty: PenaltyInfo | None = None
    asks_for: list[Literal["principal", "days"]] = Field(
        default=[], description="Values the bot asked for to estimate the penalty")
    disclaimer: str | None = None
