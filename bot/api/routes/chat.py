"""``POST /api/chat``: one message in, the answer object out."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from bot.answer import Answer
from bot.api.deps import BotDep, SettingsDep
from bot.api.errors import ApiError
from bot.normalize import strip_controls, valid_text

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_SESSION_ID = re.compile(SESSION_ID_PATTERN)
ExternalText = Annotated[StrictStr, AfterValidator(valid_text)]
"""A string from the outside, made valid Unicode once, here at the edge."""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: ExternalText = Field(description="The user's question, 1–500 characters after trimming")
    session_id: ExternalText | None = Field(None, description="Omit or send null to start a new session")


def clean_message(raw: str, max_chars: int) -> str:
    """Remove control characters, trim, and enforce the length limit."""
    text = strip_controls(raw).replace("\r\n", "\n").strip()
    if not text:
        raise ApiError(422, "message_empty", "消息不能为空", "Message must not be empty")
    if len(text) > max_chars:
        raise ApiError(422, "message_too_long", f"消息太长，请控制在{max_chars}字以内",
                       f"Message is too long: at most {max_chars} characters")
    return text


@router.post("/chat", response_model=Answer, summary="Ask the bot one question")
def chat(body: ChatRequest, bot: BotDep, settings: SettingsDep) -> Answer:
    """Answer a message; an unknown or missing ``session_id`` starts a new session."""
    message = clean_message(body.message, settings.max_message_chars)
    session_id = body.session_id
    if session_id is not None and not _SESSION_ID.match(session_id):
        session_id = None  # malformed ids are treated like unknown ones: a new session
    answer = bot.chat.reply(message, session_id)
    logger.info("answered", extra={"kind": answer.kind.value, "confidence": answer.confidence,
                                   "source": answer.sources[0].id if answer.sources else None,
                                   "penalty": answer.penalty is not None})
    return answer
