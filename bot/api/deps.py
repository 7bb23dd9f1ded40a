"""Dependencies shared by the routers (``Annotated`` aliases over ``app.state``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.api.errors import ApiError
from bot.feedback import FeedbackStore
from bot.pipeline import Bot
from bot.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_bot(request: Request) -> Bot:
    bot = getattr(request.app.state, "bot", None)
    if bot is None:
        raise ApiError(503, "not_ready", "服务正在启动，请稍后再试", "Service is starting, please retry later",
                       {"Retry-After": "5"})
    return bot


def get_feedback_store(request: Request) -> FeedbackStore:
    return request.app.state.feedback


SettingsDep = Annotated[Settings, Depends(get_settings)]
BotDep = Annotated[Bot, Depends(get_bot)]
FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback_store)]
