"""One error shape for every 4xx: a code, a Chinese and an English message, and the request id.

User input is never echoed back in errors (no markup can come back out of the API).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from bot.sessions import SessionBusy

logger = logging.getLogger(__name__)

_STATUS_TEXT = {
    400: ("bad_request", "请求体无法解析，请发送 UTF-8 编码的 JSON", "Could not parse the body: send UTF-8 encoded JSON"),
    404: ("not_found", "找不到该资源", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    413: ("payload_too_large", "请求内容过大", "Request body too large"),
    415: ("unsupported_media_type", "请使用 JSON（UTF-8）格式", "Send JSON encoded as UTF-8"),
    422: ("invalid_request", "请求参数不正确", "Invalid request parameters"),
    429: ("rate_limited", "请求过于频繁，请稍后再试", "Too many requests, please retry later"),
    431: ("headers_too_large", "请求头过大", "Request header fields too large"),
    500: ("internal_error", "服务暂时出错，请稍后再试", "Internal error, please retry later"),
    503: ("not_ready", "服务正在启动，请稍后再试", "Service is starting, please retry later"),
}


class ApiError(Exception):
    """An error with a stable code and bilingual message, raised from route code."""

    def __init__(self, status: int, code: str, zh: str, en: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.headers = status, code, zh, en, headers


def error_body(request_id: str | None, code: str, zh: str, en: str, details: list[dict[str, object]] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"code": code, "message": f"{zh} / {en}", "zh": zh, "en": en, "request_id": request_id}
    if details:
        body["details"] = details
    return {"error": body}


def _status_text(status: int) -> tuple[str, str, str]:
    return _STATUS_TEXT.get(status, (f"http_{status}", "请求失败", "Request failed"))


def status_error_body(request_id: str | None, status: int) -> dict[str, object]:
    """The standard body for ``status`` (code and bilingual message from the table above)."""
    return error_body(request_id, *_status_text(status))


def error_response(request_id: str | None, status: int, code: str | None = None, zh: str | None = None,
                   en: str | None = None, headers: dict[str, str] | None = None,
                   details: list[dict[str, object]] | None = None) -> JSONResponse:
    default = _status_text(status)
    return JSONResponse(error_body(request_id, code or default[0], zh or default[1], en or default[2], details),
                        status_code=status, headers=headers)


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(_request_id(request), exc.status, exc.code, exc.zh, exc.en, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(_request_id(request), 400, "invalid_json", "请求体不是合法的 JSON（需 UTF-8 编码）",
                                  "Request body is not valid JSON (UTF-8 required)")
        details = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
                    "type": e.get("type", "invalid")} for e in errors]
        return error_response(_request_id(request), 422, "invalid_request", "请求参数不正确，请检查字段类型和必填项",
                              "Invalid request: check field types and required fields", details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(_request_id(request), exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> JSONResponse:
        logger.info("client disconnected before the body was read")
        return error_response(_request_id(request), 400, "client_disconnected", "连接已断开", "Client disconnected")

    @app.exception_handler(SessionBusy)
    async def _busy(request: Request, exc: SessionBusy) -> JSONResponse:
        return error_response(_request_id(request), 503, "session_busy", "这个对话正在处理上一条消息，请稍后再试",
                              "This conversation is busy with another message, retry shortly", {"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        return error_response(_request_id(request), 500)
