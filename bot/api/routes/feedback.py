"""``POST /api/feedback``: 👍/👎 on an answer, stored durably."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from bot.answer import Contact
from bot.api.deps import BotDep, FeedbackDep
from bot.api.routes.chat import SESSION_ID_PATTERN
from bot.normalize import strip_controls

router = APIRouter(prefix="/api", tags=["feedback"])


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: StrictStr = Field(pattern=SESSION_ID_PATTERN)
    message_id: StrictStr | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    answer_id: StrictStr | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Alias of message_id")
    helpful: StrictBool
    comment: StrictStr | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def _needs_message(self) -> FeedbackRequest:
        if not (self.message_id or self.answer_id):
            raise ValueError("message_id or answer_id is required")
        return self


class FeedbackResponse(BaseModel):
    id: int
    stored: bool = True
    contacts: list[Contact] = Field(default=[], description="Human contacts, offered when the answer did not help")


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, summary="Rate an answer")
def feedback(body: FeedbackRequest, store: FeedbackDep, bot: BotDep) -> FeedbackResponse:
    message_id = body.message_id or body.answer_id
    assert message_id is not None
    state = bot.chat.sessions.get(body.session_id)
    question, source_id = (state.answered(message_id) if state else None) or (None, None)
    comment = strip_controls(body.comment).strip() or None if body.comment else None
    row = store.add(body.session_id, message_id, body.helpful, comment, question, source_id)
    return FeedbackResponse(id=row, contacts=[] if body.helpful else bot.chat.composer.contacts)
