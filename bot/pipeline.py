"""Assemble the bot once: corpus → indexes → retriever → chat service.

Loading the embedding model is the only step allowed to fail softly: the bot then serves from
BM25 alone and reports the degradation in its log and its readiness output.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.chat import ChatService
from bot.corpus import Corpus, load_corpus
from bot.model.onnx_export import has_onnx
from bot.model.resolve import resolve_model
from bot.retrieve.dense import Encoder, OnnxRuntimeEncoder, SentenceTransformerEncoder
from bot.retrieve.hybrid import Retriever
from bot.segment import Segmenter
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
    """Load the configured embedding model; with ``prepare``, convert and export it first if needed.

    Serving never converts (it takes a minute and gigabytes of memory): an unprepared model is
    reported, and the bot serves BM25 alone. ``onnxruntime`` (the default) needs a local folder; a
    hub id is loaded through sentence-transformers.
    """
    try:
        model = resolve_model(settings, convert_if_missing=prepare)
    except FileNotFoundError as exc:
        raise ModelNotPrepared(str(exc)) from None
    if settings.embed_backend == "onnxruntime" and Path(model).is_dir() and not prepare \
            and not has_onnx(Path(model)):
        raise ModelNotPrepared(f"{model} has no ONNX export")
    if settings.embed_backend == "onnxruntime" and Path(model).is_dir():
        return OnnxRuntimeEncoder(model, settings.query_prompt, settings.passage_prompt)
    backend = "onnx" if settings.embed_backend == "onnxruntime" else settings.embed_backend
    return SentenceTransformerEncoder(model, settings.query_prompt, settings.passage_prompt, backend=backend)


def build_bot(settings: Settings, sessions: SessionStore | None = None, encoder: Encoder | None = None,
              progress: bool = False, prepare: bool = False) -> Bot:
    """Load the corpus and both indexes. Raises ``CorpusError`` on bad knowledge data."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    corpus = load_corpus(settings.corpus_dir)
    timings["corpus"] = time.perf_counter() - t
    dense_error: str | None = None
    if encoder is None and settings.dense_enabled and settings.retrieval_mode != "bm25":
        t = time.perf_counter()
        try:
            encoder = load_encoder(settings, prepare=prepare)
        except ModelNotPrepared as exc:
            dense_error = "not prepared"
            logger.error("embedding model not prepared (%s): serving BM25 only; run `python -m bot prepare`", exc)
        except Exception as exc:  # any model failure degrades to BM25 instead of taking the bot down
            dense_error = f"{type(exc).__name__}: {exc}"
            logger.error("embedding model unavailable, serving BM25 only: %s", dense_error)
        timings["model"] = time.perf_counter() - t
    elif not settings.dense_enabled:
        dense_error = "disabled by configuration"
    t = time.perf_counter()
    retriever = Retriever(corpus, settings, Segmenter(), encoder, progress=progress)
    timings["index"] = time.perf_counter() - t
    store = sessions if sessions is not None else MemorySessionStore(settings.session_ttl_seconds, settings.session_max)
    chat = ChatService(settings, corpus, retriever, store)
    logger.info("bot ready", extra={"timings": timings, "dense": encoder is not None})
    return Bot(settings, corpus, retriever, chat, dense_error, timings)
