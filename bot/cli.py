"""Command line: ``python -m bot ask "问题"``, ``python -m bot serve``, ``python -m bot convert-model``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.settings import Settings

logger = logging.getLogger(__name__)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.pipeline import build_bot

    bot = build_bot(settings)
    session_id: str | None = None
    for question in args.question:
        answer = bot.chat.reply(question, session_id)
        session_id = answer.session_id
        if args.json:
            print(answer.model_dump_json(indent=None if len(args.question) > 1 else 2))
            continue
        print(answer.answer)
        if answer.disclaimer:
            print(f"\n{answer.disclaimer}")
        for src in answer.sources:
            print(f"\n来源：{src.label}（置信度 {src.score:.2f}）")
        if answer.suggestions:
            print("\n你还可以问：" + " / ".join(answer.suggestions))
        if len(args.question) > 1:
            print("\n" + "-" * 40)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.api.app import StoreUnavailable, open_stores
    from bot.server import serve

    settings = settings.model_copy(update={"host": args.host or settings.host,
                                           "port": settings.port if args.port is None else args.port,
                                           "workers": args.workers or settings.workers})
    try:  # fail fast, once, before any worker starts: every worker would fail the same way
        sessions, feedback = open_stores(settings)
        feedback.close()
    except StoreUnavailable as exc:
        logger.critical("cannot start: %s", exc)
        return 1
    serve(settings)
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import open_feedback_store

    store = open_feedback_store(settings.database_url, settings.feedback_db)
    print(json.dumps({"store": "postgresql" if settings.database_url else "sqlite", "feedback": store.count()}))
    store.close()
    return 0


def _convert(args: argparse.Namespace, settings: Settings) -> int:
    from bot.model.convert import convert
    from bot.model.resolve import builtin_model_dir

    out = Path(args.out) if args.out else builtin_model_dir(settings)
    convert(out)
    print(f"converted model written to {out}")
    return 0


def _prepare(args: argparse.Namespace, settings: Settings) -> int:
    """Convert the model if needed and build the cached corpus embeddings."""
    from bot.pipeline import build_bot

    bot = build_bot(settings, progress=True, prepare=True)
    print(json.dumps(bot.status(), ensure_ascii=False))
    return 1 if bot.degraded and settings.dense_enabled else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="借呗逾期问答机器人")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question (several = one conversation)")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    serve = sub.add_parser("serve", help="serve the HTTP API, widget and demo page")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="worker processes (default 1, or JIEBEI_WORKERS)")
    conv = sub.add_parser("convert-model", help="convert the bundled e5 model for sentence-transformers")
    conv.add_argument("--out", help="output folder (default: the cache folder the bot uses)")
    sub.add_parser("prepare", help="convert the model if needed and cache the corpus embeddings")
    sub.add_parser("migrate", help="create or upgrade the feedback database schema")
    args = parser.parse_args(argv)
    settings = Settings()
    from bot.logs import configure_logging

    configure_logging(settings.log_level, json_lines=settings.log_json and args.command == "serve")
    handler = {"ask": _ask, "serve": _serve, "convert-model": _convert, "prepare": _prepare,
               "migrate": _migrate}[args.command]
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
