from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.feedback import FeedbackStore


def test_records_survive_a_reopen_and_use_wal(tmp_path: Path) -> None:
    path = tmp_path / "fb" / "feedback.sqlite3"
    store = FeedbackStore(path)
    rid = store.add("s1", "m1", True, "有用", "借呗逾期会上征信吗", "faq-credit-report")
    store.close()
    again = FeedbackStore(path)
    assert again.count() == 1
    row = again.recent()[0]
    assert row["id"] == rid and row["helpful"] == 1 and row["comment"] == "有用" and row["source_id"] == "faq-credit-report"
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_writes_are_all_kept(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.add(f"s{i}", f"m{i}", i % 2 == 0), range(200)))
    assert store.count() == 200
