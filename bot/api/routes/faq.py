"""``GET /api/faq`` and ``GET /api/faq/{id}``: the knowledge entries, for support tools."""

from __future__ import annotations

import re

from fastapi import APIRouter, Path
from pydantic import BaseModel

from bot.api.deps import BotDep
from bot.api.errors import ApiError
from bot.compose import source_label
from bot.corpus import ID_PATTERN, Entry

router = APIRouter(prefix="/api/faq", tags=["faq"])


class FaqItem(BaseModel):
    id: str
    title: str
    kind: str
    answer: str
    correction: str | None
    questions: list[str]
    tags: list[str]
    source: str
    advice: bool


def _item(entry: Entry) -> FaqItem:
    return FaqItem(id=entry.id, title=entry.title, kind=entry.kind, answer=entry.answer, correction=entry.correction,
                   questions=list(entry.questions), tags=list(entry.tags), source=source_label(entry),
                   advice=entry.advice)


@router.get("", response_model=list[FaqItem], summary="All knowledge entries")
def list_faq(bot: BotDep) -> list[FaqItem]:
    return [_item(e) for e in bot.corpus.entries]


@router.get("/{entry_id}", response_model=FaqItem, summary="One knowledge entry")
def get_faq(bot: BotDep, entry_id: str = Path(max_length=64)) -> FaqItem:
    entry = bot.corpus.get(entry_id) if re.match(ID_PATTERN, entry_id) else None
    if entry is None:
        raise ApiError(404, "faq_not_found", "没有这个知识条目", "No such knowledge entry")
    return _item(entry)
