"""FastAPI application factory: routers, edge middleware, stores, and the bot loaded once at start-up.

Startup failure policy, the same for every store: a store that is configured but cannot be
reached (Redis, PostgreSQL, the SQLite file) stops the process with one clear log line; the
embedding model is the only part allowed to be missing, and then the bot serves BM25 alone and
``/readyz`` says ``degraded``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from bot import __version__
from bot.api.errors import install_error_handlers
from bot.api.middleware import (
    BodyLimitMiddleware,
    ConcurrencyLimitMiddleware,
    JsonCORSMiddleware,
    RateLimiter,
    RateLimitMiddleware,
    RequestContextMiddleware,
    rate_limit_storage,
)
from bot.api.routes import chat, faq, feedback, health, web
from bot.feedback import open_feedback_store
from bot.pipeline import Bot, build_bot
from bot.sessions import MemorySessionStore, SessionStore
from bot.settings import Settings

logger = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """A configured store could not be reached at start-up."""


def open_session_store(settings: Settings) -> SessionStore:
    if not settings.redis_url:
        return MemorySessionStore(settings.session_ttl_seconds, settings.session_max)
    from bot.sessions_redis import RedisSessionStore

    store = RedisSessionStore(settings.redis_url, settings.session_ttl_seconds)
    store.ping()
    return store


def open_stores(settings: Settings):  # type: ignore[no-untyped-def]
    """(session store, feedback store), or StoreUnavailable naming the one that failed."""
    try:
        sessions = open_session_store(settings)
    except Exception as exc:
        raise StoreUnavailable(f"Redis at JIEBEI_REDIS_URL is unreachable ({type(exc).__name__})") from exc
    try:
        store = open_feedback_store(settings.database_url, settings.feedback_db)
    except Exception as exc:
        where = "PostgreSQL at JIEBEI_DATABASE_URL" if settings.database_url else f"SQLite at {settings.feedback_db}"
        raise StoreUnavailable(f"{where} is unusable ({type(exc).__name__}: {exc})") from exc
    return sessions, store


def create_app(settings: Settings | None = None, bot: Bot | None = None) -> FastAPI:
    """Build the app. The bot (model and indexes) loads in the background unless one is passed in."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            sessions, app.state.feedback = await asyncio.to_thread(open_stores, settings)
        except StoreUnavailable as exc:
            logger.critical("cannot start: %s", exc)
            raise
        task = None
        if app.state.bot is None:
            async def load() -> None:
                try:
                    app.state.bot = await asyncio.to_thread(build_bot, settings, sessions)
                except Exception as exc:  # corpus errors: /readyz says failed, the log says why
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
    # no redirect is ever built from the Host header: /api/faq/ is simply not found
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.bot = bot
    app.state.load_error = None
    install_error_handlers(app)
    for router in (chat.router, faq.router, feedback.router, health.router, web.router):
        app.include_router(router)
    # outermost last: request id → CORS → load shedding → rate limit → body limit → app
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limiter=RateLimiter(settings.rate_limit_per_minute,
                                                                 rate_limit_storage(settings.redis_url)))
    app.add_middleware(ConcurrencyLimitMiddleware, limit=settings.max_concurrency)
    app.add_middleware(JsonCORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "X-Request-ID", "Idempotency-Key"],
                       expose_headers=["X-Request-ID", "Retry-After"], max_age=600)
    app.add_middleware(RequestContextMiddleware)
    return app
