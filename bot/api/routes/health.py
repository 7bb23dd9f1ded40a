"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: corpus, indexes and model loaded (or BM25-only degradation)")
def readyz(request: Request) -> JSONResponse:
    bot = getattr(request.app.state, "bot", None)
    if bot is None:
        error = getattr(request.app.state, "load_error", None)
        return JSONResponse({"status": "failed" if error else "loading", "error": error}, status_code=503)
    return JSONResponse({"status": "degraded" if bot.degraded else "ready", **bot.status()})
