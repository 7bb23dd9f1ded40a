"""Speed: per-stage latency percentiles, cold start, peak memory, API throughput, and corpus scaling."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np

from bot.chat import ChatService
from bot.extract import extract
from bot.penalty import calculate
from bot.pipeline import Bot
from bot.retrieve.bm25 import BM25Index
from bot.retrieve.dense import DenseIndex
from bot.retrieve.docs import search_docs
from bot.retrieve.hybrid import Retriever
from bot.sessions import MemorySessionStore

ROOT = Path(__file__).resolve().parent.parent
WARMUP = ["借呗问题预热一", "预热第二句话逾期", "warm up three"]


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    if not len(ms):
        return {"n": 0}
    return {"n": len(ms), "p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "p99_ms": round(float(np.percentile(ms, 99)), 3), "mean_ms": round(float(ms.mean()), 3)}


def _clear_query_cache(bot_or_retriever: Bot | Retriever) -> None:
    retriever = bot_or_retriever.retriever if isinstance(bot_or_retriever, Bot) else bot_or_retriever
    if retriever.encoder is not None:
        retriever.encoder._encode_query_cached.cache_clear()


def stage_latency(bot: Bot, texts: Sequence[str], progress=None) -> dict[str, dict[str, float]]:
    """Per-stage and whole-answer latency over ``texts`` after a warm-up, query cache cleared."""
    for t in WARMUP:
        bot.chat.reply(t)
    stages: dict[str, list[float]] = {"understand": [], "normalise+segment": [], "bm25": [], "query_embedding": [], "dense_scoring": [],
                                      "fusion": [], "calculator": [], "whole_answer": []}
    _clear_query_cache(bot)
    for text in texts:
        t = time.perf_counter()
        turn = bot.chat.understand(text)
        understand_s = time.perf_counter() - t
        r = bot.retriever.search(turn.text, turn.match_text, use_cache=False)
        stages["understand"].append(understand_s)
        for key, name in (("segment", "normalise+segment"), ("bm25", "bm25"), ("embed", "query_embedding"),
                          ("dense", "dense_scoring"), ("fusion", "fusion")):
            if key in r.timings:
                stages[name].append(r.timings[key])
        t = time.perf_counter()
        found = extract(text)
        if found.principal and found.days and found.principal > 0 and found.days > 0:
            calculate(found.principal, found.days, found.daily_rate, bot.settings.default_daily_rate)
        stages["calculator"].append(time.perf_counter() - t)
        if progress is not None:
            progress.update(1)
    _clear_query_cache(bot)
    for text in texts:
        t = time.perf_counter()
        bot.chat.reply(text)
        stages["whole_answer"].append(time.perf_counter() - t)
        if progress is not None:
            progress.update(1)
    return {k: percentiles(v) for k, v in stages.items() if v}


def embedding_backends(model_path: str, texts: Sequence[str], settings) -> dict[str, dict[str, float]]:
    """Query-embedding latency per backend: PyTorch (before), ONNX via sentence-transformers, lean ONNX Runtime."""
    from bot.retrieve.dense import Encoder, OnnxRuntimeEncoder, SentenceTransformerEncoder

    out = {}
    for backend in ("torch", "onnx", "onnxruntime"):
        enc: Encoder = (OnnxRuntimeEncoder(model_path, settings.query_prompt, settings.passage_prompt)
                        if backend == "onnxruntime" else
                        SentenceTransformerEncoder(model_path, settings.query_prompt, settings.passage_prompt, backend))
        for t in WARMUP:
            enc.encode_query(t, use_cache=False)
        times = []
        for text in texts:
            t0 = time.perf_counter()
            enc.encode_query(text, use_cache=False)
            times.append(time.perf_counter() - t0)
        out[enc.backend] = percentiles(times)
        del enc
    return out


def cold_start(runs: int = 1, **env: str) -> dict[str, object]:
    """Fresh interpreter → first answer, with corpus embeddings already cached (as after setup)."""
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-m", "eval.coldstart"], capture_output=True, text=True, cwd=ROOT,
                              timeout=600, env={**os.environ, **env})
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {"cold_start_s": min(r["cold_start_s"] for r in results), "runs": [r["cold_start_s"] for r in results],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results)}




def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def distinct_questions(texts: Sequence[str], n: int) -> list[str]:
    """``n`` different questions: the texts, then pairs of them joined (so no answer comes from a cache)."""
    out = list(dict.fromkeys(texts))
    i = 0
    while len(out) < n and len(texts) > 1:
        a, b = texts[i % len(texts)], texts[(i * 7 + 3) % len(texts)]
        if a != b:
            out.append(f"{a}，另外{b}")
        i += 1
    return out[:n]


def api_load(texts: Sequence[str], concurrency: Sequence[int], seconds: float, workers: Sequence[int] = (1,),
             progress=None) -> dict[str, object]:
    """Throughput, errors and latency of ``POST /api/chat`` over loopback.

    For each worker count and each number of concurrent clients, two runs: *distinct* questions
    (every request a question the server has not seen, so no query cache helps) and *repeated*
    ones (a small set cycled, as a popular question would be). 503s are the server shedding load.
    """
    out: dict[str, object] = {"seconds_per_level": seconds}
    budget = int(max(concurrency) * seconds * 400) + 1000
    distinct = distinct_questions(list(texts), budget)
    for w in workers:
        port = _free_port()
        tmp = tempfile.mkdtemp(prefix="eval-api-")
        env = {**os.environ, "JIEBEI_PORT": str(port), "JIEBEI_RATE_LIMIT_PER_MINUTE": "100000000",
               "JIEBEI_FEEDBACK_DB": str(Path(tmp) / "fb.sqlite3"), "JIEBEI_LOG_LEVEL": "WARNING",
               "JIEBEI_WORKERS": str(w)}
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 240
            ready = False
            while time.time() < deadline and not ready:
                try:
                    ready = httpx.get(base + "/readyz", timeout=2).status_code == 200
                except httpx.HTTPError:
                    pass
                if server.poll() is not None:
                    out[f"workers_{w}"] = {"error": "server exited: " + server.stderr.read().decode()[-300:]}
                    break
                time.sleep(0.5)
            if not ready:
                out.setdefault(f"workers_{w}", {"error": "server not ready in 240 s"})
                continue
            time.sleep(1.0 if w > 1 else 0.0)  # let every worker finish loading
            results: dict[str, dict[str, object]] = {"distinct": {}, "repeated": {}}
            cursor = [0]
            for n in concurrency:
                results["distinct"][str(n)] = _load_level(base, distinct, n, seconds, cursor)
                results["repeated"][str(n)] = _load_level(base, list(texts)[:20], n, seconds, [0])
                if progress is not None:
                    progress.update(1)
            out[f"workers_{w}"] = results
        finally:
            import signal

            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
    return out


def _load_level(base: str, texts: Sequence[str], clients: int, seconds: float, cursor: list[int]) -> dict[str, object]:
    """``clients`` threads posting questions for ``seconds``; ``cursor`` hands out the next question (shared
    across levels for distinct questions, so none is asked twice)."""
    latencies: list[float] = []
    errors = shed = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def next_text() -> str:
        with lock:
            i = cursor[0]
            cursor[0] += 1
        return texts[i % len(texts)]

    def worker() -> None:
        nonlocal errors, shed
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                try:
                    status = client.post("/api/chat", json={"message": next_text()}).status_code
                except httpx.HTTPError:
                    status = 0
                dt = time.perf_counter() - t0
                with lock:
                    if status == 200:
                        latencies.append(dt)
                    elif status == 503:
                        shed += 1
                    else:
                        errors += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "shed_503": shed,
            "throughput_rps": round(len(latencies) / elapsed, 2), **percentiles(latencies)}


def synthetic_bot(bot: Bot, size: int, seed: int = 7, units_per_doc: int = 4) -> tuple[ChatService, dict[str, float]]:
    """A chat service over ``size`` entries: the real ones plus perturbed copies.

    Copies keep a random 70% of their source's terms plus random vocabulary and a unique term;
    their embedding units are the source's unit vectors plus Gaussian noise, renormalised. Query
    cost depends on the index shapes, not on how the vectors were obtained; encoding cost per
    passage is reported separately.
    """
    rng = np.random.default_rng(seed)
    base = bot.retriever
    real_docs = search_docs(bot.corpus)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    docs = real_docs + [replace(real_docs[i % len(real_docs)], id=f"{real_docs[i % len(real_docs)].id}-syn{i}",
                                target=f"{real_docs[i % len(real_docs)].target}-syn{i}")
                        for i in range(max(0, size - len(real_docs)))]
    real_terms = [base.segmenter.sparse_terms(d.sparse_text(), bot.settings.bm25_char_bigrams) for d in real_docs]
    vocab = sorted({t for terms in real_terms for t in terms})
    index_of = {d.id: i for i, d in enumerate(real_docs)}
    terms = []
    for d in docs:
        src = index_of[d.id.split("-syn")[0]]
        if "-syn" not in d.id:
            terms.append(real_terms[src])
            continue
        keep = [t for t in real_terms[src] if rng.random() < 0.7]
        terms.append(keep + list(rng.choice(vocab, 10)) + [f"syn-{d.id}"])
    timings["corpus_s"] = time.perf_counter() - t
    t = time.perf_counter()
    bm25 = BM25Index(terms)
    timings["bm25_build_s"] = time.perf_counter() - t
    dense = None
    if base.dense is not None:
        t = time.perf_counter()
        vec_parts, owner_parts = [], []
        for i, d in enumerate(docs):
            units = base.dense.units(index_of[d.id.split("-syn")[0]])
            if "-syn" in d.id:
                units = units[:units_per_doc] + rng.normal(0, 0.03, (min(len(units), units_per_doc), units.shape[1]))
                units = units / np.linalg.norm(units, axis=1, keepdims=True)
            vec_parts.append(units.astype(np.float32))
            owner_parts.append(np.full(len(units), i))
        dense = DenseIndex(np.concatenate(vec_parts), np.concatenate(owner_parts), len(docs))
        timings["dense_build_s"] = time.perf_counter() - t
        timings["dense_units"] = float(len(dense.vectors))
    retriever = Retriever.from_indexes(bot.settings, base.segmenter, docs, bm25, dense, base.encoder)
    chat = ChatService(bot.settings, bot.corpus, retriever, MemorySessionStore(600, 10_000))
    return chat, {k: round(v, 3) for k, v in timings.items()}


def scaling(bot: Bot, texts: Sequence[str], sizes: Sequence[int], progress=None) -> dict[str, object]:
    """Whole-answer and retrieval latency on synthetic corpora of increasing size."""
    out: dict[str, object] = {}
    for size in sizes:
        chat, build = synthetic_bot(bot, size)
        for t in WARMUP:
            chat.reply(t)
        _clear_query_cache(chat.retriever)
        search, whole = [], []
        for text in texts:
            turn = chat.understand(text)
            t0 = time.perf_counter()
            chat.retriever.search(turn.text, turn.match_text, use_cache=False)
            search.append(time.perf_counter() - t0)
        _clear_query_cache(chat.retriever)
        for text in texts:
            t0 = time.perf_counter()
            chat.reply(text)
            whole.append(time.perf_counter() - t0)
        out[str(size)] = {"entries": len(chat.retriever.docs), "build": build, "retrieval": percentiles(search),
                          "whole_answer": percentiles(whole)}
        del chat
        if progress is not None:
            progress.update(1)
    return out
