"""Production serving over real sockets: the edge, several workers with Redis, PostgreSQL, crashes, faults.

Servers run BM25-only where the answers themselves do not matter (they start in a couple of seconds).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.conftest import Server, start_server

pytestmark = pytest.mark.slow
FAST = {"JIEBEI_DENSE_ENABLED": "false"}


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory):
    s = start_server(tmp_path_factory.mktemp("edge"), **FAST)
    yield s
    s.stop()


def _raw(server: Server, payload: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)


def test_oversized_headers_are_refused_quickly(edge: Server) -> None:
    started = time.monotonic()
    reply = _raw(edge, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 << 20) + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431") and b"headers_too_large" in reply
    assert time.monotonic() - started < 5
    ok = _raw(edge, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Ok: " + b"a" * 8000 + b"\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200")


def test_slow_clients_are_cut_off_while_health_keeps_answering(edge: Server) -> None:
    socks = []
    for i in range(300):
        s = socket.create_connection(("127.0.0.1", edge.port), timeout=15)
        s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\n" if i % 2 else b"GET /healthz HTTP/1.1\r\nHos")
        socks.append(s)
    try:
        worst = 0.0
        for _ in range(10):
            t = time.monotonic()
            assert httpx.get(edge.url + "/healthz", timeout=5).status_code == 200
            worst = max(worst, time.monotonic() - t)
            time.sleep(0.3)
        assert worst < 1.5
        deadline = time.monotonic() + 15
        open_left = list(socks)
        while open_left and time.monotonic() < deadline:
            still = []
            for s in open_left:
                s.settimeout(0.05)
                try:
                    data = s.recv(4096)
                    if data and b"408" not in data:
                        still.append(s)
                except TimeoutError:
                    still.append(s)
                except ConnectionResetError:
                    pass
            open_left = still
        assert not open_left, f"{len(open_left)} slow connections were left open"
    finally:
        for s in socks:
            s.close()


def test_a_trickled_body_is_cut_off(edge: Server) -> None:
    with socket.create_connection(("127.0.0.1", edge.port), timeout=20) as s:
        s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        started = time.monotonic()
        closed = False
        for _ in range(30):  # one byte every second: progress, but never done
            try:
                s.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            s.settimeout(1)
            try:
                if s.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            except ConnectionResetError:  # cut off with a reset rather than a clean close: still cut off
                closed = True
                break
        assert closed and time.monotonic() - started < 15


def test_an_oversized_body_always_gets_its_413(edge: Server) -> None:
    body = json.dumps({"message": "借" * 200_000}).encode()  # about 600 KB
    for _ in range(20):
        r = httpx.post(edge.url + "/api/chat", content=body, headers={"content-type": "application/json"}, timeout=10)
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_a_lone_surrogate_is_no_5xx_and_the_connection_stays_usable(edge: Server) -> None:
    with httpx.Client(base_url=edge.url, timeout=10) as client:
        for raw in (b'{"message":"\\ud800"}', b'{"message":"\\udfff\\ud800\\u0000"}', b'{"message":"\\ud800\\u501f\\u5457"}'):
            r = client.post("/api/chat", content=raw, headers={"content-type": "application/json"})
            assert r.status_code in (200, 400, 422) and "x-request-id" in r.headers
        answer = client.post("/api/chat", json={"message": "借呗逾期会上征信吗"})
        assert answer.status_code == 200  # the same keep-alive connection
        fb = client.post("/api/feedback", content=b'{"session_id":"abc","message_id":"m1","helpful":true,'
                                                    b'"comment":"\\ud800"}', headers={"content-type": "application/json"})
        assert fb.status_code in (404, 422)


def test_only_utf8_json_bodies(edge: Server) -> None:
    r = httpx.post(edge.url + "/api/chat", content="{\"message\": \"借呗\"}".encode("gbk"),
                   headers={"content-type": "application/json; charset=gbk"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"


def test_no_redirect_from_the_host_header_and_health_answers_head(edge: Server) -> None:
    r = httpx.get(edge.url + "/api/faq/", headers={"host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers and r.json()["error"]["code"]
    assert httpx.head(edge.url + "/healthz").status_code == 200
    assert httpx.head(edge.url + "/readyz").status_code == 200


def test_readiness_says_degraded_and_nothing_internal(edge: Server) -> None:
    body = httpx.get(edge.url + "/readyz").json()
    assert body["status"] == "degraded" and set(body) <= {"status", "intents"}
    assert "/" not in json.dumps(body)


def test_cors_rejections_use_the_json_error_shape(edge: Server) -> None:
    r = httpx.options(edge.url + "/api/chat", headers={"origin": "http://evil.example",
                                                        "access-control-request-method": "POST"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "cors_rejected"


def test_a_client_that_goes_away_is_logged_as_a_disconnect(edge: Server) -> None:
    with socket.create_connection(("127.0.0.1", edge.port), timeout=5) as s:
        s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{")
    time.sleep(1.0)
    log = edge.log.read_text()
    assert "client disconnected" in log and "Traceback" not in log and '"status": 500' not in log


def test_load_is_shed_with_503_and_retry_after(tmp_path: Path) -> None:
    server = start_server(tmp_path, JIEBEI_MAX_CONCURRENCY="1", **FAST)
    try:
        def ask(i: int) -> httpx.Response:
            return httpx.post(server.url + "/api/chat", json={"message": f"借呗逾期{i}天会怎样"}, timeout=30)

        with ThreadPoolExecutor(32) as pool:
            responses = list(pool.map(ask, range(96)))
        codes = {r.status_code for r in responses}
        assert codes <= {200, 503} and 503 in codes and 200 in codes
        shed = next(r for r in responses if r.status_code == 503)
        assert shed.headers["retry-after"] == "1" and shed.json()["error"]["code"] == "overloaded"
        assert httpx.get(server.url + "/healthz").status_code == 200
    finally:
        server.stop()


def test_two_workers_share_conversations_and_one_rate_limit_through_redis(tmp_path: Path, redis_url: str) -> None:
    server = start_server(tmp_path, "--workers", "2", JIEBEI_REDIS_URL=redis_url, **FAST)
    try:
        def conversation(i: int) -> float | None:
            amount = 1000 * (i + 1)
            first = httpx.post(server.url + "/api/chat", json={"message": f"我借呗欠了{amount}元"}, timeout=30)
            assert first.status_code == 200, first.text
            second = httpx.post(server.url + "/api/chat", json={"message": "逾期10天了",
                                                                 "session_id": first.json()["session_id"]}, timeout=30)
            assert second.status_code == 200, second.text
            return second.json()["penalty"]["principal"] if second.json().get("penalty") else None

        with ThreadPoolExecutor(10) as pool:
            principals = list(pool.map(conversation, range(30)))
        assert principals == [1000.0 * (i + 1) for i in range(30)]
    finally:
        server.stop()


def test_forged_forwarded_for_does_not_escape_the_shared_limit(tmp_path: Path, redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    server = start_server(tmp_path, "--workers", "2", JIEBEI_REDIS_URL=redis_url, JIEBEI_RATE_LIMIT_PER_MINUTE="60",
                          **FAST)
    try:
        def ask(i: int) -> int:
            return httpx.get(server.url + "/api/faq/penalty", headers={"x-forwarded-for": f"10.0.{i // 250}.{i % 250}"},
                             timeout=30).status_code

        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(ask, range(300)))
        passed = codes.count(200)
        assert 55 <= passed <= 120 and set(codes) <= {200, 429}
    finally:
        server.stop()


def test_a_trusted_proxys_forwarded_address_is_the_client(tmp_path: Path) -> None:
    server = start_server(tmp_path, JIEBEI_RATE_LIMIT_PER_MINUTE="3", JIEBEI_TRUSTED_PROXIES='["127.0.0.0/8"]', **FAST)
    try:
        codes = [httpx.get(server.url + "/api/faq/penalty", headers={"x-forwarded-for": f"203.0.113.{i}"}).status_code
                 for i in range(20)]
        assert codes == [200] * 20  # twenty users behind one proxy, each with their own limit
        same = [httpx.get(server.url + "/api/faq/penalty", headers={"x-forwarded-for": "198.51.100.7"}).status_code
                for _ in range(5)]
        assert same[:3] == [200] * 3 and same[-1] == 429
    finally:
        server.stop()


def _chat(server: Server, text: str, session_id: str | None = None) -> dict:
    return httpx.post(server.url + "/api/chat", json={"message": text, "session_id": session_id}, timeout=30).json()


def _feedback_rules(server: Server) -> None:
    a = _chat(server, "借呗逾期会上征信吗")
    b = _chat(server, "借呗可以协商吗")
    url = server.url + "/api/feedback"
    other = httpx.post(url, json={"session_id": a["session_id"], "message_id": b["message_id"], "helpful": True})
    assert other.status_code == 404 and other.json()["error"]["code"] == "answer_not_found"
    first = httpx.post(url, json={"session_id": a["session_id"], "message_id": a["message_id"], "helpful": True})
    again = httpx.post(url, json={"session_id": a["session_id"], "message_id": a["message_id"], "helpful": False,
                                  "comment": "还是不明白"})
    assert first.status_code == 201 and again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["updated"] and {c["number"] for c in again.json()["contacts"]} >= {"95188"}
    key = {"idempotency-key": "retry-key-0001"}
    body = {"session_id": b["session_id"], "message_id": b["message_id"], "helpful": True}
    r1 = httpx.post(url, json=body, headers=key)
    r2 = httpx.post(url, json={**body, "helpful": False}, headers=key)  # a retry: changes nothing
    assert r1.status_code == 201 and r2.json()["id"] == r1.json()["id"]
    long = httpx.post(url, json={**body, "comment": "长" * 501})
    assert long.status_code == 422


def _crash_during_feedback(tmp_path: Path, **env: str) -> tuple[set[int], Server]:
    """Rate answers from 8 threads, kill -9 the server mid-way; returns the acknowledged ids."""
    server = start_server(tmp_path, **env, **FAST)
    sessions = [_chat(server, f"借呗逾期{i}天有影响吗") for i in range(40)]
    acked: set[int] = set()
    lock = threading.Lock()

    def rate(a: dict) -> None:
        try:
            r = httpx.post(server.url + "/api/feedback", json={"session_id": a["session_id"],
                                                               "message_id": a["message_id"], "helpful": True},
                           timeout=10)
            if r.status_code in (200, 201):
                with lock:
                    acked.add(r.json()["id"])
        except httpx.HTTPError:
            pass

    killer = threading.Timer(0.15, server.kill9)
    killer.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(rate, sessions))
    killer.join()
    return acked, server


def test_feedback_rules_and_nothing_acknowledged_lost_with_sqlite(tmp_path: Path) -> None:
    server = start_server(tmp_path / "rules", **FAST)
    try:
        _feedback_rules(server)
    finally:
        server.stop()
    import sqlite3

    for round_ in range(3):
        folder = tmp_path / f"crash{round_}"
        folder.mkdir()
        acked, _ = _crash_during_feedback(folder)
        stored = {r[0] for r in sqlite3.connect(folder / "feedback.sqlite3").execute("SELECT id FROM feedback")}
        assert acked <= stored


def test_feedback_in_postgresql_rules_and_nothing_acknowledged_lost(tmp_path: Path, postgres_url: str) -> None:
    import psycopg

    server = start_server(tmp_path / "rules", JIEBEI_DATABASE_URL=postgres_url, **FAST)
    try:
        _feedback_rules(server)
    finally:
        server.stop()
    for round_ in range(3):
        folder = tmp_path / f"crash{round_}"
        folder.mkdir()
        acked, _ = _crash_during_feedback(folder, JIEBEI_DATABASE_URL=postgres_url)
        with psycopg.connect(postgres_url) as conn:
            stored = {r[0] for r in conn.execute("SELECT id FROM feedback")}
        assert acked <= stored
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1


def test_an_unreachable_store_fails_fast_with_one_clear_line(tmp_path: Path) -> None:
    server = start_server(tmp_path, wait=False, JIEBEI_REDIS_URL="redis://127.0.0.1:1/0", **FAST)
    assert server.process.wait(timeout=30) != 0
    lines = [line for line in server.log.read_text().splitlines() if "cannot start" in line]
    assert len(lines) == 1 and "JIEBEI_REDIS_URL" in lines[0]


def test_damaged_embedding_caches_are_rebuilt(tmp_path: Path, settings) -> None:
    import shutil

    cache = tmp_path / "cache"
    shutil.copytree(settings.cache_dir / "models", cache / "models", symlinks=True)
    env = {"JIEBEI_CACHE_DIR": str(cache)}
    first = start_server(tmp_path / "a", **env)
    first.stop()
    npy = next((cache / "embeddings").rglob("units.npy"))
    good = np.load(npy)
    # wrong values of the right shape: the checksum catches them
    np.save(npy, np.zeros_like(good))
    second = start_server(tmp_path / "b", **env)
    try:
        assert httpx.get(second.url + "/readyz").json()["status"] == "ready"
        assert "checksum mismatch" in second.log.read_text()
        r = httpx.post(second.url + "/api/chat", json={"message": "借呗逾期会上征信吗"}).json()
        assert r["kind"] == "answer" and r["sources"][0]["id"] in {"credit-report", "short-overdue"}
    finally:
        second.stop()
    np.testing.assert_array_equal(np.load(npy), good)
    # a truncated file
    npy.write_bytes(npy.read_bytes()[:1000])
    third = start_server(tmp_path / "c", **env)
    try:
        assert httpx.get(third.url + "/readyz").json()["status"] == "ready" and "unreadable" in third.log.read_text()
    finally:
        third.stop()


def test_a_missing_model_serves_bm25_and_says_how_to_prepare(tmp_path: Path) -> None:
    server = start_server(tmp_path, JIEBEI_CACHE_DIR=str(tmp_path / "empty-cache"))
    try:
        assert httpx.get(server.url + "/readyz").json()["status"] == "degraded"
        log = server.log.read_text()
        assert "python -m bot prepare" in log and "converting" not in log
        assert httpx.post(server.url + "/api/chat", json={"message": "借呗逾期会上征信吗"}).status_code == 200
    finally:
        server.stop()
