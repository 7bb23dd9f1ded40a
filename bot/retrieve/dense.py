"""Dense retrieval: sentence embeddings of every phrasing, title and answer, max-pooled per document.

Corpus embeddings are cached on disk under a key made of the documents' hash, the model's
fingerprint and the prompts, so restarts skip re-encoding and any change re-encodes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.model.onnx_export import ONNX_FILE, export_onnx, has_onnx
from bot.model.resolve import model_fingerprint
from bot.normalize import normalize
from bot.retrieve.docs import SearchDoc, docs_fingerprint

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
    """The exported ONNX graph run by ONNX Runtime with the fast tokenizer: no PyTorch on the request path.

    Mean pooling over the attention mask and L2 normalisation, as the folder's pooling and
    normalise modules specify; this is what keeps start-up under a few seconds and memory low.
    """

    def __init__(self, folder: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ",
                 max_length: int = 512, threads: int | None = None) -> None:
        super().__init__(query_prompt, passage_prompt)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = Path(folder)
        if not has_onnx(path):
            export_onnx(path)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # idle ONNX Runtime threads would otherwise spin and steal the cores that NumPy's BLAS
        # uses for scoring large corpora (measured: query embedding 21 ms → 12 ms at 10k entries)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        pad_id = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="<pad>")
        self.tokenizer.enable_truncation(max_length)
        self.backend, self.name = "onnxruntime", folder
        self.fingerprint = model_fingerprint(folder)
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 0) or len(self.embed(["x"])[0])

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(list(texts[start:start + batch_size]))
            ids = np.array([b.ids for b in batch], dtype=np.int64)
            mask = np.array([b.attention_mask for b in batch], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, self.dim), np.float32)


class DenseIndex:
    """Embedding matrix of all units (phrasings, titles, answers) with the document each belongs to.

    A document's score blends its closest unit with the mean of its ``pool`` closest units: one
    lucky phrasing counts, but an intent that several phrasings agree on counts more (measured on
    the dev questions: better than the closest unit alone).
    """

    def __init__(self, vectors: np.ndarray, owners: np.ndarray, n_docs: int, pool: int = 3,
                 pool_weight: float = 0.5) -> None:
        order = np.argsort(owners, kind="stable")
        self.vectors = np.ascontiguousarray(vectors[order], dtype=np.float32)
        owners = owners[order]
        if n_docs and not np.array_equal(np.unique(owners), np.arange(n_docs)):
            raise ValueError("every document needs at least one embedded unit")
        self.owners = owners
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
        self.n_docs = n_docs
        self.pool, self.pool_weight = pool, pool_weight
        counts = np.diff(np.r_[self._starts, len(owners)]) if n_docs else np.zeros(0, dtype=np.int64)
        width = int(counts.max()) if n_docs else 0
        # unit index per (document, slot); -1 pads documents with fewer units
        self._slots = np.full((n_docs, width), -1, dtype=np.int64)
        if n_docs:
            col = np.arange(len(owners)) - np.repeat(self._starts, counts)
            self._slots[owners, col] = np.arange(len(owners))
        self._counts = np.minimum(counts, pool).astype(np.float32)

    def units(self, doc: int) -> np.ndarray:
        """The unit vectors of document ``doc`` (its phrasings, title and answer)."""
        end = self._starts[doc + 1] if doc + 1 < len(self._starts) else len(self.vectors)
        return self.vectors[self._starts[doc]:end]

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Per document: ``pool_weight`` × closest unit + (1 − ``pool_weight``) × mean of the ``pool`` closest."""
        sims = self.vectors @ query_vec
        best = np.maximum.reduceat(sims, self._starts)
        if self.pool <= 1 or self.pool_weight >= 1.0:
            return best
        padded = np.where(self._slots >= 0, sims[self._slots], -np.inf)
        k = min(self.pool, padded.shape[1])
        top = -np.partition(-padded, k - 1, axis=1)[:, :k]
        mean = np.where(np.isfinite(top), top, 0.0).sum(axis=1) / self._counts
        return self.pool_weight * best + (1.0 - self.pool_weight) * mean

    @classmethod
    def build(cls, docs: Sequence[SearchDoc], encoder: Encoder, cache_dir: Path | None,
              progress: bool = False) -> DenseIndex:
        """Encode ``docs`` (or load their cached embeddings)."""
        query_units: list[tuple[int, str]] = []
        passage_units: list[tuple[int, str]] = []
        for i, doc in enumerate(docs):
            query_units += [(i, q) for q in (doc.title, *doc.questions)]
            if doc.body:
                passage_units.append((i, doc.body))
        owners = np.array([i for i, _ in query_units] + [i for i, _ in passage_units], dtype=np.int64)
        key = _cache_key(docs, encoder)
        path = cache_dir / "embeddings" / f"{key}.npy" if cache_dir else None
        if path is not None:
            vectors = load_verified(path, (len(owners), encoder.dim))
            if vectors is not None:
                logger.info("corpus embeddings loaded from cache %s", path.name)
                return cls(vectors, owners, len(docs))
        logger.info("encoding %d corpus units with %s", len(owners), encoder.name)
        parts = [encoder.encode_queries([t for _, t in query_units], progress=progress)]
        if passage_units:
            parts.append(encoder.encode_passages([t for _, t in passage_units], progress=progress))
        vectors = np.concatenate(parts) if parts else np.zeros((0, encoder.dim), np.float32)
        if path is not None:
            save_verified(path, vectors)
        return cls(vectors, owners, len(docs))


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def save_verified(path: Path, array: np.ndarray) -> None:
    """Write ``array`` and a sidecar with its shape, dtype and sha256, each atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, array)
    meta = path.with_suffix(".json")
    meta_tmp = meta.with_suffix(".tmp.json")
    meta_tmp.write_text(json.dumps({"shape": list(array.shape), "dtype": str(array.dtype), "sha256": _digest(array)}))
    tmp.replace(path)
    meta_tmp.replace(meta)


def load_verified(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """The cached array, or None (with a warning) when it is missing, damaged or not what is expected."""
    meta = path.with_suffix(".json")
    if not path.is_file():
        return None
    try:
        info = json.loads(meta.read_text())
        array = np.load(path, allow_pickle=False)
        problem = None
        if tuple(info["shape"]) != shape or array.shape != shape:
            problem = f"shape {array.shape}, expected {shape}"
        elif str(array.dtype) != info["dtype"] or array.dtype != np.float32:
            problem = f"dtype {array.dtype}"
        elif _digest(array) != info["sha256"]:
            problem = "checksum mismatch"
    except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
        problem = f"unreadable ({type(exc).__name__})"
    if problem is None:
        return array
    logger.warning("corpus embedding cache %s is damaged (%s): rebuilding it", path.name, problem)
    return None


def _cache_key(docs: Sequence[SearchDoc], encoder: Encoder) -> str:
    parts = (docs_fingerprint(list(docs)), encoder.fingerprint, encoder.query_prompt, encoder.passage_prompt)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]
