"""``GET /api/faq`` and ``GET /api/faq/{id}``: the knowledge intents, for support tools."""

from __future__ import annotations

import re

from fastapi import APIRouter, Path
from pydantic import BaseModel

from bot.api.deps import BotDep
from bot.api.errors import ApiError
from bot.compose import evidence_label, intent_label
from bot.corpus import ID_PATTERN, Corpus, Intent

router = APIRouter(prefix="/api/faq", tags=["faq"])


class FaqItem(BaseModel):
    id: str
    title: str
    lead: str
    answer: str
    questions: list[str]
    tags: list[str]
    role: str | None
    sources: list[str]
    advice: bool


def _item(intent: Intent, corpus: Corpus) -> FaqItem:
    sources = [intent_label(intent, corpus)] + [evidence_label(e) for e in corpus.evidence_for(intent.id)]
    return FaqItem(id=intent.id, title=intent.title, lead=intent.lead, answer=intent.text,
                   questions=list(intent.questions), tags=list(intent.tags), role=intent.role, sources=sources,
                   advice=intent.advice)


@router.get("", response_model=list[FaqItem], summary="All knowledge intents")
def list_faq(bot: BotDep) -> list[FaqItem]:
    return [_item(i, bot.corpus) for i in bot.corpus.intents]


@router.get("/{entry_id}", response_model=FaqItem, summary="One knowledge intent")
def get_faq(bot: BotDep, entry_id: str = Path(max_length=64)) -> FaqItem:
    intent = bot.corpus.get(entry_id) if re.match(ID_PATTERN, entry_id) else None
    if intent is None:
        raise ApiError(404, "faq_not_found", "没有这个知识条目", "No such knowledge entry")
    return _item(intent, bot.corpus)
