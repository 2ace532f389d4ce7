"""One fixture file per kind of invalid pack (tests/rules/invalid/); each states in its first
line the problem it must raise: code, line, column and words of the message (zh and en)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from huiqi.errors import PackError
from huiqi.rules.loader import load_pack

HERE = Path(__file__).parent / "invalid"
# a file is a one-policy pack; a folder is a pack whose one bad file starts with "# expect:"
FIXTURES = sorted([*HERE.glob("*.yaml"), *(p for p in HERE.iterdir() if p.is_dir())])
_PAIR = re.compile(r"(\w+)=(.*?)(?=\s+\w+=|$)")


def _first_line(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0]


def bad_file(path: Path) -> Path:
    if path.is_file():
        return path
    [found] = [f for f in sorted(path.glob("*.yaml")) if _first_line(f).startswith("# expect:")]
    return found


def expectations(path: Path) -> dict[str, str]:
    first = _first_line(path)
    assert first.startswith("# expect:"), f"{path.name} must start with '# expect:'"
    return {k: v.strip() for k, v in _PAIR.findall(first[len("# expect:"):].strip())}


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_invalid_pack_is_rejected_with_a_located_message(path: Path) -> None:
    want = expectations(bad_file(path))
    with pytest.raises(PackError) as info:
        load_pack(path)
    problems = info.value.problems
    assert len(problems) == 1, "\n".join(p.render("en") for p in problems)
    p = problems[0]
    assert p.code == want["code"], p.render("en")
    assert p.file is not None and p.file.endswith(bad_file(path).name)
    if "line" in want:
        assert p.line == int(want["line"]), p.render("en")
    if "column" in want:
        assert p.column == int(want["column"]), p.render("en")
    assert want["zh"] in p.message.zh, p.render("zh")
    assert want["en"] in p.message.en, p.render("en")
    if "hint" in want:
        assert p.hint is not None
        assert want["hint"] in p.hint.zh or want["hint"] in p.hint.en, p.render("en")
    if "snippet" in want:
        assert p.snippet is not None and want["snippet"] in p.snippet, p.render("en")


def test_every_kind_of_problem_has_a_fixture() -> None:
    assert len(FIXTURES) >= 25


def test_a_pack_with_one_bad_policy_loads_nothing(tmp_path: Path) -> None:
    good = Path(__file__).parents[1] / "packs" / "language"
    pack_dir = tmp_path / "pack"
    shutil.copytree(good, pack_dir)
    assert load_pack(pack_dir).policies  # the good pack loads
    shutil.copy(HERE / "unknown_fact.yaml", pack_dir / "zz_bad.yaml")
    with pytest.raises(PackError) as info:
        load_pack(pack_dir)
    assert [p.code for p in info.value.problems] == ["name.unknown_suggest"]
    assert "nothing of it was loaded" in info.value.message("en")
    assert "整个包均未加载" in info.value.message("zh")


def test_all_problems_of_a_pack_are_reported_at_once(tmp_path: Path) -> None:
    for name in ("unknown_fact", "money_vs_date", "missing_citation"):
        text = (HERE / f"{name}.yaml").read_text(encoding="utf-8").replace("id: bad", f"id: {name}")
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(tmp_path)
    assert sorted(p.code for p in info.value.problems) == [
        "cite.missing", "name.unknown_suggest", "type.mismatch"]
