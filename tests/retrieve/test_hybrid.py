from __future__ import annotations

import numpy as np
import pytest

from bot.retrieve.hybrid import bm25_confidence, dense_confidence, rrf_fusion, weighted_fusion


def test_normalisations() -> None:
    np.testing.assert_allclose(dense_confidence(np.array([0.7, 0.8, 0.87, 0.94, 0.97]), 0.8, 0.94),
                               [0, 0, 0.5, 1.0, 0.97 / 0.14 - 0.8 / 0.14], rtol=1e-9)
    np.testing.assert_allclose(bm25_confidence(np.array([0.0, 3.0, 9.0, -1.0]), 3.0), [0, 0.5, 0.75, 0])


def test_weighted_and_rrf_fusion() -> None:
    dense, sparse = np.array([0.9, 0.2, 0.5]), np.array([0.1, 0.8, 0.5])
    np.testing.assert_allclose(weighted_fusion(dense, sparse, 0.6), [0.58, 0.44, 0.5])
    rrf = rrf_fusion(dense, sparse)
    assert rrf[2] == pytest.approx(2 / 62) and rrf[0] == rrf[1] == pytest.approx(1 / 61 + 1 / 63)


def _search(bot, text: str, mode=None):
    turn = bot.chat.understand(text)
    return bot.retriever.search(turn.text, turn.match_text, mode)


@pytest.mark.parametrize(("question", "expected"), [
    ("借呗逾期三天会上征信吗", {"credit-report", "short-overdue"}),
    ("欠了两万逾期一个月罚多少", {"penalty"}),
    ("催收天天给我妈打电话", {"contacts", "collection"}),
    ("借唄逾期會被起訴嗎", {"lawsuit"}),
    ("借呗可以停息挂账吗", {"stop-interest"}),
    ("逾期记录多久能消除", {"record-duration"}),
    ("借呗还款日当天晚上还算逾期吗", {"due-time"}),
])
def test_hybrid_finds_the_intent(bot, question: str, expected: set[str]) -> None:
    result = _search(bot, question)
    assert result.mode == "hybrid"
    assert result.top is not None and result.top.id in expected
    assert not result.fallback and 0 < result.confidence <= 1
    assert set(result.timings) >= {"segment", "bm25", "embed", "fusion"}


def test_a_match_on_an_article_paragraph_resolves_to_its_intent(bot) -> None:
    # the wording of the article's section on contacts, not of any phrasing
    result = _search(bot, "金融机构在获取客户通讯录信息后应该保证信息安全吗")
    assert result.top is not None and result.top.id == "contacts"
    assert "art-contacts" in result.evidence


@pytest.mark.parametrize("question", ["花呗怎么提额", "支付宝怎么改手机号", "借呗提前还款利息怎么算", "今天天气怎么样",
                                      "余额宝收益怎么算"])
def test_off_topic_questions_fall_back(bot, question: str) -> None:
    result = _search(bot, question)
    assert result.fallback, (question, result.top, result.miss)


def test_single_modes_are_available_and_differ(bot) -> None:
    q = "借呗逾期会打电话给我家里人吗"
    by_mode = {m: _search(bot, q, m) for m in ("bm25", "dense", "hybrid")}
    assert all(r.top is not None for r in by_mode.values())
    assert by_mode["bm25"].hits[0].dense == 0 and by_mode["dense"].hits[0].bm25 == 0


def test_without_the_model_the_retriever_serves_bm25(bm25_bot) -> None:
    assert bm25_bot.degraded and bm25_bot.retriever.modes() == ["bm25"]
    result = _search(bm25_bot, "借呗逾期会上征信吗", "hybrid")
    assert result.mode == "bm25" and result.top is not None and result.top.id == "credit-report"
    assert bm25_bot.status()["dense"] == "unavailable"


def test_a_broken_model_degrades_to_bm25_and_says_so(settings, tmp_path, caplog) -> None:
    from bot.pipeline import build_bot

    broken = settings.model_copy(update={"model": str(tmp_path / "no-such-model"), "cache_dir": tmp_path})
    b = build_bot(broken)
    assert b.degraded and b.dense_error
    assert "serving BM25 only" in caplog.text
    assert not b.chat.reply("借呗逾期会上征信吗").fallback
