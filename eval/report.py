"""Write the evaluation as Markdown with PNG charts (for people) and JSON (for machines)."""

from __future__ import annotations

import json
from pathlib import Path

MODES = ("bm25", "dense", "hybrid")


def targets(results: dict) -> list[dict[str, object]]:
    """Each target of the project, measured value and whether it is met."""
    rows: list[dict[str, object]] = []
    ret = results.get("retrieval", {})
    hyb = ret.get("hybrid")

    def add(name: str, value, ok: bool | None) -> None:
        rows.append({"target": name, "value": value, "met": ok})

    if hyb:
        singles = [ret[m]["recall@1"] for m in ("bm25", "dense") if m in ret]
        add("hybrid recall@1 ≥ 0.90 (test)", hyb["recall@1"], hyb["recall@1"] >= 0.90)
        add("hybrid recall@1 ≥ each single mode", f"{hyb['recall@1']} vs {singles}", all(hyb["recall@1"] >= s for s in singles))
        add("fallback F1 ≥ 0.90 (hybrid, test)", hyb["fallback"]["f1"], hyb["fallback"]["f1"] >= 0.90)
    calc = results.get("calculator")
    if calc:
        add("calculator amount accuracy 100%", calc["amount_accuracy"], calc["amount_accuracy"] == 1.0)
    lat = results.get("speed", {}).get("stages", {}).get("whole_answer")
    if lat:
        add("whole answer p50 ≤ 25 ms", lat["p50_ms"], lat["p50_ms"] <= 25)
        add("whole answer p99 ≤ 60 ms", lat["p99_ms"], lat["p99_ms"] <= 60)
    scale = results.get("speed", {}).get("scaling", {}).get("10000")
    if scale:
        w = scale["whole_answer"]
        add("10k entries: p50 ≤ 50 ms and p99 ≤ 120 ms", f"{w['p50_ms']} / {w['p99_ms']}", w["p50_ms"] <= 50 and w["p99_ms"] <= 120)
    cold = results.get("speed", {}).get("cold_start", {})
    if "cold_start_s" in cold:
        add("cold start ≤ 10 s", cold["cold_start_s"], cold["cold_start_s"] <= 10)
        add("peak RSS ≤ 1.5 GB (serving process)", f"{cold['peak_rss_mb']} MB", cold["peak_rss_mb"] <= 1536)
    return rows


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def charts(results: dict, out_dir: Path) -> list[str]:
    """recall_by_mode.png, latency_by_stage.png, scaling.png; returns the file names written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[str] = []

    def save(fig, ax, name: str, title: str) -> None:
        ax.set_title(title)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        written.append(name)

    ret = results.get("retrieval", {})
    modes = [m for m in MODES if m in ret]
    if modes:
        fig, ax = plt.subplots(figsize=(6, 3.4))
        series = [(k, [ret[m][k] for m in modes]) for k in ("recall@1", "recall@3", "mrr@10")]
        series.append(("fallback F1", [ret[m]["fallback"]["f1"] for m in modes]))
        for i, (label, values) in enumerate(series):
            ax.bar([x + i * 0.2 for x in range(len(modes))], values, width=0.2, label=label)
        ax.set_xticks([x + 0.3 for x in range(len(modes))], modes)
        ax.set_ylim(0, 1.05)
        save(fig, ax, "recall_by_mode.png", "Retrieval on the test split")
    stages = results.get("speed", {}).get("stages", {})
    if stages:
        names = list(stages)
        p50 = [stages[n]["p50_ms"] for n in names]
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
        ax.barh(names, p50, label="p50")
        ax.barh(names, [stages[n]["p95_ms"] - v for n, v in zip(names, p50, strict=True)], left=p50, label="p95", alpha=0.6)
        ax.set_xlabel("ms")
        save(fig, ax, "latency_by_stage.png", "Latency by stage (in process)")
    scale = results.get("speed", {}).get("scaling", {})
    if scale:
        sizes = sorted(scale, key=int)
        fig, ax = plt.subplots(figsize=(6, 3.4))
        for key, label in (("whole_answer", "whole answer"), ("retrieval", "retrieval")):
            for pct, style in (("p50", "-"), ("p99", "--")):
                ax.plot([int(s) for s in sizes], [scale[s][key][f"{pct}_ms"] for s in sizes], marker="o",
                        linestyle=style, label=f"{label} {pct}")
        ax.set_xscale("log")
        ax.set_xlabel("entries")
        ax.set_ylabel("ms")
        save(fig, ax, "scaling.png", "Latency vs corpus size")
    return written


def _latency_table(caption: str, label: str, rows: dict[str, dict[str, float]]) -> list[str]:
    lines = [caption, "", f"| {label} | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|"]
    lines += [f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} |" for k, v in rows.items()]
    return lines + [""]


def markdown(results: dict, images: list[str]) -> str:
    env = results["environment"]
    lines = [f"# Evaluation report{' (quick subset)' if results.get('quick') else ''}", "",
             f"Generated {env['generated']} on {env['machine']} ({env['cpus']} CPUs), Python {env['python']}.", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()) + ".", "",
             "Configuration: " + ", ".join(f"`{k}={v}`" for k, v in env["settings"].items()) + ".", ""]
    rows = targets(results)
    if rows:
        lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {r['target']} | {_fmt(r['value'])} | {'yes' if r['met'] else '**no**'} |" for r in rows]
        lines.append("")
    ret = results.get("retrieval", {})
    if ret:
        ds = results.get("dataset", {})
        lines += ["## Retrieval (test split)", "",
                  f"{ds.get('test_in_scope')} in-scope and {ds.get('test_fallback')} must-fall-back questions "
                  f"(dev: {ds.get('dev_in_scope')} + {ds.get('dev_fallback')}, used for tuning only).", "",
                  "| mode | recall@1 | recall@3 | recall@5 | MRR@10 | answered correctly | fallback P | fallback R | fallback F1 |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for m in MODES:
            if m in ret:
                r = ret[m]
                f = r["fallback"]
                lines.append(f"| {m} | {r['recall@1']} | {r['recall@3']} | {r['recall@5']} | {r['mrr@10']} | "
                             f"{r['answered_correctly']} | {f['precision']} | {f['recall']} | {f['f1']} |")
        lines += ["", "\"answered correctly\" = first entry acceptable and no fallback.", ""]
        if "recall_by_mode.png" in images:
            lines += ["![recall by mode](recall_by_mode.png)", ""]
        if "hybrid" in ret and ret["hybrid"]["misses"]:
            lines += ["Hybrid misses (expected → got):", ""]
            lines += [f"- {k}: {v}" for k, v in ret["hybrid"]["misses"].items()]
            lines.append("")
    if "dev" in results:
        lines += ["Same metrics on the dev split (tuned on): " + ", ".join(
            f"{m} recall@1 {v['recall@1']}, F1 {v['fallback']['f1']}" for m, v in results["dev"].items()), ""]
    if "tuning" in results:
        lines += ["## Tuning (dev split only)", "", "Best settings found: " + ", ".join(
            f"`{x}`" for x in results["tuning"]["settings"]), ""]
    ext = results.get("external")
    if ext:
        lines += ["## External check: AFQMC", ""]
        if ext.get("skipped"):
            lines += [ext["skipped"], ""]
        else:
            sp = ext["spearman"]
            lines += [f"Spearman × 100 of cosine vs label on {sp['pairs']} AFQMC dev pairs: **{sp['ours']}** "
                      f"(published C-MTEB: " + ", ".join(f"{k} {v}" for k, v in sp["published"].items()) + ").", "",
                      f"Paraphrase consistency on {ext['paraphrase']['pairs']} same-meaning 借呗-overdue pairs: "
                      f"**{ext['paraphrase']['consistent']}** (same top entry, or both fall back).", ""]
    calc = results.get("calculator")
    if calc:
        lines += ["## Calculator", "", f"{calc['cases']} phrasings: amount accuracy **{calc['amount_accuracy']}**, "
                  f"extraction accuracy {calc['extraction_accuracy']}, outcome accuracy {calc['outcome_accuracy']}.", ""]
        lines += [f"- failed: `{f['turns']}` ({f['kind']}) → {f['got']}" for f in calc["failures"]]
        lines.append("")
    sp = results.get("speed")
    if sp:
        lines += ["## Speed", ""]
        if "stages" in sp:
            lines += _latency_table("In process, after warm-up, query-embedding cache cleared:", "stage", sp["stages"])
            if "latency_by_stage.png" in images:
                lines += ["![latency by stage](latency_by_stage.png)", ""]
        if "backends" in sp:
            lines += _latency_table("Query embedding, before (PyTorch) and after (ONNX Runtime):", "backend",
                                    sp["backends"])
        if "cold_start" in sp:
            cs = sp["cold_start"]
            lines += [f"Cold start (new process → first answer, embeddings cached): {cs.get('cold_start_s')} s; "
                      f"peak RSS of that process {cs.get('peak_rss_mb')} MB."]
            before = sp.get("cold_start_torch")
            if before and "cold_start_s" in before:
                lines.append(f"Before, through sentence-transformers and PyTorch (`JIEBEI_EMBED_BACKEND=torch`): "
                             f"{before['cold_start_s']} s and {before['peak_rss_mb']} MB.")
            lines += [f"Peak RSS of this evaluation process (which also holds the 100k-entry synthetic corpus): "
                      f"{sp.get('eval_peak_rss_mb')} MB.", ""]
        if "api" in sp and "clients" in sp["api"]:
            lines += [f"API over loopback, {sp['api']['seconds_per_level']} s per level, cycling through the labelled "
                      "questions (client threads share the 2 cores with the server; after the first pass the "
                      "server's query-embedding cache answers repeated questions, as it would in production):", "",
                      "| clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]
            lines += [f"| {k} | {v['requests']} | {v['errors']} | {v['throughput_rps']} | {v.get('p50_ms')} | "
                      f"{v.get('p95_ms')} | {v.get('p99_ms')} |" for k, v in sp["api"]["clients"].items()]
            lines.append("")
        elif "api" in sp:
            lines += [f"API load test failed: {sp['api'].get('error')}", ""]
        if "scaling" in sp:
            lines += ["Synthetic corpora (real entries plus perturbed copies; copies' vectors are perturbed real "
                      "vectors, since query cost depends only on index size):", "",
                      "| entries | BM25 build s | dense units | retrieval p50 | p99 | whole answer p50 | p99 |",
                      "|---|---|---|---|---|---|---|"]
            for k, v in sp["scaling"].items():
                lines.append(f"| {k} | {v['build'].get('bm25_build_s')} | {int(v['build'].get('dense_units', 0))} | "
                             f"{v['retrieval']['p50_ms']} | {v['retrieval']['p99_ms']} | {v['whole_answer']['p50_ms']} | "
                             f"{v['whole_answer']['p99_ms']} |")
            lines.append("")
            if "scaling.png" in images:
                lines += ["![scaling](scaling.png)", ""]
    return "\n".join(lines)


def write(results: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    images = charts(results, out_dir)
    results["targets"] = targets(results)
    (out_dir / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    path = out_dir / "latest.md"
    path.write_text(markdown(results, images), encoding="utf-8")
    return path
