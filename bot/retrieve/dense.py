"""Dense retrieval: sentence embeddings of every phrasing, title and answer, max-pooled per document.

Corpus embeddings are cached on disk under a key made of the documents' hash, the model's
fingerprint and the prompts, so restarts skip re-encoding and any change re-encodes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.model.resolve import model_fingerprint
from bot.normalize import normalize
from bot.retrieve.docs import SearchDoc, docs_fingerprint

logger = logging.getLogger(__name__)


class Encoder:
    """A sentence-transformers model loaded once, with the query/passage prompts it expects."""

    def __init__(self, model: str, query_prompt: str = "query: ", passage_prompt: str = "passage: ",
                 backend: str = "torch") -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, torch.get_num_threads()))
        kwargs = {"backend": backend} if backend != "torch" else {}
        self.model = SentenceTransformer(model, device="cpu", local_files_only=Path(model).is_dir(), **kwargs)
        self.name = model
        self.fingerprint = model_fingerprint(model)
        self.query_prompt, self.passage_prompt = query_prompt, passage_prompt
        dim_fn = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_fn() or 0)
        self._encode_query_cached = lru_cache(maxsize=2048)(self._encode_query)

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int = 64,
                progress: bool = False) -> np.ndarray:
        vecs = self.model.encode([normalize(t) for t in texts], prompt=prompt, batch_size=batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=progress)
        return np.asarray(vecs, dtype=np.float32)

    def _encode_query(self, text: str) -> np.ndarray:
        vec = self._encode([text], self.query_prompt, batch_size=1)[0]
        vec.setflags(write=False)
        return vec

    def encode_query(self, text: str, use_cache: bool = True) -> np.ndarray:
        """Unit vector for one user question (memoised: people repeat questions)."""
        return self._encode_query_cached(text) if use_cache else self._encode_query(text)

    def encode_queries(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.query_prompt, progress=progress)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.passage_prompt, progress=progress)


class DenseIndex:
    """Embedding matrix of all units (phrasings, titles, answers) with the document each belongs to."""

    def __init__(self, vectors: np.ndarray, owners: np.ndarray, n_docs: int) -> None:
        order = np.argsort(owners, kind="stable")
        self.vectors = np.ascontiguousarray(vectors[order], dtype=np.float32)
        owners = owners[order]
        if n_docs and not np.array_equal(np.unique(owners), np.arange(n_docs)):
            raise ValueError("every document needs at least one embedded unit")
        self._starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(owners) else owners
        self.n_docs = n_docs

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with each document's closest unit."""
        return np.maximum.reduceat(self.vectors @ query_vec, self._starts)

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
        if path is not None and path.is_file():
            vectors = np.load(path)
            if vectors.shape == (len(owners), encoder.dim):
                logger.info("corpus embeddings loaded from cache %s", path.name)
                return cls(vectors, owners, len(docs))
            logger.warning("ignoring corpus embedding cache %s: shape %s", path, vectors.shape)
        logger.info("encoding %d corpus units with %s", len(owners), encoder.name)
        parts = [encoder.encode_queries([t for _, t in query_units], progress=progress)]
        if passage_units:
            parts.append(encoder.encode_passages([t for _, t in passage_units], progress=progress))
        vectors = np.concatenate(parts) if parts else np.zeros((0, encoder.dim), np.float32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        return cls(vectors, owners, len(docs))


def _cache_key(docs: Sequence[SearchDoc], encoder: Encoder) -> str:
    parts = (docs_fingerprint(list(docs)), encoder.fingerprint, encoder.query_prompt, encoder.passage_prompt)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]
