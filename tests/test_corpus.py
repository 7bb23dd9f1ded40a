from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.corpus import CorpusError, load_corpus
from bot.settings import PROJECT_ROOT
from eval.data import load_questions

CORPUS = PROJECT_ROOT / "corpus"


def _write(tmp: Path, entries: object, oos: object | None = None) -> Path:
    (tmp / "entries").mkdir(parents=True, exist_ok=True)
    (tmp / "entries" / "a.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    if oos is not None:
        (tmp / "out_of_scope.yaml").write_text(yaml.safe_dump(oos, allow_unicode=True), encoding="utf-8")
    return tmp


def _entry(**over: object) -> dict[str, object]:
    base = {"id": "faq-x", "title": "标题示例", "kind": "faq", "answer": "这是一个足够长的回答内容。",
            "questions": ["问题一", "问题二", "问题三"], "source": {"section": "测试"}, "tags": ["测试"]}
    base.update(over)
    return base


def test_real_corpus_loads_with_entries_and_out_of_scope_topics() -> None:
    corpus = load_corpus(CORPUS)
    assert len(corpus.entries) >= 30
    assert corpus.out_of_scope
    kinds = {e.kind for e in corpus.entries}
    assert kinds == {"article", "comment", "faq"}
    for e in corpus.entries:
        assert 3 <= len(e.questions) <= 8
        assert e.answer and "  " not in e.answer


def test_every_raw_paragraph_is_restored_into_an_entry_or_is_page_chrome() -> None:
    meta = yaml.safe_load((CORPUS / "raw" / "meta.yaml").read_text(encoding="utf-8"))
    paragraphs = [p for p in (CORPUS / "raw" / meta["file"]).read_text(encoding="utf-8").splitlines() if p.strip()]
    covered = {n for e in load_corpus(CORPUS).entries for n in e.source.paragraphs}
    chrome = set(meta["chrome"])
    assert not covered & chrome, "a paragraph cannot be both content and chrome"
    missing = [(i, p[:30]) for i, p in enumerate(paragraphs, 1) if i not in covered | chrome]
    assert not missing
    assert max(covered | chrome) == len(paragraphs)


def test_comments_keep_author_and_date() -> None:
    comments = [e for e in load_corpus(CORPUS).entries if e.kind == "comment"]
    assert len(comments) == 3
    assert all(c.source.author and c.source.date == "2024-01-02" for c in comments)


def test_article_errors_are_corrected_not_repeated() -> None:
    corpus = load_corpus(CORPUS)
    contacts = corpus.get("art-contacts")
    assert contacts is not None and contacts.correction
    assert "并不存在" in contacts.correction and "个人信息保护法" in contacts.correction
    assert "个人金融信息管理办法" not in contacts.answer
    # spun filler words from the source must not survive the cleaning
    for e in corpus.entries:
        for junk in ("协商一服务", "还款惯", "宝花原则", "法律手追讨", "措来"):
            assert junk not in e.answer, (e.id, junk)


def test_labelled_questions_name_existing_entries() -> None:
    ids = {e.id for e in load_corpus(CORPUS).entries}
    for q in load_questions():
        assert set(q.expected) <= ids, q


def test_missing_field_is_reported_with_file_entry_and_field(tmp_path: Path) -> None:
    bad = _entry()
    del bad["questions"]
    _write(tmp_path, [bad])
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    message = str(err.value)
    assert "a.yaml" in message and "faq-x" in message and "field 'questions'" in message


def test_wrong_type_and_bad_id_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, [_entry(id="Bad Id!", questions="not a list")])
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    assert "field 'id'" in str(err.value) and "field 'questions'" in str(err.value)


def test_too_few_questions_and_unknown_field(tmp_path: Path) -> None:
    _write(tmp_path, [_entry(questions=["只有一个"], extra="x")])
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    assert "field 'questions'" in str(err.value) and "field 'extra'" in str(err.value)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, [_entry(), _entry()])
    with pytest.raises(CorpusError, match="duplicate id 'faq-x'"):
        load_corpus(tmp_path)


def test_invalid_yaml_and_non_utf8_are_reported(tmp_path: Path) -> None:
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / "a.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="invalid YAML"):
        load_corpus(tmp_path)
    (tmp_path / "entries" / "a.yaml").write_bytes("- id: 借呗".encode("gbk"))
    with pytest.raises(CorpusError, match="not valid UTF-8"):
        load_corpus(tmp_path)


def test_top_level_must_be_a_list_and_folder_must_have_files(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no \\*.yaml entry files"):
        load_corpus(tmp_path)
    _write(tmp_path, {"id": "x"})
    with pytest.raises(CorpusError, match="expected a list"):
        load_corpus(tmp_path)


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    a = load_corpus(_write(tmp_path / "a", [_entry()])).fingerprint
    b = load_corpus(_write(tmp_path / "b", [_entry(answer="另一个足够长的回答内容。")])).fingerprint
    assert a != b and len(a) == 64
