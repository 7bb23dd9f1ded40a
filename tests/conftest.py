"""Shared fixtures: the real bot (real model), a real server over HTTP, and a headless browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.pipeline import Bot, build_bot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach a model hub
CHROMIUM = os.environ.get("JIEBEI_TEST_CHROMIUM", "/usr/bin/chromium")


class FakeClock:
    """A monotonic clock the test moves by hand (for TTLs and rate limits)."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings: the converted model and cached embeddings that `make test` prepared."""
    return Settings()


@pytest.fixture(scope="session")
def bot(settings: Settings) -> Bot:
    b = build_bot(settings)
    assert not b.degraded, f"embedding model did not load: {b.dense_error}"
    return b


@pytest.fixture(scope="session")
def bm25_bot(settings: Settings) -> Bot:
    return build_bot(settings.model_copy(update={"dense_enabled": False}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A `python -m bot serve` subprocess on a free loopback port."""

    url: str
    process: subprocess.Popen
    env: dict[str, str]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(tmp: Path, **env_overrides: str) -> Server:
    port = free_port()
    env = {**os.environ, "JIEBEI_PORT": str(port), "JIEBEI_HOST": "127.0.0.1",
           "JIEBEI_FEEDBACK_DB": str(tmp / "feedback.sqlite3"), "JIEBEI_RATE_LIMIT_PER_MINUTE": "100000",
           "JIEBEI_CORS_ORIGINS": '["http://allowed.example"]', "JIEBEI_LOG_LEVEL": "WARNING", **env_overrides}
    log = open(tmp / f"server-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {(tmp / f'server-{port}.log').read_text()[-2000:]}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return Server(url, proc, env)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not become ready in 120 s")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = start_server(tmp_path_factory.mktemp("server"))
    yield s
    s.stop()


@pytest.fixture()
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c
