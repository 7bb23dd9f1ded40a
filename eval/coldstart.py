"""Run in a fresh process: time from process start to the first answer, and peak memory."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psutil


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Unlike ru_maxrss, it is not inherited
    from the parent across fork and exec, so a child started by a large process reads true."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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
        "peak_rss_mb": peak_rss_mb(),
        "fallback": answer.fallback, "degraded": bot.degraded,
    }))


if __name__ == "__main__":
    main()
