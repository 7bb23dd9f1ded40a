"""NumPy's BLAS runs one thread per product in a process that answers from many threads."""

import subprocess
import sys

from threadpoolctl import threadpool_info

from bot.blas import limit_blas_threads
from bot.pipeline import Bot


def blas_threads() -> set[int]:
    return {int(p["num_threads"]) for p in threadpool_info() if p.get("user_api") == "blas"}


def test_building_the_bot_applies_the_setting(bot: Bot) -> None:
    assert blas_threads() == {bot.settings.blas_threads} == {1}


def test_the_limit_holds_for_the_whole_process_not_a_block() -> None:
    # a fresh interpreter, so what this process already set does not hide a missing limit
    code = ("import numpy; from threadpoolctl import threadpool_info; from bot.blas import limit_blas_threads;"
            "pools = limit_blas_threads(1); import gc; gc.collect();"
            "print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}), len(pools))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.split() == ["[1]", "1"], out


def test_a_larger_limit_is_reported() -> None:
    try:
        pools = limit_blas_threads(2)
        assert pools and all(p["threads"] in (1, 2) for p in pools)  # at most the cores the library sees
    finally:
        limit_blas_threads(1)
