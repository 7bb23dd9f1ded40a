"""Liveness and readiness. Nothing internal is shown here: details go to the log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.api_route("/healthz", methods=["GET", "HEAD"], summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.api_route("/readyz", methods=["GET", "HEAD"],
                  summary="Readiness: ready, degraded (serving BM25 only), loading or failed")
def readyz(request: Request) -> JSONResponse:
    bot = getattr(request.app.state, "bot", None)
    if bot is None:
        failed = getattr(request.app.state, "load_error", None) is not None
        return JSONResponse({"status": "failed" if failed else "loading"}, status_code=503)
    return JSONResponse({"status": "degraded" if bot.degraded else "ready", "intents": len(bot.corpus.intents)})
