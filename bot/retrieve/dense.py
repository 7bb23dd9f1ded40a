"""Dense retrieval: sentence embeddings of every phrasing, title and answer, max-pooled per document.

Corpus embeddings are cached on disk under a key made of the documents' hash, the model's
fingerprint and the prompts, so restarts skip re-encoding and any change re-encodes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.malloc import return_large_buffers
from bot.model.lean import LEAN_DIR, MANIFEST, has_lean, lean_paths, optimized_path
from bot.model.onnx_export import export_onnx, has_onnx
from bot.model.resolve import model_fingerprint
from bot.normalize import normalize
from bot.retrieve.ann import AnnIndex
from bot.retrieve.docs import SearchDoc
from bot.retrieve.vectors import UnitCache, digest

logger = logging.getLogger(__name__)


class Encoder:
    """Base class: prompts, text normalisation and the query cache; subclasses embed batches."""

    name: str
    backend: str
    dim: int
    fingerprint: str

    def __init__(self, query_prompt: str, passage_prompt: str) -> None:
        self.query_prompt, self.passage_prompt = query_prompt, passage_prompt
        self._encode_query_cached = lru_cache(maxsize=2048)(self._encode_query)

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings of already prompted, normalised texts."""
        raise NotImplementedError

    def _encode(self, texts: Sequence[str], prompt: str, progress: bool = False) -> np.ndarray:
        return self.embed([prompt + normalize(t) for t in texts], progress=progress)

    def _encode_query(self, text: str) -> np.ndarray:
        vec = self.embed([self.query_prompt + text])[0]
        vec.setflags(write=False)
        return vec

    def encode_query(self, text: str, use_cache: bool = True) -> np.ndarray:
        """Unit vector for one already normalised user question (memoised: people repeat questions)."""
        return self._encode_query_cached(text) if use_cache else self._encode_query(text)

    def encode_queries(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.query_prompt, progress=progress)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.passage_prompt, progress=progress)


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model (local folder or hub id), on PyTorch or its ONNX backend."""

    def __init__(self, model: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ",
                 backend: str = "torch") -> None:
        super().__init__(query_prompt, passage_prompt)
        from sentence_transformers import SentenceTransformer

        local = Path(model).is_dir()
        if backend == "onnx" and local and not has_onnx(Path(model)):
            try:
                export_onnx(Path(model))
            except Exception as exc:  # keep serving: PyTorch computes the same embeddings, slower
                logger.error("ONNX export failed, using PyTorch: %s", exc)
                backend = "torch"
        self.model = SentenceTransformer(model, device="cpu", local_files_only=local, backend=backend)
        self.backend, self.name = backend, model
        self.fingerprint = model_fingerprint(model)
        dim_fn = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_fn() or 0)

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vecs = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=progress)
        return np.asarray(vecs, dtype=np.float32)


class OnnxRuntimeEncoder(Encoder):
    """The lean ONNX graph run by ONNX Runtime with the fast tokenizer: no PyTorch on the request path.

    Mean pooling over the attention mask and L2 normalisation, as the folder's pooling and
    normalise modules specify. Memory stays bounded: ONNX Runtime's arena (which never shrinks)
    is off, and at most ``concurrency`` inferences run at once.
    """

    def __init__(self, folder: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ",
                 precision: str = "int8", max_length: int = 512, threads: int = 1, concurrency: int = 2) -> None:
        super().__init__(query_prompt, passage_prompt)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = Path(folder)
        model_file, tokenizer_file = lean_paths(path, precision)
        if not has_lean(path, precision):
            raise FileNotFoundError(f"{path / LEAN_DIR} has no {precision} model; run `python -m bot prepare`")
        return_large_buffers()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        # idle ONNX Runtime threads would otherwise spin and steal the cores NumPy uses for scoring
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        optimized = optimized_path(model_file)
        if optimized.is_file():  # already optimised at prepare time: loads in half the time
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.session = ort.InferenceSession(str(optimized if optimized.is_file() else model_file), options,
                                            providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._slots = threading.BoundedSemaphore(concurrency)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        pad_id = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="<pad>")
        self.tokenizer.enable_truncation(max_length)
        self.backend, self.name, self.precision = "onnxruntime", folder, precision
        manifest = json.loads((path / LEAN_DIR / MANIFEST).read_text())
        self.fingerprint = hashlib.sha256(json.dumps([manifest["files"][model_file.name],
                                                      manifest["files"]["tokenizer.json"]]).encode()).hexdigest()
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 0) or len(self.embed(["x"])[0])

    def embed(self, texts: Sequence[str], batch_size: int = 1, progress: bool = False) -> np.ndarray:
        """One text per run by default. The int8 graph quantises activations with a scale taken from
        the whole batch, padding included, so in a batch a text's vector depends on its neighbours:
        a corpus edit or a warm cache would shift other entries' scores. Alone, every text gets the
        vector it gets as a query, and without padding the corpus encodes faster (measured: 1,131
        units in 8.9 s against 48.6 s in batches of 32)."""
        out = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(list(texts[start:start + batch_size]))
            ids = np.array([b.ids for b in batch], dtype=np.int64)
            mask = np.array([b.attention_mask for b in batch], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            with self._slots:
                hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, self.dim), np.float32)


CANDIDATE_UNITS = 200
"""Units the graph proposes per query; their documents are then scored exactly."""


class DenseIndex:
    """Embedding matrix of all units (phrasings, titles, answers) with the document each belongs to.

    A document's score blends its closest unit with the mean of its ``pool`` closest units: one
    lucky phrasing counts, but an intent that several phrasings agree on counts more (measured on
    the dev questions: better than the closest unit alone). Search returns the top-k documents;
    above a size threshold an ANN graph proposes them (see :mod:`bot.retrieve.ann`).
    """

    def __init__(self, vectors: np.ndarray, owners: np.ndarray, n_docs: int, pool: int = 3,
                 pool_weight: float = 0.5, ann: AnnIndex | None = None) -> None:
        if len(owners) and not np.all(owners[1:] >= owners[:-1]):
            order = np.argsort(owners, kind="stable")
            vectors, owners = vectors[order], owners[order]
        # float32 for exact search; a large corpus searched through the graph may keep float16 (half the memory)
        self.vectors = vectors if vectors.dtype in (np.float32, np.float16) and ann is not None \
            else np.asarray(vectors, dtype=np.float32)
        if n_docs and not np.array_equal(np.unique(owners), np.arange(n_docs)):
            raise ValueError("every document needs at least one embedded unit")
        self.owners = owners
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
        self._counts = np.diff(np.r_[self._starts, len(owners)]) if n_docs else np.zeros(0, dtype=np.int64)
        self.n_docs = n_docs
        self.pool, self.pool_weight = pool, pool_weight
        self.ann = ann
        self._slots: np.ndarray | None = None
        self._many = np.zeros(0, dtype=np.int64)

    def units(self, doc: int) -> np.ndarray:
        """The unit vectors of document ``doc`` (its phrasings, title and answer)."""
        return self.vectors[self._starts[doc]:self._starts[doc] + self._counts[doc]]

    def _blend(self, best: np.ndarray, top_sum: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Each document's best unit blended with the mean of its (at most ``pool``) best units."""
        mean = top_sum / np.minimum(counts, self.pool)
        return self.pool_weight * best + (1.0 - self.pool_weight) * mean

    def _pooled(self, sims_best: np.ndarray, sims_top: np.ndarray, counts: np.ndarray) -> np.ndarray:
        if self.pool <= 1 or self.pool_weight >= 1.0:
            return sims_best
        return self._blend(sims_best, np.where(np.isfinite(sims_top), sims_top, 0.0).sum(axis=1), counts)

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Every document's score, exactly (small corpora)."""
        sims = self.vectors @ query_vec
        best = np.maximum.reduceat(sims, self._starts)
        if self.pool <= 1 or self.pool_weight >= 1.0:
            return best
        # a document with at most ``pool`` units pools all of them; only the others need a partial sort,
        # over a padded (document, unit) table of just those documents
        top_sum = np.add.reduceat(sims, self._starts)
        if self._slots is None:
            many = np.flatnonzero(self._counts > self.pool)
            slots = np.full((len(many), int(self._counts[many].max()) if len(many) else 0), -1, dtype=np.int64)
            for row, doc in enumerate(many):
                slots[row, :self._counts[doc]] = np.arange(self._starts[doc], self._starts[doc] + self._counts[doc])
            self._many, self._slots = many, slots
        if len(self._many):
            padded = np.where(self._slots >= 0, sims[self._slots], -np.inf)
            top_sum[self._many] = -np.partition(-padded, self.pool - 1, axis=1)[:, :self.pool].sum(axis=1)
        return self._blend(best, top_sum, self._counts)

    def doc_scores(self, query_vec: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """The scores of the given documents only, exactly (candidates of a large corpus)."""
        if not len(docs):
            return np.zeros(0)
        counts = self._counts[docs]
        rows = np.repeat(self._starts[docs] - np.r_[0, np.cumsum(counts)[:-1]], counts) + np.arange(counts.sum())
        sims = self.vectors[rows].astype(np.float32, copy=False) @ query_vec
        seg = np.r_[0, np.cumsum(counts)[:-1]]
        best = np.maximum.reduceat(sims, seg)
        width = int(counts.max())
        padded = np.full((len(docs), width), -np.inf)
        padded[np.repeat(np.arange(len(docs)), counts), np.arange(len(sims)) - np.repeat(seg, counts)] = sims
        k = min(self.pool, width)
        top = -np.partition(-padded, k - 1, axis=1)[:, :k]
        return self._pooled(best, top, counts)

    def top_k(self, query_vec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(documents, scores) of the best ``k``, best first."""
        if self.ann is None:
            scores = self.scores(query_vec)
            k = min(k, self.n_docs)
            best = np.argpartition(-scores, k - 1)[:k] if k < self.n_docs else np.arange(self.n_docs)
        else:
            rows = self.ann.search(query_vec, max(4 * k, CANDIDATE_UNITS))
            best = np.unique(self.owners[rows[rows >= 0]])
            found = self.doc_scores(query_vec, best)  # only the candidates are scored
            order = np.argsort(-found, kind="stable")[:k]
            return best[order], found[order]
        best = best[np.argsort(-scores[best], kind="stable")][:k]
        return best, scores[best]

    @classmethod
    def build(cls, docs: Sequence[SearchDoc], encoder: Encoder, cache_dir: Path | None, progress: bool = False,
              ann_min_units: int = 50_000) -> DenseIndex:
        """Encode ``docs`` (reusing every cached unit embedding), and an ANN graph when they are many."""
        texts: list[str] = []
        owners: list[int] = []
        for i, doc in enumerate(docs):
            for q in (doc.title, *doc.questions):
                texts.append(encoder.query_prompt + normalize(q))
                owners.append(i)
            if doc.body:
                texts.append(encoder.passage_prompt + normalize(doc.body))
                owners.append(i)
        if cache_dir is not None:
            cache = UnitCache(cache_dir / "embeddings" / encoder.fingerprint[:24])
            vectors = cache.embed(texts, lambda t: encoder.embed(t, progress=progress), encoder.dim)
        else:
            vectors = encoder.embed(texts, progress=progress) if texts else np.zeros((0, encoder.dim), np.float32)
        ann = None
        if len(vectors) >= ann_min_units:
            path = cache_dir / "ann" / f"{digest(vectors)[:24]}.usearch" if cache_dir else None
            ann = AnnIndex.load(path, len(vectors)) if path else None
            if ann is None:
                ann = AnnIndex.build(vectors)
                if path:
                    ann.save(path)
        return cls(vectors, np.asarray(owners, dtype=np.int64), len(docs), ann=ann)
