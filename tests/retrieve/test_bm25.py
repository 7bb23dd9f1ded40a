from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.corpus import load_corpus
from bot.retrieve.bm25 import BM25Index, rank_bm25_reference
from bot.retrieve.docs import search_docs
from bot.segment import Segmenter
from bot.settings import PROJECT_ROOT

DOCS = [["借呗", "逾期", "征信"], ["借呗", "罚息", "逾期", "逾期"], ["花呗", "提额"], ["催收", "通讯录", "借呗"]]


def test_scores_equal_rank_bm25() -> None:
    for query in (["借呗", "逾期"], ["征信"], ["花呗", "花呗"], ["未知"]):
        np.testing.assert_allclose(BM25Index.build(DOCS).scores(query), BM25Okapi(DOCS).get_scores(query), rtol=1e-6)


@given(st.lists(st.lists(st.sampled_from("abcdefg"), min_size=0, max_size=8), min_size=1, max_size=12),
       st.lists(st.sampled_from("abcdefgh"), max_size=5))
def test_scores_equal_rank_bm25_on_random_corpora(docs: list[list[str]], query: list[str]) -> None:
    if not any(docs):
        return
    expected = BM25Okapi([d or ["\0"] for d in docs]).get_scores(query)
    np.testing.assert_allclose(BM25Index.build(docs).scores(query), expected, rtol=1e-5, atol=1e-6)


def test_the_shipped_corpus_scores_as_rank_bm25_does() -> None:
    seg = Segmenter()
    docs = [seg.sparse_terms(d.sparse_text()) for d in search_docs(load_corpus(PROJECT_ROOT / "corpus"))]
    index = BM25Index.build(docs)
    for q in ("借呗逾期会上征信吗", "借呗逾期一天有影响吗", "欠了两万逾期一个月罚多少", "花呗怎么提额", "借呗借呗"):
        terms = seg.sparse_terms(q)
        reference = rank_bm25_reference(docs, terms)
        np.testing.assert_allclose(index.scores(terms), reference, rtol=1e-5, atol=1e-5)
        some = np.array([0, 3, 17, len(docs) - 1])
        np.testing.assert_allclose(index.doc_scores(terms, some), reference[some], rtol=1e-5, atol=1e-5)


def test_saved_and_memory_mapped(tmp_path: Path) -> None:
    index = BM25Index.build(DOCS)
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path, mmap=True)
    assert loaded.memory_mapped and not index.memory_mapped
    assert not BM25Index.load(tmp_path, mmap=False).memory_mapped
    np.testing.assert_array_equal(loaded.scores(["借呗", "逾期"]), index.scores(["借呗", "逾期"]))


def test_the_saved_folder_is_a_bm25s_index_that_bm25s_scores_alike(tmp_path: Path) -> None:
    # serving reads the files without bm25s (its import brings SciPy); bm25s itself must read them
    # as the same index, so the format stays bm25s's
    import bm25s

    index = BM25Index.build(DOCS, k1=1.2, b=0.6)
    index.save(tmp_path)
    theirs = bm25s.BM25.load(str(tmp_path), mmap=True, show_progress=False)
    ours = BM25Index.load(tmp_path)
    assert (theirs.k1, theirs.b) == (ours.k1, ours.b) == (1.2, 0.6) and theirs.vocab_dict == ours.vocab
    for query in (["借呗", "逾期"], ["罚息", "罚息", "征信"], ["花呗"]):
        np.testing.assert_allclose(theirs.get_scores(query), ours.scores(query), rtol=1e-6)


def test_top_k_returns_the_best_matching_documents() -> None:
    index = BM25Index.build(DOCS)
    docs, scores = index.top_k(["罚息", "罚息", "征信"], 2)
    assert docs.tolist() == [1, 0] and np.all(np.diff(scores) <= 0)
    assert index.top_k(["未知"], 3)[0].size == 0
    assert index.scores([]).sum() == 0


@given(st.lists(st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=6), min_size=3, max_size=40),
       st.lists(st.sampled_from("abcdefghijk"), min_size=1, max_size=5), st.integers(1, 8))
def test_top_k_finds_the_k_best_scores_and_scores_exactly(docs: list[list[str]], query: list[str], k: int) -> None:
    index = BM25Index.build(docs)
    found, scores = index.top_k(query, k)
    full = index.scores(query)
    np.testing.assert_allclose(scores, full[found], rtol=1e-6)  # the candidates' exact scores, best first
    assert np.all(np.diff(scores) <= 1e-7) and len(set(found.tolist())) == len(found)
    ids = [index.vocab[t] for t in query if t in index.vocab]
    common = {t for t in ids if index._indptr[t + 1] - index._indptr[t] > len(docs) // 2}
    if not common or set(ids) <= common:  # every term searched for candidates: the true top k
        best = np.sort(full[full > 0])[::-1][:k]
        np.testing.assert_allclose(np.sort(scores)[::-1], best, rtol=1e-6)


def test_doc_scores_take_any_integer_type() -> None:
    index = BM25Index.build(DOCS)
    for dtype in (np.int64, np.int32, np.intp):
        np.testing.assert_allclose(index.doc_scores(["借呗", "逾期"], np.array([3, 1], dtype=dtype)),
                                   index.scores(["借呗", "逾期"])[[3, 1]], rtol=1e-6)


def test_empty_corpus_is_refused() -> None:
    with pytest.raises(ValueError):
        BM25Index.build([])
