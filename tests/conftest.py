"""Shared fixtures: the real bot (real model), a real server over HTTP, and a headless browser."""

from __future__ import annotations

import os
import shutil
import signal
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
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        """Stop the server and its workers (they share its process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def kill9(self) -> None:
        """``kill -9`` the server and every worker, as a crash would."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


def start_server(tmp: Path, *args: str, wait: bool = True, **env_overrides: str) -> Server:
    """``python -m bot serve [args]`` on a free port; waits for /readyz unless ``wait`` is False."""
    port = free_port()
    env = {**os.environ, "JIEBEI_PORT": str(port), "JIEBEI_HOST": "127.0.0.1",
           "JIEBEI_FEEDBACK_DB": str(tmp / "feedback.sqlite3"), "JIEBEI_RATE_LIMIT_PER_MINUTE": "100000",
           "JIEBEI_CORS_ORIGINS": '["http://allowed.example"]', "JIEBEI_LOG_LEVEL": "INFO", **env_overrides}
    tmp.mkdir(parents=True, exist_ok=True)
    log_path = tmp / f"server-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", *args], cwd=ROOT, env=env, stdout=log, stderr=log,
                            start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, env, log_path)
    if not wait:
        return server
    # each worker loads the bot on its own and answers 503 until it has: with several, wait until
    # a run of fresh connections (the kernel picks the worker) all find a ready one
    workers = int(args[args.index("--workers") + 1]) if "--workers" in args else 1
    needed = 1 if workers == 1 else 30
    ready_in_a_row = 0
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            ready = httpx.get(server.url + "/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            ready = False
        ready_in_a_row = ready_in_a_row + 1 if ready else 0
        if ready_in_a_row >= needed:
            return server
        if not ready:
            time.sleep(0.3)
    server.stop()
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


# ---- real Redis and PostgreSQL servers, started in temporary folders on free loopback ports ---------------

def _wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (make test installs Debian's redis-server with apt-get)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder), "--protected-mode", "yes"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _postgres_bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    return None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (make test installs Debian's postgresql with apt-get)")
    folder = tmp_path_factory.mktemp("postgres")
    data = folder / "data"
    # PostgreSQL refuses to run as root: run it as the unprivileged postgres user then
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("postgres")
        for p in (folder, *folder.parents):
            if p == Path("/"):
                break
            os.chmod(p, os.stat(p).st_mode | 0o011)  # let it traverse to its folder
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "jiebei", "-A", "trust", "-E", "UTF8",
                    "--no-locale"], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([*as_user, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder),
                             "-h", "127.0.0.1", "-c", "fsync=on"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port)
        url = f"postgresql://jiebei@127.0.0.1:{port}/postgres"
        import psycopg

        deadline = time.time() + 30
        while True:
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("CREATE DATABASE jiebei")
                break
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield f"postgresql://jiebei@127.0.0.1:{port}/jiebei"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
