from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.corpus import LEAD_MAX_CHARS, CorpusError, load_corpus
from bot.settings import PROJECT_ROOT
from eval.data import load_intent_specs, load_questions
from tests.conftest import SHARED

CORPUS = PROJECT_ROOT / "corpus"
# every row of the intent table in the knowledge issue has an entry
REQUIRED_INTENTS = {
    "postpone", "due-time", "borrow-again", "short-overdue", "repaid-still-overdue", "overdue-what-now",
    "credit-report", "zhima-score", "consequences", "cannot-repay", "penalty", "existing-overdue-notice",
    "check-status", "settlement-proof", "record-duration", "how-to-repay", "grace-period", "other-affects-jiebei",
    "jiebei-affects-other", "collection", "contacts", "home-visit", "lawsuit", "jail-fear", "family-liability",
    "minimum-payment", "demand-full", "human-contact",
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def _user_visible(corpus) -> list[tuple[str, str]]:
    texts = [(i.id, t) for i in corpus.intents for t in (i.title, i.lead, i.answer, i.more or "")]
    d = corpus.dialogue
    texts += [(f"act:{name}", act.lead + act.reply) for name, act in d.acts.items()]
    texts += [("replies", t) for t in d.replies.model_dump().values()]
    return texts


def test_real_corpus_is_intent_first(corpus) -> None:
    assert REQUIRED_INTENTS <= {i.id for i in corpus.intents}
    assert corpus.by_role("penalty") is not None and corpus.by_role("handoff") is not None
    for i in corpus.intents:
        assert len(i.lead) <= LEAD_MAX_CHARS and i.lead.endswith(("。", "！", "？")), i.id
        assert len(i.questions) >= 6, i.id
        assert "  " not in i.answer


def test_when_it_counts_as_overdue_is_not_how_long_one_may_wait(corpus) -> None:
    """"多少天才算逾期" singles out the due-time answer; "拖几天不算逾期" asks for extra days (postpone)."""
    prefer = re.compile(next(i for i in corpus.intents if i.id == "due-time").prefer)
    for text in ("借呗多少天算逾期", "几天才算逾期啊", "什么时候算是逾期", "还款日中午12点前要还吗", "晚一天算不算逾期",
                 "今天还算逾期吗"):
        assert prefer.search(text), text
    for text in ("借呗最多可以拖几天不算逾期", "晚几天还会怎样", "还了一部分还算逾期吗"):
        assert not prefer.search(text), text


def test_a_few_hours_or_days_late_asking_about_the_effect_is_the_short_overdue_answer(corpus) -> None:
    """Its answer covers penalty, reporting and 芝麻分 together; asking to be late, or about 芝麻分 alone, is not it."""
    prefer = re.compile(next(i for i in corpus.intents if i.id == "short-overdue").prefer)
    for text in ("借呗逾期一天有影响吗", "晚还两天会怎么样", "借呗逾期了几个小时要紧吗", "逾期一天会影响征信吗"):
        assert prefer.search(text), text
    for text in ("借呗能逾期一天吗", "逾期一天芝麻分会降吗", "借呗逾期一个月会怎样", "逾期两天罚息多少", "逾期一天还能借吗"):
        assert not prefer.search(text), text


def test_how_to_repay_is_not_why_it_still_shows(corpus) -> None:
    """怎么还 asks how to repay; 怎么还有/还显示/还没 asks why something is still there."""
    prefer = re.compile(next(i for i in corpus.intents if i.id == "how-to-repay").prefer)
    for text in ("借呗逾期一天怎么还", "逾期了如何还款", "借呗逾期的钱怎样还钱"):
        assert prefer.search(text), text
    for text in ("借呗还了怎么还有逾期", "怎么还显示逾期", "怎么还是逾期", "借呗扣款失败了会逾期吗"):
        assert not prefer.search(text), text
    # why the automatic deduction did not happen is this entry's (扣款 is part of repaying)
    for text in ("今天还款日 怎么还没扣款", "借呗扣款失败了", "余额宝里有钱为什么不扣", "借呗逾期了可以用花呗还吗"):
        assert prefer.search(text), text


def test_instalments_of_a_normal_loan_are_not_hardship(corpus) -> None:
    """The negotiation answer needs words of being late or in difficulty; 分期 alone is everyday use."""
    cue = re.compile(next(i for i in corpus.intents if i.id == "cannot-repay").cues)
    for text in ("借呗逾期了能分期吗", "借呗还不上能分期吗", "失业了借呗怎么办", "能跟借呗协商分期吗", "借呗可以申请个性化分期吗"):
        assert cue.search(text), text
    for text in ("借呗可以分期吗", "借呗最多分几期", "借呗分期以后还可以再次分期吗"):
        assert not cue.search(text), text


def test_evidence_links_to_intents_and_every_intent_cites_facts(corpus) -> None:
    ids = {i.id for i in corpus.intents}
    assert {e.kind for e in corpus.evidence} == {"article", "comment"}
    for e in corpus.evidence:
        assert set(e.supports) <= ids
    for i in corpus.intents:
        assert all(corpus.fact(f).basis for f in i.facts)


def test_every_raw_paragraph_is_evidence_or_page_chrome(corpus) -> None:
    meta = yaml.safe_load((CORPUS / "raw" / "meta.yaml").read_text(encoding="utf-8"))
    paragraphs = [p for p in (CORPUS / "raw" / meta["file"]).read_text(encoding="utf-8").splitlines() if p.strip()]
    covered = {n for e in corpus.evidence for n in e.paragraphs}
    chrome = set(meta["chrome"])
    assert not covered & chrome, "a paragraph cannot be both content and chrome"
    missing = [(i, p[:30]) for i, p in enumerate(paragraphs, 1) if i not in covered | chrome]
    assert not missing
    assert max(covered | chrome) == len(paragraphs)


def test_comments_keep_author_and_date(corpus) -> None:
    comments = [e for e in corpus.evidence if e.kind == "comment"]
    assert len(comments) == 3
    assert all(c.author and c.date == "2024-01-02" for c in comments)


def test_users_never_see_the_article_or_its_corrections(corpus) -> None:
    for where, text in _user_visible(corpus):
        for word in ("更正", "原文", "读者", "评论", "个人金融信息管理办法", "张先生"):
            assert word not in text, (where, word)
        # spun filler words from the source must not survive anywhere users read
        for junk in ("协商一服务", "还款惯", "宝花原则", "法律手追讨", "措来"):
            assert junk not in text, (where, junk)
    # the corrections are kept, for maintainers, where the article is wrong
    contacts = corpus.get_evidence("art-contacts")
    assert contacts is not None and any("不存在" in c for c in contacts.corrections)


def test_answers_state_the_vetted_facts(corpus) -> None:
    def text(i: str) -> str:
        intent = corpus.get(i)
        assert intent is not None
        return intent.text
    assert "23:59:59" in text("due-time")
    assert "5年" in text("record-duration") and "20天" in text("record-dispute")
    assert "不是一回事" in text("zhima-score")
    assert "民事" in text("jail-fear") and "不是犯罪" in text("jail-fear")
    assert "12356" not in text("penalty")
    assert "没有“最低还款”" in text("minimum-payment")
    assert "不能保证" in text("grace-period")
    assert re.search(r"先抵费用.*利息.*本金", text("partial-repayment"))
    # never a promise the fact sheet forbids
    for i in corpus.intents:
        assert not re.search(r"(一定|保证)(能|会)(删除|减免|恢复)", i.text), i.id


def test_labelled_questions_cover_the_intents() -> None:
    corpus = load_corpus(CORPUS)
    ids = {i.id for i in corpus.intents}
    questions = load_questions()
    specs = load_intent_specs()
    assert set(specs) <= ids
    for q in questions:
        assert set(q.expected) <= ids, q
    per_topic = {t: sum(q.topic == t for q in questions) for t in {q.topic for q in questions}}
    for spec in specs.values():
        if spec.share >= 1:
            assert per_topic.get(spec.intent, 0) >= 20, spec.intent
    for scope in ("everyday", "not_overdue", "other_product"):
        assert per_topic[f"fallback:{scope}"] >= 20
    assert {q.split for q in questions} == {"dev", "test"}


@pytest.mark.skipif(not (SHARED / "data" / "afqmc").is_dir(), reason="AFQMC (shared data) not present")
def test_no_afqmc_sentence_is_copied_into_the_repository() -> None:
    import csv

    def norm(s: str) -> str:
        return re.sub(r"[\s，,。？?！!]", "", s.replace("蚂蚁借呗", "借呗"))

    real = set()
    for name in ("afqmc_train.csv", "afqmc_dev.csv"):
        with (SHARED / "data" / "afqmc" / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                real |= {norm(row["sentence1"]), norm(row["sentence2"])}
    corpus = load_corpus(CORPUS)
    ours = [q for i in corpus.intents for q in i.questions] + [q for o in corpus.out_of_scope for q in o.questions]
    ours += [q.text for q in load_questions()]
    assert not [q for q in ours if norm(q) in real]


# ---- a minimal corpus written by the tests, to check the loader's errors -------------------------------

def _intent(**over: object) -> dict[str, object]:
    base = {"id": "faq-x", "title": "标题示例", "lead": "直接回答。", "answer": "一些说明。",
            "questions": ["问题一", "问题二", "问题三"], "facts": ["f-one"], "tags": ["测试"]}
    base.update(over)
    return base


def _write(tmp: Path, intents: object, evidence: object | None = None, dialogue: dict | None = None) -> Path:
    (tmp / "intents").mkdir(parents=True, exist_ok=True)
    (tmp / "intents" / "a.yaml").write_text(yaml.safe_dump(intents, allow_unicode=True), encoding="utf-8")
    (tmp / "facts.yaml").write_text(yaml.safe_dump(
        [{"id": "f-one", "confidence": "firm", "statement": "一条事实说明", "basis": "某条规定"}], allow_unicode=True),
        encoding="utf-8")
    real = yaml.safe_load((CORPUS / "dialogue.yaml").read_text(encoding="utf-8"))
    real["starter_suggestions"] = ["faq-x"]
    for act in real["acts"].values():  # the real corpus's intents are not in these test corpora
        act.pop("suggest", None)
    real.update(dialogue or {})
    (tmp / "dialogue.yaml").write_text(yaml.safe_dump(real, allow_unicode=True), encoding="utf-8")
    if evidence is not None:
        (tmp / "evidence").mkdir(exist_ok=True)
        (tmp / "evidence" / "e.yaml").write_text(yaml.safe_dump(evidence, allow_unicode=True), encoding="utf-8")
    return tmp


def test_a_minimal_corpus_loads(tmp_path: Path) -> None:
    corpus = load_corpus(_write(tmp_path, [_intent()]))
    assert [i.id for i in corpus.intents] == ["faq-x"]


def test_missing_field_is_reported_with_file_item_and_field(tmp_path: Path) -> None:
    bad = _intent()
    del bad["questions"]
    _write(tmp_path, [bad])
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    message = str(err.value)
    assert "a.yaml" in message and "faq-x" in message and "field 'questions'" in message


def test_wrong_type_bad_id_long_lead_and_unknown_field(tmp_path: Path) -> None:
    _write(tmp_path, [_intent(id="Bad Id!", questions="not a list", lead="长" * 81, extra="x")])
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    for field in ("id", "questions", "lead", "extra"):
        assert f"field '{field}'" in str(err.value)


def test_references_must_resolve(tmp_path: Path) -> None:
    _write(tmp_path / "a", [_intent(facts=["no-such-fact"])])
    with pytest.raises(CorpusError, match="unknown fact ids"):
        load_corpus(tmp_path / "a")
    ev = [{"id": "ev-a", "kind": "article", "section": "一", "paragraphs": [1], "text": "原文内容", "supports": ["nope"]}]
    _write(tmp_path / "b", [_intent()], evidence=ev)
    with pytest.raises(CorpusError, match="unknown intent ids"):
        load_corpus(tmp_path / "b")
    _write(tmp_path / "c", [_intent(role="penalty"), _intent(id="faq-y", role="penalty")])
    with pytest.raises(CorpusError, match="one intent only"):
        load_corpus(tmp_path / "c")
    _write(tmp_path / "d", [_intent(cues="(unclosed")])
    with pytest.raises(CorpusError, match="field 'cues'"):
        load_corpus(tmp_path / "d")


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, [_intent(), _intent()])
    with pytest.raises(CorpusError, match="duplicate id 'faq-x'"):
        load_corpus(tmp_path)


def test_invalid_yaml_and_non_utf8_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, [_intent()])
    (tmp_path / "intents" / "a.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="invalid YAML"):
        load_corpus(tmp_path)
    (tmp_path / "intents" / "a.yaml").write_bytes("- id: 借呗".encode("gbk"))
    with pytest.raises(CorpusError, match="not valid UTF-8"):
        load_corpus(tmp_path)


def test_a_key_given_twice_in_an_entry_is_rejected(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys silently; a second follow_up_context once hid the first."""
    _write(tmp_path, [_intent()])
    text = (tmp_path / "intents" / "a.yaml").read_text(encoding="utf-8")
    (tmp_path / "intents" / "a.yaml").write_text(text + "  lead: 另一个回答。\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate key 'lead'"):
        load_corpus(tmp_path)


def test_a_procedure_context_is_read_as_a_context(tmp_path: Path) -> None:
    corpus = load_corpus(_write(tmp_path, [_intent(procedure_context="申请某事，")]))
    assert corpus.intents[0].procedure_context == "申请某事，"
    _write(tmp_path / "b", [_intent(procedure_context="长" * 31)])
    with pytest.raises(CorpusError, match="field 'procedure_context'"):
        load_corpus(tmp_path / "b")


def test_top_level_must_be_a_list_and_folder_must_have_files(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no \\*.yaml intent files"):
        load_corpus(tmp_path)
    _write(tmp_path, {"id": "x"})
    with pytest.raises(CorpusError, match="expected a list"):
        load_corpus(tmp_path)


def test_a_bad_dialogue_pattern_is_reported(tmp_path: Path) -> None:
    real = yaml.safe_load((CORPUS / "dialogue.yaml").read_text(encoding="utf-8"))
    real["acts"]["greeting"]["patterns"] = ["(oops"]
    _write(tmp_path, [_intent()], dialogue={"acts": real["acts"]})
    with pytest.raises(CorpusError, match="invalid regular expression"):
        load_corpus(tmp_path)


@pytest.mark.parametrize(("intent", "dialogue", "named"), [
    ({"cues": "逾期|(没还"}, None, "faq-x: field 'cues'"),
    ({"cues": "逾期", "prefer": ["还清", "[显示"]}, None, "faq-x: field 'prefer'"),
    ({"cues": "{late}"}, {"late_cues": "逾期|晚还)"}, "late_cues"),
    ({}, {"overdue_cues": ["逾期", "罚息("]}, "overdue_cues"),
    ({}, {"shortfall_cues": "不够|还差(?"}, "shortfall_cues"),
])
def test_a_bad_pattern_is_reported_with_its_field(tmp_path: Path, intent: dict, dialogue: dict | None,
                                                  named: str) -> None:
    # expanded patterns are compiled once, after expansion; the error still names the field
    with pytest.raises(CorpusError, match="invalid regular expression") as caught:
        load_corpus(_write(tmp_path, [_intent(**intent)], dialogue=dialogue))
    assert named in str(caught.value)


def test_words_of_being_late_are_written_once_and_shared(tmp_path: Path) -> None:
    import re

    corpus = load_corpus(_write(tmp_path / "ok", [_intent(cues="{late}|记录")], dialogue={"late_cues": "逾期|没按时还"}))
    cue = re.compile(corpus.intents[0].cues or "")
    assert cue.search("借呗没按时还会怎样") and cue.search("有记录吗") and not cue.search("借呗怎么开通")
    assert corpus.intents[0].late_cued  # the policy lets dates that show it late stand for these words
    other = load_corpus(_write(tmp_path / "other", [_intent(cues="逾期|记录")], dialogue={"late_cues": "逾期"}))
    assert not other.intents[0].late_cued
    _write(tmp_path / "bad", [_intent(cues="{late})")], dialogue={"late_cues": "逾期"})
    with pytest.raises(CorpusError, match=r"faq-x\W+field 'cues'"):
        load_corpus(tmp_path / "bad")


def test_an_act_may_only_suggest_intents_that_exist(tmp_path: Path) -> None:
    real = yaml.safe_load((CORPUS / "dialogue.yaml").read_text(encoding="utf-8"))
    real["acts"]["repaid"]["suggest"] = ["faq-x", "faq-gone"]
    _write(tmp_path, [_intent()], dialogue={"acts": real["acts"]})
    with pytest.raises(CorpusError, match=r"repaid: field 'suggest': unknown intent ids \['faq-gone'\]"):
        load_corpus(tmp_path)


def test_words_of_being_short_of_money_are_shared_too(tmp_path: Path) -> None:
    import re

    corpus = load_corpus(_write(tmp_path, [_intent(prefer="明天到期.{0,6}{short}", cues="{late}|{short}")],
                                dialogue={"late_cues": "逾期", "shortfall_cues": "还差[0-9]+|钱不够"}))
    prefer, cue = re.compile(corpus.intents[0].prefer or ""), re.compile(corpus.intents[0].cues or "")
    assert prefer.search("借呗明天到期 还差300") and not prefer.search("借呗明天到期 几点扣款")
    assert cue.search("钱不够怎么办") and cue.search("逾期了") and not cue.search("借呗怎么开通")


def test_words_of_a_missed_repayment_are_shared_by_both_lists_of_late_words(tmp_path: Path) -> None:
    import re

    corpus = load_corpus(_write(tmp_path, [_intent(cues="{late}")],
                                dialogue={"missed_cues": "记错了?还款日", "late_cues": "逾期|{missed}",
                                          "overdue_cues": "罚息|{missed}"}))
    for pattern in (corpus.intents[0].cues, corpus.dialogue.late_cues, corpus.dialogue.overdue_cues):
        assert re.search(pattern or "", "借呗记错还款日了怎么办")
    assert not re.search(corpus.dialogue.overdue_cues, "借呗逾期了")  # each list keeps its own words


def test_words_of_the_due_date_being_near_are_shared_too(tmp_path: Path) -> None:
    import re

    corpus = load_corpus(_write(tmp_path, [_intent(cues="^(?!.*{due_soon}).*逾期")],
                                dialogue={"late_cues": "逾期", "due_soon_cues": "(今天|明天)就?到期"}))
    cue = re.compile(corpus.intents[0].cues or "")
    assert cue.search("借呗逾期了怎么办") and not cue.search("借呗明天就到期 会逾期吗")
    assert corpus.dialogue.due_soon_cues == "(今天|明天)就?到期"  # the understanding reads it as said


def test_the_other_products_are_named_once_and_shared(tmp_path: Path) -> None:
    import re

    root = _write(tmp_path, [_intent(cues="{other}.{0,6}逾期")])
    (root / "out_of_scope.yaml").write_text(yaml.safe_dump([
        {"label": "其他产品", "scope": "other_product", "mentions": ["美团", "信用卡"], "questions": ["信用卡怎么办"]},
        {"label": "日常", "scope": "everyday", "mentions": ["额度"], "questions": ["额度怎么提"]}],
        allow_unicode=True), encoding="utf-8")
    cue = re.compile(load_corpus(root).intents[0].cues or "")
    assert cue.search("美团逾期了会影响借呗吗") and cue.search("信用卡逾期")
    assert not cue.search("额度逾期")  # only the other products' names, not every topic's
    (root / "out_of_scope.yaml").unlink()  # no other products named: the placeholder matches nothing
    assert not re.compile(load_corpus(root).intents[0].cues or "").search("美团逾期了")


def test_a_prefer_may_name_its_own_cues(tmp_path: Path) -> None:
    import re

    corpus = load_corpus(_write(tmp_path / "ok", [_intent(cues="{late}|停息", prefer="^(?!.*中介).*{cue}")],
                                dialogue={"late_cues": "逾期"}))
    prefer = re.compile(corpus.intents[0].prefer or "")
    assert prefer.search("借呗能停息吗") and prefer.search("逾期了能停吗")  # the cue, {late} expanded in it
    assert not prefer.search("中介说能停息") and not prefer.search("借呗怎么开通")
    _write(tmp_path / "no-cues", [_intent(prefer="{cue}")])
    with pytest.raises(CorpusError, match=r"field 'prefer': \{cue\} needs the intent's 'cues'"):
        load_corpus(tmp_path / "no-cues")
    _write(tmp_path / "in-cues", [_intent(cues="逾期|{cue}")])
    with pytest.raises(CorpusError, match=r"field 'cues': \{cue\} may appear only in 'prefer'"):
        load_corpus(tmp_path / "in-cues")


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    a = load_corpus(_write(tmp_path / "a", [_intent()])).fingerprint
    b = load_corpus(_write(tmp_path / "b", [_intent(answer="另一个说明。")])).fingerprint
    assert a != b and len(a) == 64


def test_words_of_having_no_money_are_shared_by_the_overdue_words_and_intents(tmp_path: Path) -> None:
    import re

    corpus = load_corpus(_write(tmp_path, [_intent(cues="{broke}", prefer="{broke}.{0,4}怎么办")],
                                dialogue={"broke_cues": "(?<!借呗)没钱(?!借)", "overdue_cues": "逾期|{broke}"}))
    for pattern in (corpus.intents[0].cues, corpus.dialogue.overdue_cues):
        assert re.search(pattern or "", "我现在没钱") and not re.search(pattern or "", "借呗怎么没钱借了")
    assert re.search(corpus.intents[0].prefer or "", "没钱了怎么办")


def test_a_pattern_written_as_a_list_is_its_items_as_alternatives(tmp_path: Path) -> None:
    corpus = load_corpus(_write(tmp_path, [_intent(cues=["逾期|晚还", "(?<!不是)不还"], prefer=["还了.{0,4}显示", "已还"])],
                                dialogue={"late_cues": ["逾期", "晚还"]}))
    assert corpus.intents[0].cues == "逾期|晚还|(?<!不是)不还" and corpus.intents[0].prefer == "还了.{0,4}显示|已还"
    assert corpus.dialogue.late_cues == "逾期|晚还"
    with pytest.raises(CorpusError, match="non-empty strings"):
        load_corpus(_write(tmp_path, [_intent(cues=["逾期", ""])]))
