from __future__ import annotations

import pytest

from bot.normalize import SynonymMapper, load_synonyms, normalize, strip_controls


def test_full_width_and_traditional_are_folded() -> None:
    assert normalize("借唄逾期３０天會上徵信嗎？") == "借呗逾期30天会上征信吗?"
    assert normalize("  ＡＢＣ \t def ") == "abc def"


def test_control_characters_are_removed_but_newlines_kept() -> None:
    assert strip_controls("a\x00b\x1bc\u200bd\ne") == "abcd\ne"


def test_domain_typos_are_fixed_while_normalising() -> None:
    # the scope and cue checks read normalised text, so they must see the word the user meant
    assert normalize("借呗逾其一天算预期吗") == "借呗逾期一天算逾期吗"
    assert normalize("别的货款逾期会影响借呗吗") == "别的贷款逾期会影响借呗吗"
    assert normalize("退货款退到花呗了") == "退货款退到花呗了"  # 货款 itself is a word: only 货款逾期 is the typo
    assert normalize("会影响征性吗") == "会影响征信吗"
    assert normalize("已经还请了") == "已经还清了"
    assert normalize("借贝逾气了芝麻份会掉吗") == "借呗逾期了芝麻分会掉吗"
    assert normalize("借呗鱼期了 有宽现期吗") == "借呗逾期了 有宽限期吗"
    assert normalize("借呗违期三天了 遇期会上征信吗") == "借呗逾期三天了 逾期会上征信吗"
    assert normalize("借呗越期两天了") == "借呗逾期两天了"
    assert normalize("借呗Overdue了怎么办") == "借呗逾期了怎么办"
    assert normalize("崔收说我会做牢") == "催收说我会坐牢"
    assert normalize("JieBei yuqi了 会上zhengxin吗") == "借呗 逾期了 会上征信吗"
    # 借吧 names the product only before or after words about it, never as "那就借吧"
    assert normalize("花呗逾期了借吧也会不能用吗") == "花呗逾期了借呗也会不能用吗"
    assert normalize("花呗逾期了借吧是不是就不能用了") == "花呗逾期了借呗是不是就不能用了"
    assert normalize("信用卡逾期影响借吧吗") == "信用卡逾期影响借呗吗"
    assert normalize("那就借吧") == "那就借吧"


def test_synonyms_map_longest_variant_first() -> None:
    mapper = SynonymMapper(load_synonyms())
    assert mapper("蚂蚁借呗逾期利息怎么算") == "借呗逾期罚息怎么算"
    assert mapper("花呗有违约金吗") == "花呗有罚息吗"
    assert mapper("支付宝借呗会上征信吗") == "借呗会影响征信吗"


@pytest.mark.parametrize("bad", ["only-one-column", "a\tb\tc", "\tb"])
def test_malformed_synonym_lines_are_reported(bad: str) -> None:
    with pytest.raises(ValueError, match="synonyms line 1"):
        load_synonyms(bad)
