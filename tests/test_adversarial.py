"""Messages built to make regular expressions backtrack are answered, not hung on.

Every understanding step runs a few dozen patterns over the message; a pattern with a repeated group
whose words overlap ("欠了?" and "了") tries every way to split a long message that does not match.
Such messages of 40 or 50 characters once took seconds to understand ("千块千块…", "借呗逾期了 欠了五千…"),
and one of 500 would have held a worker for hours. Each message here is the longest the API accepts, made of the words those patterns
repeat. Python's regular expressions hold the interpreter lock while they match, so the replies run
in a child process that is killed when it hangs; the bound is a hang guard far above any real reply,
not a timing.
"""

import json
import subprocess
import sys

from bot.settings import PROJECT_ROOT

HANG_SECONDS = 120
MAX_CHARS = 500


def _repeat(unit: str, tail: str = "x") -> str:
    return (unit * (MAX_CHARS // len(unit)))[: MAX_CHARS - len(tail)] + tail


ADVERSARIAL = [_repeat("欠了"), _repeat("逾期了"), _repeat("还没还了"), _repeat("一万"), _repeat("五千块钱"),
               _repeat("借呗逾期了 欠了五千"), _repeat("欠了五千了"), _repeat("天天"), _repeat("多还"), _repeat("晚"),
               _repeat("***号"), _repeat("不是不还", "吗"), _repeat("说我逾期", "？"), _repeat("真的", "吗"),
               _repeat("了", ""), _repeat("逾期10天欠5000了", ""), _repeat("千块"), _repeat("一千块"), _repeat("百元")]

CHILD = """
import json, sys
from bot.logs import configure_logging
from bot.pipeline import build_bot
from bot.settings import Settings
configure_logging("ERROR")
chat = build_bot(Settings()).chat
print(json.dumps([chat.reply(text).kind.value for text in json.loads(sys.stdin.read())]))
"""


def test_long_repetitive_messages_are_answered() -> None:
    assert all(len(t) <= MAX_CHARS for t in ADVERSARIAL)
    try:
        done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(ADVERSARIAL), capture_output=True,
                              text=True, cwd=PROJECT_ROOT, timeout=HANG_SECONDS, check=True)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no replies to {len(ADVERSARIAL)} messages within {HANG_SECONDS} s") from None
    kinds = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(kinds) == len(ADVERSARIAL)
