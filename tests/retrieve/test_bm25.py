from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.retrieve.bm25 import BM25Index

DOCS = [["借呗", "逾期", "征信"], ["借呗", "罚息", "逾期", "逾期"], ["花呗", "提额"], ["催收", "通讯录", "借呗"]]


def test_scores_equal_rank_bm25() -> None:
    for query in (["借呗", "逾期"], ["征信"], ["花呗", "花呗"], ["未知"]):
        np.testing.assert_allclose(BM25Index(DOCS).scores(query), BM25Okapi(DOCS).get_scores(query), rtol=1e-12)


@given(st.lists(st.lists(st.sampled_from("abcdefg"), min_size=0, max_size=8), min_size=1, max_size=12),
       st.lists(st.sampled_from("abcdefgh"), max_size=5))
def test_scores_equal_rank_bm25_on_random_corpora(docs: list[list[str]], query: list[str]) -> None:
    if not any(docs):
        return
    expected = BM25Okapi([d or ["\0"] for d in docs]).get_scores(query)
    np.testing.assert_allclose(BM25Index(docs).scores(query), expected, rtol=1e-9, atol=1e-12)


def test_best_document_for_a_query() -> None:
    index = BM25Index(DOCS)
    assert int(np.argmax(index.scores(["罚息"]))) == 1
    assert index.scores([]).sum() == 0


def test_empty_corpus_is_refused() -> None:
    with pytest.raises(ValueError):
        BM25Index([])
