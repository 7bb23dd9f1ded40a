"""``POST /api/feedback``: 👍/👎 on an answer of the same session, one rating per answer, stored durably."""

from __future__ import annotations

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from bot.answer import Contact
from bot.api.deps import BotDep, FeedbackDep, SettingsDep
from bot.api.errors import ApiError
from bot.api.routes.chat import SESSION_ID_PATTERN, ExternalText
from bot.normalize import strip_controls

router = APIRouter(prefix="/api", tags=["feedback"])
MESSAGE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,128}$"
COMMENT_LIMIT = 500


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: StrictStr = Field(pattern=SESSION_ID_PATTERN)
    message_id: StrictStr | None = Field(None, pattern=MESSAGE_ID_PATTERN)
    answer_id: StrictStr | None = Field(None, pattern=MESSAGE_ID_PATTERN, description="Alias of message_id")
    helpful: StrictBool
    comment: ExternalText | None = Field(None, max_length=COMMENT_LIMIT)

    @model_validator(mode="after")
    def _needs_message(self) -> FeedbackRequest:
        if not (self.message_id or self.answer_id):
            raise ValueError("message_id or answer_id is required")
        return self


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True
    updated: bool = Field(False, description="The answer had been rated before; this rating replaced it")
    contacts: list[Contact] = Field(default=[], description="Human contacts, offered when the answer did not help")


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, summary="Rate an answer",
             responses={200: {"description": "The rating replaced an earlier one"},
                        404: {"description": "No such answer in this session"}})
def feedback(body: FeedbackRequest, store: FeedbackDep, bot: BotDep, settings: SettingsDep, response: Response,
             idempotency_key: str | None = Header(None, pattern=IDEMPOTENCY_KEY_PATTERN)) -> FeedbackResponse:
    """Rate an answer given in this session. A repeat updates the rating; a retry with the same
    ``Idempotency-Key`` header returns the first result and stores nothing new."""
    message_id = body.message_id or body.answer_id
    assert message_id is not None
    state = bot.chat.sessions.get(body.session_id)
    answered = state.answered(message_id) if state else None
    if answered is None:
        raise ApiError(404, "answer_not_found", "这个会话里没有这条回答", "No such answer in this session")
    question, intent = answered
    comment = strip_controls(body.comment).strip()[:COMMENT_LIMIT] or None if body.comment else None
    key = f"{body.session_id}:{idempotency_key}" if idempotency_key else None
    rating = store.rate(body.session_id, message_id, body.helpful, comment, question, intent, key)
    if not rating.created:
        response.status_code = 200
    return FeedbackResponse(id=rating.id, updated=not rating.created,
                            contacts=[] if body.helpful else bot.chat.composer.contacts)
