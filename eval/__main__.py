"""``python -m eval``: measure answer quality, calculator accuracy and speed in one run.

    python -m eval              # full run: report in eval/reports/latest.md (+ .json, charts)
    python -m eval --quick      # small subset, seconds instead of minutes (used by the tests)
    python -m eval --json       # also print the JSON as the last line of stdout
    python -m eval --tune       # grid-search settings on the dev split and print them
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

from tqdm import tqdm

from bot.logs import configure_logging
from bot.pipeline import build_bot
from bot.settings import Settings
from eval import external, report, speed
from eval.answers import answer_metrics, prepare
from eval.calculator import calculator_metrics
from eval.coldstart import peak_rss_mb
from eval.data import load_afqmc_questions, load_intent_specs, load_penalty_cases, load_questions
from eval.tune import settings_lines, tune

REPORT_DIR = Path(__file__).resolve().parent / "reports"


def _environment(settings: Settings, degraded: bool) -> dict[str, object]:
    versions = {}
    for pkg in ("torch", "sentence-transformers", "transformers", "onnxruntime", "rank-bm25", "jieba", "numpy", "fastapi"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = "absent"
    keys = ("model", "embed_backend", "retrieval_mode", "fusion", "dense_weight", "dense_floor", "dense_ceiling",
            "bm25_half", "bm25_char_bigrams", "threshold_hybrid", "threshold_bm25", "threshold_dense", "default_daily_rate")
    return {"generated": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(), "python": platform.python_version(), "versions": versions,
            "settings": {k: str(getattr(settings, k)) for k in keys}, "dense_degraded": degraded}


def compare_precisions(settings: Settings, bot, test, specs, folder) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """int8 and fp32 encoders side by side on every retrieval measure (each with its own corpus embeddings)."""
    out: dict[str, object] = {}
    real = load_afqmc_questions(folder, split="test") if folder is not None else []
    pairs = external.read_pairs(folder / "afqmc_dev.csv") if folder is not None else []
    for precision in ("int8", "fp32"):
        s = settings.model_copy(update={"embed_precision": precision})
        b = bot if precision == settings.embed_precision else build_bot(s)
        row: dict[str, object] = {}
        project = answer_metrics(b.chat, prepare(b.chat, test), s, "hybrid", specs)
        row["project"] = {k: project[k] for k in ("answered_weighted", "right_intent_weighted", "fallback_handled")}
        row["project"]["recall@1"] = project["retrieval"]["recall@1"]
        row["intents_answered"] = {t: v["answered"] for t, v in project["topics"].items() if "answered" in v}
        if real:
            r = answer_metrics(b.chat, prepare(b.chat, real), s, "hybrid", specs)
            row["real_questions"] = {k: r[k] for k in ("answered_weighted", "right_intent_weighted", "fallback_handled")}
            row["real_questions"]["recall@1"] = r["retrieval"]["recall@1"]
        if pairs and b.retriever.encoder is not None:
            row["afqmc_spearman"] = external.spearman(b.retriever.encoder, pairs)
        row["cold_start"] = speed.cold_start(runs=3, JIEBEI_EMBED_PRECISION=precision)
        out[precision] = row
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small subset (tests, smoke runs)")
    ap.add_argument("--json", action="store_true", help="print the JSON report as the last line of stdout")
    ap.add_argument("--tune", action="store_true", help="grid-search settings on the dev split")
    ap.add_argument("--no-speed", action="store_true", help="skip latency, API load and scaling")
    ap.add_argument("--out", type=Path, default=REPORT_DIR, help="report folder")
    args = ap.parse_args(argv)
    configure_logging("WARNING")
    settings = Settings()
    t_start = time.time()
    bot = build_bot(settings, progress=not args.quick)
    test, dev = load_questions(split="test"), load_questions(split="dev")
    if args.quick:
        rng = random.Random(5)
        test, dev = rng.sample(test, min(40, len(test))), rng.sample(dev, min(40, len(dev)))
    specs = load_intent_specs()
    results: dict[str, object] = {"quick": args.quick, "environment": _environment(settings, bot.degraded)}
    results["dataset"] = {"test_in_scope": sum(not q.should_fall_back for q in test),
                          "test_fallback": sum(q.should_fall_back for q in test),
                          "dev_in_scope": sum(not q.should_fall_back for q in dev),
                          "dev_fallback": sum(q.should_fall_back for q in dev)}
    chat = bot.chat
    bar = tqdm(total=len(test) + len(dev), desc="answers", disable=not sys.stderr.isatty() and args.quick)
    prep_test, prep_dev = prepare(chat, test, bar), prepare(chat, dev, bar)
    bar.close()
    modes = bot.retriever.modes()
    results["answers"] = {m: answer_metrics(chat, prep_test, settings, m, specs) for m in modes}
    results["dev"] = {m: {k: v for k, v in answer_metrics(chat, prep_dev, settings, m, specs, compose=False).items()
                          if k in ("answered_weighted", "right_intent_weighted", "fallback_handled", "retrieval")}
                      for m in modes}

    folder = external.find_afqmc()
    afq_dev: list = []
    if folder is None:
        results["external"] = {"skipped": "AFQMC not found next to the repository (../shared/data/afqmc): external check skipped."}
        print(results["external"]["skipped"])  # type: ignore[index]
    else:
        labelled = load_afqmc_questions(folder)
        afq_test, afq_dev = [q for q in labelled if q.split == "test"], [q for q in labelled if q.split == "dev"]
        if args.quick:
            rng = random.Random(11)
            afq_test, afq_dev = rng.sample(afq_test, 120), rng.sample(afq_dev, 120)
        bar = tqdm(total=len(afq_test) + len(afq_dev), desc="real questions (AFQMC)")
        prep_afq_test, prep_afq_dev = prepare(chat, afq_test, bar), prepare(chat, afq_dev, bar)
        bar.close()
        mode = "hybrid" if bot.retriever.dense_available else "bm25"
        results["real_questions"] = {
            "test": answer_metrics(chat, prep_afq_test, settings, mode, specs),
            "dev": {k: v for k, v in answer_metrics(chat, prep_afq_dev, settings, mode, specs, compose=False).items()
                    if k in ("answered_weighted", "right_intent_weighted", "fallback_handled")}}
        ext: dict[str, object] = {}
        if bot.retriever.encoder is not None:
            pairs = external.read_pairs(folder / "afqmc_dev.csv")
            if args.quick:
                pairs = random.Random(3).sample(pairs, 200)
            ext["spearman"] = {"pairs": len(pairs), "ours": external.spearman(bot.retriever.encoder, pairs),
                               "published": external.PUBLISHED_SPEARMAN}
        para = external.overdue_paraphrases(folder)
        test_half = {q.text for q in labelled if q.split == "test"}
        ext["paraphrase"] = external.paraphrase_consistency(chat, para[:20] if args.quick else para, test_half)
        unlabelled = external.unlabelled_jiebei(folder, {q.text for q in labelled})
        if args.quick:
            unlabelled = random.Random(5).sample(unlabelled, min(300, len(unlabelled)))
        ext["everyday_screen"] = external.everyday_screen(chat, unlabelled)
        results["external"] = ext
    if not args.quick and bot.retriever.encoder is not None:
        results["precision"] = compare_precisions(settings, bot, test, specs, folder)
    if args.tune:
        # always the whole dev split (project and real questions): --quick only shortens what is reported
        tune_set = prepare(chat, load_questions(split="dev")) if args.quick else prep_dev
        if folder is not None:
            tune_set = tune_set + prepare(chat, load_afqmc_questions(folder, split="dev"))
        bar = tqdm(total=3, desc="tuning on dev")
        best = tune(chat, tune_set, specs, settings, bar)
        bar.close()
        results["tuning"] = {"best": best, "settings": settings_lines(best)}
        print("\n".join(results["tuning"]["settings"]))  # type: ignore[index]

    cases = load_penalty_cases()
    results["calculator"] = calculator_metrics(bot.chat, cases[:16] if args.quick else cases)

    if not args.no_speed:
        texts = [q.text for q in test + dev]
        sp: dict[str, object] = {}
        bar = tqdm(total=2 * len(texts), desc="latency")
        sp["stages"] = speed.stage_latency(bot, texts, bar)
        bar.close()
        if bot.retriever.encoder is not None:
            sp["against_bar"] = speed.answer_against_bar(bot, texts[:60] if args.quick else texts)
        sp["cold_start"] = speed.cold_start(runs=2 if args.quick else 5)
        sp["bm25"] = speed.bm25_latency(bot, texts)
        if not args.quick:
            sp["serving_memory"] = speed.serving_memory(texts)
        levels = (1, 8) if args.quick else (1, 8, 32, 128)
        workers = (1,) if args.quick else (1, 2)
        bar = tqdm(total=len(levels) * len(workers), desc="API load")
        sp["api"] = speed.api_load(texts, levels, 2.0 if args.quick else 6.0, workers, bar)
        bar.close()
        sizes = (1000,) if args.quick else (1000, 10_000, 100_000, 1_000_000)
        bar = tqdm(total=len(sizes), desc="scaling")
        sp["scaling"] = speed.scaling(bot, texts[:40] if args.quick else texts[:300], sizes, bar)
        bar.close()
        if bot.retriever.encoder is not None and Path(bot.retriever.encoder.name).is_dir():
            sp["backends"] = speed.embedding_backends(bot.retriever.encoder.name, texts[:60] if args.quick else texts,
                                                      settings)
        sp["side_by_side"] = speed.side_by_side(sp)
        sp["eval_peak_rss_mb"] = peak_rss_mb()
        results["speed"] = sp
    results["elapsed_s"] = round(time.time() - t_start, 1)
    path = report.write(results, args.out)
    ans = results["answers"].get("hybrid") or results["answers"]["bm25"]  # type: ignore[union-attr]
    print(f"report: {path}  (answered, weighted by how often users ask {ans['answered_weighted']}, "
          f"fallbacks handled {ans['fallback_handled']}, "
          f"calculator amount accuracy {results['calculator']['amount_accuracy']})")  # type: ignore[index]
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
