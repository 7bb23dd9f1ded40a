from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ask_prints_the_reply_and_its_source() -> None:
    out = _run("ask", "借呗逾期会被起诉吗")
    assert out.returncode == 0, out.stderr
    assert "起诉" in out.stdout and "来源" in out.stdout and "更正" not in out.stdout


def test_ask_json_prints_the_answer_object_and_keeps_one_session() -> None:
    out = _run("ask", "--json", "我借呗欠了6000", "逾期20天")
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.strip().splitlines())
    assert first["session_id"] == second["session_id"]
    assert first["asks_for"] == ["days"] and second["penalty"]["amount"] == 90.0


def test_usage_errors_exit_non_zero() -> None:
    assert _run("nope").returncode == 2
    assert _run("ask").returncode == 2
