from __future__ import annotations

import jieba

from bot.segment import Segmenter


def test_plain_jieba_splits_the_product_name_but_the_domain_dictionary_keeps_it() -> None:
    assert "借呗" not in jieba.lcut("借呗逾期了")
    seg = Segmenter()
    assert seg.terms("借呗逾期了") == ["借呗", "逾期"]


def test_domain_words_stay_whole() -> None:
    terms = Segmenter().terms("借呗可以停息挂账吗，罚息和征信怎么办，会被催收打通讯录吗")
    for word in ("借呗", "停息挂账", "罚息", "征信", "催收", "通讯录"):
        assert word in terms


def test_variants_reach_the_same_terms() -> None:
    seg = Segmenter()
    assert seg.terms("螞蟻借唄逾期利息") == seg.terms("借呗逾期罚息") == ["借呗", "逾期", "罚息"]


def test_stop_words_and_punctuation_are_dropped() -> None:
    assert Segmenter().terms("请问，我的借呗呢？！") == ["借呗"]


def test_sparse_terms_add_character_bigrams_for_typos() -> None:
    seg = Segmenter()
    typo = set(seg.sparse_terms("借呗会影响征性吗"))
    right = set(seg.sparse_terms("借呗会影响征信吗"))
    assert "#借呗" in typo and "#影响" in typo
    assert len(typo & right) >= 4
    assert seg.sparse_terms("借呗", char_bigrams=False) == ["借呗"]
