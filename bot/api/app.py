"""FastAPI application factory: routers, edge middleware, and the bot loaded once at start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from bot import __version__
from bot.api.errors import install_error_handlers
from bot.api.middleware import BodyLimitMiddleware, RateLimitMiddleware, RequestContextMiddleware, TokenBucketLimiter
from bot.api.routes import chat, faq, feedback, health, web
from bot.feedback import FeedbackStore
from bot.pipeline import Bot, build_bot
from bot.settings import Settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, bot: Bot | None = None) -> FastAPI:
    """Build the app. The bot (model and indexes) loads in the background unless one is passed in."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.feedback = FeedbackStore(settings.feedback_db)
        task = None
        if app.state.bot is None:
            async def load() -> None:
                try:
                    app.state.bot = await asyncio.to_thread(build_bot, settings)
                except Exception as exc:  # corpus errors: reported by /readyz, the process stays up
                    app.state.load_error = f"{type(exc).__name__}: {exc}"
                    logger.exception("bot failed to load")
            task = asyncio.create_task(load())
        yield
        if task is not None and not task.done():
            task.cancel()
        app.state.feedback.close()

    # Swagger UI and ReDoc assets come from a pinned package, so /docs works without internet
    app = FastAPIOffline(title="借呗逾期问答 API", version=__version__, lifespan=lifespan,
                         description="Retrieval-based answers about overdue 借呗 repayments, with penalty estimates.")
    app.state.settings = settings
    app.state.bot = bot
    app.state.load_error = None
    install_error_handlers(app)
    for router in (chat.router, faq.router, feedback.router, health.router, web.router):
        app.include_router(router)
    # outermost last: request id → CORS → rate limit → body limit → app
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limiter=TokenBucketLimiter(settings.rate_limit_per_minute))
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "X-Request-ID"], expose_headers=["X-Request-ID", "Retry-After"],
                       max_age=600)
    app.add_middleware(RequestContextMiddleware)
    return app
