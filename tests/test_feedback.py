from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.feedback import SQLiteFeedbackStore, open_feedback_store


def test_records_survive_a_reopen_and_use_wal(tmp_path: Path) -> None:
    path = tmp_path / "fb" / "feedback.sqlite3"
    store = open_feedback_store(None, path)
    rating = store.rate("s1", "m1", True, "有用", "借呗逾期会上征信吗", "credit-report")
    assert rating.created
    store.close()
    again = open_feedback_store(None, path)
    assert again.count() == 1
    row = again.recent()[0]
    assert row["id"] == rating.id and row["helpful"] == 1 and row["comment"] == "有用" and row["source_id"] == "credit-report"
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_one_rating_per_answer_and_idempotent_retries(tmp_path: Path) -> None:
    store = open_feedback_store(None, tmp_path / "f.sqlite3")
    first = store.rate("s1", "m1", True, None, "q", "i")
    second = store.rate("s1", "m1", False, "没用", "q", "i")
    assert second.id == first.id and not second.created and store.count() == 1
    assert store.recent()[0]["helpful"] == 0 and store.recent()[0]["comment"] == "没用"
    a = store.rate("s1", "m2", True, None, "q", "i", idempotency_key="k1")
    b = store.rate("s1", "m2", False, None, "q", "i", idempotency_key="k1")
    assert a.id == b.id and not b.created and store.recent()[0]["helpful"] == 1


def test_concurrent_writes_are_all_kept(tmp_path: Path) -> None:
    store = open_feedback_store(None, tmp_path / "f.sqlite3")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.rate(f"s{i}", f"m{i}", i % 2 == 0, None, None, None), range(200)))
    assert store.count() == 200


def test_a_database_from_before_versioning_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("""CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL,
        session_id TEXT NOT NULL, message_id TEXT NOT NULL, helpful INTEGER NOT NULL, comment TEXT, question TEXT,
        source_id TEXT);
        INSERT INTO feedback (created_at, session_id, message_id, helpful) VALUES (1, 's', 'm', 1), (2, 's', 'm', 0);""")
    conn.commit()
    conn.close()
    store = SQLiteFeedbackStore(path)
    assert store.migrate() == 2 and store.migrate() == 2  # safe to run again
    assert store.count() == 1 and store.recent()[0]["helpful"] == 0  # the latest of the repeats is kept
    assert not store.rate("s", "m", True, None, None, None).created
