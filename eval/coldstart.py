"""Run in a fresh process: time from process start to the first answer, and peak memory."""

from __future__ import annotations

import json
import resource
import sys
import time

import psutil


def main() -> None:
    started = psutil.Process().create_time()
    from bot.logs import configure_logging
    from bot.pipeline import build_bot
    from bot.settings import Settings

    configure_logging("ERROR")
    bot = build_bot(Settings())
    answer = bot.chat.reply(sys.argv[1] if len(sys.argv) > 1 else "借呗逾期会上征信吗")
    print(json.dumps({
        "cold_start_s": round(time.time() - started, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "fallback": answer.fallback, "degraded": bot.degraded,
    }))


if __name__ == "__main__":
    main()
