from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.retrieve.dense import DenseIndex, Encoder
from bot.retrieve.docs import SearchDoc


class CountingEncoder(Encoder):
    """A deterministic stand-in that records how many texts it embedded (tests the cache, not meaning)."""

    def __init__(self) -> None:
        super().__init__("query: ", "passage: ")
        self.name, self.backend, self.dim, self.fingerprint, self.calls = "counting", "test", 4, "fp-1", 0

    def embed(self, texts, batch_size=32, progress=False):
        self.calls += len(texts)
        vecs = np.array([[len(t), t.count("借"), t.count("逾"), 1.0] for t in texts], dtype=np.float32)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


DOCS = [SearchDoc("a", "intent", "a", "标题", ("借呗逾期", "借借"), "正文"),
        SearchDoc("b", "intent", "b", "其他", ("逾期逾期",), "")]


def test_scores_blend_the_best_unit_with_the_closest_few() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(10, 4)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owners = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
    index = DenseIndex(vectors, owners, 3, pool=3, pool_weight=0.5)
    q = vectors[0]
    sims = vectors @ q
    expected = []
    for d in range(3):
        top = np.sort(sims[owners == d])[::-1][:3]
        expected.append(0.5 * top[0] + 0.5 * top.mean())
    np.testing.assert_allclose(index.scores(q), expected, rtol=1e-6)


def test_scores_take_the_best_unit_of_each_document() -> None:
    vectors = np.eye(3, dtype=np.float32)
    index = DenseIndex(vectors, np.array([1, 0, 1]), 2, pool=1)
    np.testing.assert_allclose(index.scores(np.array([0, 0, 1], np.float32)), [0, 1])
    np.testing.assert_allclose(index.scores(np.array([0, 1, 0], np.float32)), [1, 0])
    np.testing.assert_array_equal(index.units(0), vectors[[1]])
    np.testing.assert_array_equal(index.units(1), vectors[[0, 2]])


def test_embeddings_are_cached_per_unit_and_per_model(tmp_path: Path) -> None:
    enc = CountingEncoder()
    first = DenseIndex.build(DOCS, enc, tmp_path)
    calls = enc.calls
    assert calls == 6  # 2 titles + 3 phrasings + 1 answer
    again = DenseIndex.build(DOCS, enc, tmp_path)
    assert enc.calls == calls, "second build must load from the cache"
    np.testing.assert_array_equal(first.vectors, again.vectors)
    changed = [DOCS[0], SearchDoc("b", "intent", "b", "其他", ("逾期了",), "")]
    DenseIndex.build(changed, enc, tmp_path)
    assert enc.calls == calls + 1, "an edit re-encodes only the unit that changed"
    enc.fingerprint = "fp-2"  # a different model must not reuse the vectors
    DenseIndex.build(DOCS, enc, tmp_path)
    assert enc.calls == 2 * calls + 1


def test_a_damaged_cache_is_rebuilt_not_served(tmp_path: Path, caplog) -> None:
    enc = CountingEncoder()
    good = DenseIndex.build(DOCS, enc, tmp_path).vectors.copy()
    [units] = list((tmp_path / "embeddings").rglob("units.npy"))
    np.save(units, np.zeros_like(good))  # right shape, wrong values
    assert np.array_equal(DenseIndex.build(DOCS, enc, tmp_path).vectors, good) and "checksum mismatch" in caplog.text
    units.write_bytes(units.read_bytes()[:100])  # truncated
    assert np.array_equal(DenseIndex.build(DOCS, enc, tmp_path).vectors, good) and "unreadable" in caplog.text


def test_large_corpora_search_a_graph_and_score_candidates_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owners = np.repeat(np.arange(1000), 3)
    exact = DenseIndex(vectors, owners, 1000)
    from bot.retrieve.ann import AnnIndex

    graph = DenseIndex(vectors, owners, 1000, ann=AnnIndex.build(vectors))
    hits = 0
    for q in vectors[rng.integers(0, 3000, 30)]:
        top_exact, s_exact = exact.top_k(q, 10)
        top_graph, s_graph = graph.top_k(q, 10)
        hits += len(set(top_exact) & set(top_graph))
        np.testing.assert_allclose(graph.doc_scores(q, top_exact), s_exact, rtol=1e-5)
    assert hits / 300 >= 0.99


def test_query_embeddings_are_memoised() -> None:
    enc = CountingEncoder()
    a = enc.encode_query("借呗逾期")
    b = enc.encode_query("借呗逾期")
    assert enc.calls == 1 and a is b
    enc.encode_query("借呗逾期", use_cache=False)
    assert enc.calls == 2


def test_a_graph_index_then_the_encoder_runtime_load_in_one_process(tmp_path: Path) -> None:
    """usearch loaded before ONNX Runtime crashed the process; the index loader fixes the order."""
    import subprocess
    import sys

    code = ("import numpy as np\n"
            "from bot.retrieve.ann import AnnIndex\n"
            "AnnIndex.build(np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32))\n"
            "import onnxruntime\n"
            "print('alive')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "alive", out.stderr[-1000:]
