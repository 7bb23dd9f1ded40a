"""Run in a fresh process: time from process start to the first answer, and peak memory.

The parent (:func:`eval.speed.cold_start`) times from just before it starts this process to the
``answered_at`` this process reports: both read the same wall clock. Run alone, the start is the
kernel's record of the process, which is coarser: its boot time is whole seconds, so that figure can
be up to a second high.
"""

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
    answered_at = time.time()
    print(json.dumps({
        "cold_start_s": round(answered_at - started, 3),
        "answered_at": answered_at,
        "peak_rss_mb": peak_rss_mb(),
        "fallback": answer.fallback, "degraded": bot.degraded,
    }))


if __name__ == "__main__":
    main()
