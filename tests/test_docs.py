"""The documentation is kept honest by tests: errors, settings and the CLI reference."""

from __future__ import annotations

import re
from pathlib import Path

from huiqi import settings as settings_module
from huiqi.cli.reference import cli_markdown, errors_markdown
from huiqi.messages import MESSAGES
from huiqi.settings import Settings

ROOT = Path(__file__).parents[1]


def test_errors_page_is_current() -> None:
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == errors_markdown(), \
        "docs/errors.md is stale: run `huiqi reference docs`"


def test_cli_page_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_markdown(), \
        "docs/cli.md is stale: run `huiqi reference docs`"


def test_every_message_has_both_languages_and_matching_fields() -> None:
    for code, (zh, en) in MESSAGES.items():
        assert zh and en, code
        fields_zh = set(re.findall(r"\{(\w+)\}", zh))
        fields_en = set(re.findall(r"\{(\w+)\}", en))
        # a field named x_zh in Chinese is x_en in English
        norm = {f.removesuffix("_zh").removesuffix("_en") for f in fields_zh}
        assert norm == {f.removesuffix("_zh").removesuffix("_en") for f in fields_en}, code


def test_every_setting_is_documented_in_the_settings_table() -> None:
    doc = settings_module.__doc__ or ""
    documented = set(re.findall(r"``HUIQI_([A-Z_]+)``", doc))
    declared = {name.upper() for name in Settings.model_fields}
    assert documented == declared


def test_every_message_code_used_in_the_code_is_declared() -> None:
    used: set[str] = set()
    for path in (ROOT / "src" / "huiqi").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r'(?:CheckError|report|problem|message)\(\s*"([a-z_]+\.[a-z_.]+)"',
                               text))
    missing = sorted(c for c in used if c not in MESSAGES)
    assert not missing, missing


def test_every_pack_checking_problem_has_a_hint() -> None:
    used: set[str] = set()
    for path in (ROOT / "src" / "huiqi" / "rules").rglob("*.py"):
        used.update(re.findall(r'(?:CheckError|report|problem|message)\(\s*f?"([a-z_]+\.[a-z_.]+)"',
                               path.read_text(encoding="utf-8")))
    used |= {"band.overlap", "band.gap", "band.gap_low", "band.gap_high"}
    lacking = sorted(c for c in used if c in MESSAGES and c + ".hint" not in MESSAGES)
    assert not lacking, lacking
