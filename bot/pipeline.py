"""Assemble the bot once: corpus → indexes → retriever → chat service.

Loading the embedding model is the only step allowed to fail softly: the bot then serves from
BM25 alone and reports the degradation in its log and its readiness output.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.blas import limit_blas_threads
from bot.chat import ChatService
from bot.corpus import Corpus, load_corpus
from bot.model.lean import PRECISIONS, has_lean
from bot.model.resolve import resolve_model
from bot.retrieve.dense import Encoder, OnnxRuntimeEncoder, SentenceTransformerEncoder
from bot.retrieve.docs import search_docs
from bot.retrieve.hybrid import Retriever
from bot.segment import Segmenter, corpus_dictionary
from bot.sessions import MemorySessionStore, SessionStore
from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Bot:
    """Everything a request needs, built once per process."""

    settings: Settings
    corpus: Corpus
    retriever: Retriever
    chat: ChatService
    dense_error: str | None = None
    load_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def degraded(self) -> bool:
        return self.retriever.dense is None

    def status(self) -> dict[str, object]:
        return {
            "intents": len(self.corpus.intents),
            "retrieval_mode": "bm25" if self.degraded else self.settings.retrieval_mode,
            "dense": "unavailable" if self.degraded else "ok",
            "dense_error": self.dense_error,
            "model": self.settings.model,
            "load_seconds": {k: round(v, 3) for k, v in self.load_seconds.items()},
        }


class ModelNotPrepared(RuntimeError):
    """The embedding model has not been converted or exported yet (``python -m bot prepare`` does it)."""


def load_encoder(settings: Settings, prepare: bool = False) -> Encoder:
    """Load the configured embedding model; with ``prepare``, convert, export and slim it first if needed.

    Serving never converts or exports (that takes a minute, gigabytes of memory and PyTorch): an
    unprepared model is reported, and the bot serves BM25 alone. The default ``onnxruntime``
    backend runs the lean artefacts of a local folder; a hub id is loaded through sentence-transformers.
    """
    try:
        model = resolve_model(settings, convert_if_missing=prepare)
    except FileNotFoundError as exc:
        raise ModelNotPrepared(str(exc)) from None
    folder = Path(model)
    if settings.embed_backend == "onnxruntime" and folder.is_dir():
        if prepare:
            from bot.model.lean import build_lean
            from bot.model.onnx_export import ONNX_FILE, export_onnx, has_onnx

            if not has_onnx(folder):
                export_onnx(folder)
            if not all(has_lean(folder, p) for p in PRECISIONS):
                build_lean(folder, folder / ONNX_FILE)
        elif not has_lean(folder, settings.embed_precision):
            raise ModelNotPrepared(f"{folder} has no lean {settings.embed_precision} model")
        return OnnxRuntimeEncoder(str(folder), settings.query_prompt, settings.passage_prompt,
                                  precision=settings.embed_precision, threads=settings.embed_threads,
                                  concurrency=settings.embed_concurrency)
    backend = "onnx" if settings.embed_backend == "onnxruntime" else settings.embed_backend
    return SentenceTransformerEncoder(model, settings.query_prompt, settings.passage_prompt, backend=backend)


def _load_model(settings: Settings, prepare: bool) -> tuple[Encoder | None, str | None, float]:
    """(encoder or None, why not, seconds): the model may fail softly, the bot then serves BM25 alone."""
    t = time.perf_counter()
    try:
        return load_encoder(settings, prepare=prepare), None, time.perf_counter() - t
    except ModelNotPrepared as exc:
        logger.error("embedding model not prepared (%s): serving BM25 only; run `python -m bot prepare`", exc)
        return None, "not prepared", time.perf_counter() - t
    except Exception as exc:  # any model failure degrades to BM25 instead of taking the bot down
        logger.error("embedding model unavailable, serving BM25 only: %s: %s", type(exc).__name__, exc)
        return None, f"{type(exc).__name__}: {exc}", time.perf_counter() - t


def build_bot(settings: Settings, sessions: SessionStore | None = None, encoder: Encoder | None = None,
              progress: bool = False, prepare: bool = False) -> Bot:
    """Load the corpus and both indexes. Raises ``CorpusError`` on bad knowledge data.

    The model loads in a second thread while the corpus and the segmenter load here: ONNX Runtime
    builds its session in native code, so the two overlap in part (the corpus's regular expressions
    are compiled in Python and hold the interpreter).
    """
    timings: dict[str, float] = {}
    dense_error: str | None = None
    limit_blas_threads(settings.blas_threads)
    loading: Future[tuple[Encoder | None, str | None, float]] | None = None
    pool = None
    if encoder is None and settings.dense_enabled and settings.retrieval_mode != "bm25":
        pool = ThreadPoolExecutor(1, thread_name_prefix="model-load")
        loading = pool.submit(_load_model, settings, prepare)
    elif not settings.dense_enabled:
        dense_error = "disabled by configuration"
    try:
        t = time.perf_counter()
        corpus = load_corpus(settings.corpus_dir)
        timings["corpus"] = time.perf_counter() - t
        t = time.perf_counter()
        texts = [d.sparse_text() for d in search_docs(corpus)]
        segmenter = Segmenter(dictionary=corpus_dictionary(texts, settings.cache_dir))
        timings["segmenter"] = time.perf_counter() - t
        if loading is not None:
            encoder, dense_error, timings["model"] = loading.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    t = time.perf_counter()
    retriever = Retriever(corpus, settings, segmenter, encoder, progress=progress)
    timings["index"] = time.perf_counter() - t
    store = sessions if sessions is not None else MemorySessionStore(settings.session_ttl_seconds, settings.session_max)
    chat = ChatService(settings, corpus, retriever, store)
    logger.info("bot ready", extra={"timings": timings, "dense": encoder is not None})
    return Bot(settings, corpus, retriever, chat, dense_error, timings)
