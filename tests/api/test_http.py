"""The API over real HTTP against `python -m bot serve` in a subprocess."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, start_server


def _assert_clean_error(r: httpx.Response, status: int | tuple[int, ...]) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    body = r.json()["error"]
    assert body["zh"] and body["en"] and body["code"] and body["request_id"] == r.headers["x-request-id"]
    return body


def test_chat_answers_with_the_documented_shape(client: httpx.Client) -> None:
    r = client.post("/api/chat", json={"message": "借呗逾期三天会上征信吗"})
    assert r.status_code == 200
    data = r.json()
    assert set(data) >= {"session_id", "kind", "lead", "answer", "details", "fallback", "confidence", "sources",
                         "suggestions", "penalty", "contacts"}
    assert data["kind"] == "answer" and data["fallback"] is False
    assert data["sources"][0]["id"] in {"credit-report", "short-overdue"}
    assert data["answer"].startswith(data["lead"]) and len(data["lead"]) <= 80
    assert set(data["sources"][0]) >= {"id", "title", "kind", "score"}
    assert r.headers["x-request-id"]


def test_penalty_over_two_turns_in_one_session(client: httpx.Client) -> None:
    first = client.post("/api/chat", json={"message": "我借呗欠了6000", "session_id": None}).json()
    second = client.post("/api/chat", json={"message": "逾期20天", "session_id": first["session_id"]}).json()
    p = second["penalty"]
    assert p == {"principal": 6000.0, "days": 20, "daily_rate": 0.0005, "rate_assumed": True, "amount": 90.0,
                 "per_day": 4.5, "annualized_rate": 0.27375, "formula": "6,000.00元 × 0.05% × 1.5 × 20天 = 90.00元",
                 "amount_max": None, "principal_max": None, "days_max": None, "total": None, "total_max": None,
                 "carried": ["principal"]}
    assert second["kind"] == "penalty" and "90.00元" in second["lead"]


@pytest.mark.parametrize(("body", "status"), [
    ({"message": ""}, 422), ({"message": "   \n\t "}, 422), ({"message": "\x00\x01\x02"}, 422),
    ({"message": "问" * 501}, 422), ({"message": 123}, 422), ({"message": None}, 422), ({"message": ["借呗"]}, 422),
    ({"message": {"nested": {"deep": "借呗"}}}, 422), ({}, 422), ({"msg": "借呗"}, 422), ([], 422), ("借呗", 422),
    ({"message": "借呗", "session_id": 5}, 422),
])
def test_bad_json_bodies_get_4xx_with_bilingual_errors(client: httpx.Client, body, status: int) -> None:
    _assert_clean_error(client.post("/api/chat", json=body), status)


@pytest.mark.parametrize(("raw", "headers", "status"), [
    (b"{bad json", {"content-type": "application/json"}, 400),
    (b'{"message": "\xff\xfe\xfa"}', {"content-type": "application/json"}, (400, 422)),
    (bytes(range(256)) * 4, {"content-type": "application/json"}, (400, 422)),
    (b"message=hello", {"content-type": "application/x-www-form-urlencoded"}, (400, 415, 422)),
    (b'{"message": "' + "借".encode() * 6000 + b'"}', {"content-type": "application/json"}, 413),
])
def test_raw_bad_bodies_never_5xx(client: httpx.Client, raw: bytes, headers: dict, status) -> None:
    _assert_clean_error(client.post("/api/chat", content=raw, headers=headers), status)


def test_oversize_body_without_content_length_is_refused(server: Server) -> None:
    def chunks():
        for _ in range(64):
            yield b"x" * 1024

    r = httpx.post(server.url + "/api/chat", content=chunks(), headers={"content-type": "application/json"})
    _assert_clean_error(r, 413)


def test_control_characters_are_stripped_and_markup_is_never_echoed(client: httpx.Client) -> None:
    r = client.post("/api/chat", json={"message": "借呗\x00逾期\x1b会上\u200b征信吗"})
    assert r.status_code == 200 and r.json()["sources"][0]["id"] in {"credit-report", "short-overdue"}
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    for body in ({"message": evil}, {"message": 5, "session_id": evil}, {"message": evil * 20}):
        text = client.post("/api/chat", json=body).text
        assert "<img" not in text and "<script" not in text


def test_malformed_session_id_starts_a_new_session(client: httpx.Client) -> None:
    data = client.post("/api/chat", json={"message": "借呗逾期会怎样", "session_id": "../../etc/passwd"}).json()
    assert data["session_id"] != "../../etc/passwd"


def test_still_answers_after_abuse_and_under_concurrency(client: httpx.Client, server: Server) -> None:
    for raw in (b"\x00" * 100, b"{", b"[" * 1000 + b"]" * 1000):
        assert client.post("/api/chat", content=raw, headers={"content-type": "application/json"}).status_code < 500
    questions = ["借呗逾期会上征信吗", "欠了两万逾期一个月罚多少", "花呗怎么提额", "借呗会起诉我吗"] * 8

    def ask(q: str) -> httpx.Response:
        return httpx.post(server.url + "/api/chat", json={"message": q}, timeout=60)

    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(ask, questions))
    assert all(r.status_code == 200 for r in responses)
    assert len({r.json()["session_id"] for r in responses}) == len(questions)
    amounts = {r.json()["penalty"]["amount"] for r, q in zip(responses, questions, strict=True) if "两万" in q}
    assert amounts == {450.0}


def test_faq_endpoints(client: httpx.Client) -> None:
    items = client.get("/api/faq").json()
    assert len(items) >= 30 and {"id", "title", "lead", "answer", "questions", "sources"} <= set(items[0])
    one = client.get("/api/faq/penalty").json()
    assert one["id"] == "penalty" and "1.5" in one["answer"] and one["role"] == "penalty"
    assert all("更正" not in json_text for json_text in (str(i) for i in items))
    _assert_clean_error(client.get("/api/faq/nope"), 404)
    _assert_clean_error(client.get("/api/faq/" + "x" * 300), (404, 422))


def test_feedback_is_stored_with_the_question(client: httpx.Client, server: Server) -> None:
    answer = client.post("/api/chat", json={"message": "借呗可以协商还款吗"}).json()
    r = client.post("/api/feedback", json={"session_id": answer["session_id"], "message_id": answer["message_id"],
                                           "helpful": True, "comment": "清楚"})
    assert r.status_code == 201 and r.json()["stored"] and r.json()["contacts"] == []
    db = Path(server.env["JIEBEI_FEEDBACK_DB"])
    row = sqlite3.connect(db).execute("SELECT helpful, comment, question FROM feedback WHERE id=?", (r.json()["id"],)).fetchone()
    assert row == (1, "清楚", "借呗可以协商还款吗")


@pytest.mark.parametrize("body", [
    {"session_id": "s", "message_id": "m", "helpful": "yes"}, {"session_id": "s", "helpful": True},
    {"session_id": "<b>", "message_id": "m", "helpful": True}, {"session_id": "s", "message_id": "m", "helpful": True,
                                                                 "comment": "x" * 501},
])
def test_bad_feedback_is_refused(client: httpx.Client, body: dict) -> None:
    _assert_clean_error(client.post("/api/feedback", json=body), 422)


def test_feedback_survives_a_server_restart(tmp_path: Path) -> None:
    first = start_server(tmp_path, JIEBEI_DENSE_ENABLED="false")
    try:
        a = httpx.post(first.url + "/api/chat", json={"message": "借呗逾期会怎样"}).json()
        r = httpx.post(first.url + "/api/feedback", json={"session_id": a["session_id"], "message_id": a["message_id"],
                                                          "helpful": False})
        assert r.status_code == 201 and {c["number"] for c in r.json()["contacts"]} >= {"95188", "12378"}
    finally:
        first.stop()
    second = start_server(tmp_path, JIEBEI_DENSE_ENABLED="false")
    try:
        db = tmp_path / "feedback.sqlite3"
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 1
        b = httpx.post(second.url + "/api/chat", json={"message": "借呗逾期会上征信吗"}).json()
        r = httpx.post(second.url + "/api/feedback", json={"session_id": b["session_id"], "answer_id": b["message_id"],
                                                           "helpful": True})
        assert r.status_code == 201 and r.json()["id"] == 2
    finally:
        second.stop()


def test_health_readiness_and_docs(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["intents"] >= 30
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/chat" in spec["paths"] and "/api/feedback" in spec["paths"]


def test_request_id_is_echoed_when_safe(client: httpx.Client) -> None:
    assert client.get("/healthz", headers={"x-request-id": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert client.get("/healthz", headers={"x-request-id": "<script>"}).headers["x-request-id"] != "<script>"


def test_cors_only_for_configured_origins(client: httpx.Client) -> None:
    pre = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    ok = client.options("/api/chat", headers={"origin": "http://allowed.example", **pre})
    assert ok.headers.get("access-control-allow-origin") == "http://allowed.example"
    bad = client.options("/api/chat", headers={"origin": "http://evil.example", **pre})
    assert bad.headers.get("access-control-allow-origin") is None


def test_unknown_route_and_method(client: httpx.Client) -> None:
    _assert_clean_error(client.get("/api/nothing"), 404)
    _assert_clean_error(client.get("/api/chat"), 405)


def test_widget_and_demo_are_served(client: httpx.Client) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "attachShadow" in js.text
    page = client.get("/")
    assert page.status_code == 200 and '<script src="/widget.js"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_rate_limit_gives_429_with_retry_after(tmp_path: Path) -> None:
    limited = start_server(tmp_path, JIEBEI_RATE_LIMIT_PER_MINUTE="5")
    try:
        codes = [httpx.post(limited.url + "/api/chat", json={"message": "借呗逾期会怎样"}).status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and codes[-1] == 429
        r = httpx.post(limited.url + "/api/chat", json={"message": "借呗"})
        body = _assert_clean_error(r, 429)
        assert body["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
        assert httpx.get(limited.url + "/healthz").status_code == 200  # health is not limited
    finally:
        limited.stop()
