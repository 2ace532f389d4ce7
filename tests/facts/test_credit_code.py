"""统一社会信用代码 (GB 32100-2015): valid codes pass, every kind of corruption is
rejected with an error that names the position, in Chinese and in English."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huiqi.errors import CreditCodeError, InputError
from huiqi.facts.credit_code import ALPHABET, check_char, is_valid, make, org_check_char, quick, quick_all, validate

# Codes published by the enterprises themselves (business licences, AIGC content labels),
# found in public repositories: 华为技术有限公司, 腾讯科技(深圳)有限公司, 小米科技有限责任公司,
# 阿里巴巴(中国)有限公司, 百度在线网络技术(北京)有限公司.
PUBLISHED = (
    "914403001922038216",
    "91440300708461136T",
    "91110108551385082Q",
    "91330100799655058B",
    "91110000802100433B",
)
MADE = (
    make("9", "1", "350206", "MA2Y3K7L"),   # an enterprise in 湖里区, registered after 2015
    make("9", "2", "350203", "MA8N0P4Q"),   # 个体工商户 in 思明区
    make("9", "1", "330212", "12345678"),   # an older enterprise in 鄞州区
    make("1", "2", "110108", "40000069"),   # a public institution (事业单位) in 海淀区
    make("5", "2", "210211", "MA0XY1JD"),   # 民办非企业单位 in 甘井子区
    make("Y", "1", "450305", "MA5KTR9W"),
)
VALID = PUBLISHED + MADE
FORBIDDEN = "IOSVZ"


def _error(code: str) -> CreditCodeError:
    with pytest.raises(CreditCodeError) as info:
        validate(code)
    return info.value


def _names(exc: CreditCodeError, position: int) -> None:
    assert exc.position == position
    assert f"第 {position} 位" in exc.message("zh")
    assert f"position {position}" in exc.message("en")


def _at(code: str, position: int, char: str) -> str:
    return code[: position - 1] + char + code[position:]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_are_accepted(code: str) -> None:
    assert validate(code) == code
    assert is_valid(code)


def test_published_codes_check_both_check_characters() -> None:
    for code in PUBLISHED:
        assert org_check_char(code[8:16]) == code[16]
        assert check_char(code[:17]) == code[17]


def test_lower_case_and_surrounding_spaces_are_normalised() -> None:
    assert validate("  91440300708461136t ") == "91440300708461136T"


@pytest.mark.parametrize("code", ["", "9144030070846113", "91440300708461136T0", "91440300 708461136T"])
def test_wrong_length_is_rejected_and_says_so(code: str) -> None:
    exc = _error(code)
    length = len(code.strip())
    assert exc.position is None
    assert f"实际为{length}位" in exc.message("zh")
    assert f"has {length}" in exc.message("en")
    assert isinstance(exc, InputError)


def test_an_inner_space_is_a_wrong_character() -> None:
    _names(_error("91440300 08461136T"), 9)


@pytest.mark.parametrize("position", range(1, 19))
@pytest.mark.parametrize("letter", FORBIDDEN)
def test_forbidden_letters_are_rejected_at_each_position(position: int, letter: str) -> None:
    exc = _error(_at(PUBLISHED[0], position, letter))
    _names(exc, position)
    assert f"“{letter}”" in exc.message("zh")
    assert "I, O, S, V, Z" in exc.message("en")


@pytest.mark.parametrize("authority", ["0", "B", "C", "M", "X", "W"])
def test_unknown_registration_authority_is_rejected_at_position_1(authority: str) -> None:
    exc = _error(_at(PUBLISHED[0], 1, authority))
    _names(exc, 1)
    assert "登记管理部门" in exc.message("zh")
    assert "registration authority" in exc.message("en")


@pytest.mark.parametrize(("authority", "kind"), [("9", "4"), ("9", "9"), ("1", "4"), ("5", "5"), ("Y", "2")])
def test_kind_must_exist_under_its_authority(authority: str, kind: str) -> None:
    code = _at(_at(PUBLISHED[0], 1, authority), 2, kind)
    exc = _error(code)
    _names(exc, 2)
    assert "机构类别代码" in exc.message("zh")
    assert f"under authority “{authority}”" in exc.message("en")


@pytest.mark.parametrize("position", range(3, 9))
def test_division_code_must_be_digits(position: int) -> None:
    exc = _error(_at(PUBLISHED[1], position, "A"))
    _names(exc, position)
    assert "行政区划码" in exc.message("zh")
    assert "division code" in exc.message("en")


def test_division_code_cannot_have_province_00() -> None:
    exc = _error(make("9", "1", "000000", "12345678"))
    _names(exc, 3)


@pytest.mark.parametrize("char", ["A", "B", "M", "Y"])
def test_organisation_check_character_must_be_a_digit_or_x(char: str) -> None:
    exc = _error(_at(PUBLISHED[0], 17, char))
    _names(exc, 17)
    assert "数字或 X" in exc.message("zh")


def test_wrong_organisation_check_character_is_rejected_at_position_17() -> None:
    code = PUBLISHED[1]
    wrong = next(c for c in "0123456789X" if c != code[16])
    exc = _error(_at(code, 17, wrong))
    _names(exc, 17)
    assert f"应为“{code[16]}”" in exc.message("zh")
    assert f"should be “{code[16]}”" in exc.message("en")


def test_wrong_final_check_character_is_rejected_at_position_18() -> None:
    code = PUBLISHED[2]
    wrong = next(c for c in ALPHABET if c != code[17])
    exc = _error(_at(code, 18, wrong))
    _names(exc, 18)
    assert f"校验位应为“{code[17]}”" in exc.message("zh")
    assert f"the check character should be “{code[17]}”" in exc.message("en")


def test_the_message_quotes_the_value_given() -> None:
    exc = _error("91440300708461136X")
    assert "“91440300708461136X”" in exc.message("zh")
    assert exc.value == "91440300708461136X"


@given(code=st.sampled_from(VALID), position=st.integers(1, 18),
       char=st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_any_single_character_substitution_is_rejected(code: str, position: int, char: str) -> None:
    if char == code[position - 1]:
        return
    corrupted = _at(code, position, char)
    assert not is_valid(corrupted)
    exc = _error(corrupted)
    # found where it was made, by one of the two check characters, or — a changed
    # authority — as a kind that does not exist under the new authority
    assert exc.position in (position, 17, 18, *((2,) if position == 1 else ()))
    assert exc.position is not None
    _names(exc, exc.position)


def test_every_single_character_substitution_is_rejected() -> None:
    """The same, exhaustively: every code, position and character."""
    chars = ALPHABET + FORBIDDEN + "-* "
    for code in VALID:
        for position in range(1, 19):
            for char in chars:
                if char != code[position - 1]:
                    assert not is_valid(_at(code, position, char)), (code, position, char)


@given(org=st.text(alphabet=ALPHABET, min_size=8, max_size=8),
       division=st.integers(110000, 659999).map(str),
       kind=st.sampled_from([("9", "1"), ("9", "2"), ("9", "3"), ("1", "1"), ("5", "3")]))
def test_made_codes_are_valid(org: str, division: str, kind: tuple[str, str]) -> None:
    assert is_valid(make(kind[0], kind[1], division, org))


def _validated(code: str) -> str | None:
    try:
        return validate(code)
    except CreditCodeError:
        return None


@settings(deadline=None)  # the first call of quick_all loads numpy
@given(code=st.sampled_from(VALID), edits=st.lists(st.tuples(
    st.integers(0, 19), st.sampled_from(ALPHABET + FORBIDDEN + "xyz -*\u00df\uff11")),
    max_size=3), pad=st.sampled_from(["", " ", "\t"]), lower=st.booleans())
def test_the_quick_check_accepts_what_validate_accepts(code: str, edits: list[tuple[int, str]],
                                                       pad: str, lower: bool) -> None:
    """quick(), for files of millions of codes, is validate() without the messages."""
    for position, char in edits:
        code = code[:position] + char + code[position + 1:]
    code = pad + (code.lower() if lower else code) + pad
    assert quick(code) == _validated(code)
    assert quick_all([code, *VALID]) == [_validated(code), *VALID]


@given(code=st.text(alphabet=ALPHABET + "IOSVZ x\u00df", min_size=16, max_size=19))
def test_the_quick_check_agrees_on_any_text(code: str) -> None:
    assert quick(code) == _validated(code)


@settings(deadline=None)
@given(codes=st.lists(st.one_of(
    st.sampled_from(VALID), st.text(alphabet=ALPHABET + "IOSVZ x\u00df\uff11", min_size=17,
                                    max_size=19),
    st.builds(make, st.sampled_from("123456789ANY"), st.sampled_from(ALPHABET),
              st.integers(100000, 999999).map(str), st.text(alphabet=ALPHABET, min_size=8,
                                                             max_size=8)),
    st.none(), st.integers()), max_size=30))
def test_the_checks_of_many_codes_at_once_agree_with_validate(codes: list[object]) -> None:
    """quick_all() checks a batch's codes with array arithmetic: the same answers."""
    assert quick_all(codes) == [_validated(c) if isinstance(c, str) else None for c in codes]


def test_the_quick_check_accepts_every_known_code() -> None:
    for code in VALID:
        assert quick(code) == code
        assert quick(f" {code.lower()} ") == code
