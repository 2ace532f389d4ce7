"""``huiqi workdays``: the calendar from the terminal, changes audited like any write."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from huiqi.cli.app import app


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("HUIQI_ENV", raising=False)
    return f"sqlite:///{tmp_path / 'huiqi.db'}"


def test_a_year_entered_from_the_terminal(database: str) -> None:
    run = CliRunner().invoke
    r = run(app, ["workdays", "deadline", "2026-02-13", "3", "--database", database])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "2026-02-25"
    r = run(app, ["workdays", "deadline", "2027-01-04", "3", "--database", database])
    assert r.exit_code != 0 and "2027" in r.output and "Traceback" not in r.output
    for day, flag, why in (("2027-01-01", "--off", "元旦"), ("2027-02-06", "--working", "调休上班")):
        r = run(app, ["workdays", "set", day, flag, "--reason", why, "--database", database])
        assert r.exit_code == 0, r.output
    r = run(app, ["workdays", "declare-year", "2027", "--source", "通知", "--database", database])
    assert r.exit_code == 0, r.output
    r = run(app, ["workdays", "deadline", "2026-12-31", "1", "--database", database])
    assert r.output.strip() == "2027-01-04"
    r = run(app, ["workdays", "show", "2027", "--database", database])
    assert "2027-02-06" in r.output and "调休上班" in r.output
    from huiqi.service.audit import AuditQuery, entries
    from huiqi.service.context import Platform
    from huiqi.settings import Settings
    from huiqi.store.database import Database

    db = Database.connect(database)
    try:
        total, rows = entries(Platform(db, Settings(database_url=database)).system(),
                              AuditQuery(action="calendar"))
    finally:
        db.dispose()
    assert total == 3 and all(e.actor.startswith("cli:") for e in rows)
