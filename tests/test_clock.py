"""One clock: "today" is China's date for the CLI and the service alike, whatever the
machine's time zone."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiqi.clock import CHINA, china_date, china_time, day_start, shown
from huiqi.service.context import Platform
from huiqi.service.enterprises import today
from huiqi.settings import Settings
from huiqi.store.database import Database
from service_fixtures import make_settings

ROOT = Path(__file__).parent.parent
PACK = str(ROOT / "tests" / "packs" / "language")
FIRM = """
- id: 91330201MA2GQ1XK38
  name: 测试科技
  facts: {registration_date: 2020-03-01}
"""

# 2026-01-01 16:30 UTC is 2026-01-02 00:30 in Beijing: the UTC date is still the 1st
LATE_UTC = dt.datetime(2026, 1, 1, 16, 30, tzinfo=dt.UTC)


def test_today_is_chinas_date_not_utcs() -> None:
    assert china_date(LATE_UTC) == dt.date(2026, 1, 2)
    assert china_date(LATE_UTC - dt.timedelta(minutes=31)) == dt.date(2026, 1, 1)
    assert china_time(LATE_UTC).utcoffset() == dt.timedelta(hours=8)


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        china_time(dt.datetime(2026, 1, 1, 12, 0))


def test_a_day_starts_at_midnight_in_beijing() -> None:
    assert day_start(dt.date(2026, 1, 2)) == LATE_UTC - dt.timedelta(minutes=30)
    assert shown(LATE_UTC) == "2026-01-02 00:30"


def test_settings_today_is_chinas_date_unless_as_of_is_set() -> None:
    assert Settings(as_of=None).today(LATE_UTC) == dt.date(2026, 1, 2)
    assert Settings(as_of=dt.date(2024, 6, 1)).today(LATE_UTC) == dt.date(2024, 6, 1)


def test_the_platform_evaluates_chinas_date_by_its_clock(db: Database) -> None:
    platform = Platform(db, make_settings(as_of=None), lambda: LATE_UTC)
    assert today(platform.system()) == dt.date(2026, 1, 2)


@pytest.fixture
def machine_zone() -> Iterator[None]:
    before = os.environ.get("TZ")
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_cli_evaluates_chinas_date_whatever_the_machines_zone(
        zone: str, tmp_path: Path, machine_zone: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """UTC+14 and UTC−11 are 25 hours apart: at any moment one of them has another date
    than Beijing, so a CLI reading the machine's date fails one of these two cases."""
    from huiqi.cli.app import app

    monkeypatch.delenv("HUIQI_AS_OF", raising=False)
    os.environ["TZ"] = zone
    time.tzset()
    firms = tmp_path / "firms.yaml"
    firms.write_text(FIRM, encoding="utf-8")
    before = dt.datetime.now(CHINA).date()
    r = CliRunner().invoke(app, ["match", "91330201MA2GQ1XK38", "-p", PACK, "-d", str(firms),
                                 "--json"])
    after = dt.datetime.now(CHINA).date()
    assert r.exit_code == 0, r.output
    assert dt.date.fromisoformat(json.loads(r.output)["as_of"]) in {before, after}
