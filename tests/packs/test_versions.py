"""Pack versions: immutable, re-loadable exactly, published only when the checker passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.errors import Conflict, InputError, PackError
from huiqi.packs import versions as PV
from huiqi.packs.files import read_folder
from huiqi.rules.loader import load_pack
from huiqi.service import audit, policies
from huiqi.service.audit import AuditQuery
from huiqi.service.context import Context
from huiqi.store.database import Database

LANGUAGE = Path(__file__).parent / "language"


def files() -> list[tuple[str, bytes]]:
    return read_folder(LANGUAGE)


def broken() -> list[tuple[str, bytes]]:
    return [(path, content.replace(b"rd_expense[-1]", b"rd_expens[-1]", 1)
             if path == "lang.yaml" else content) for path, content in files()]


def test_a_version_is_stored_byte_for_byte_and_reloads_exactly(system: Context,
                                                               db: Database) -> None:
    v = policies.upload(system, "language", files())
    assert (v.number, v.status, v.version_key) == (1, "draft", None)
    assert [f.path for f in v.files] == ["lang.yaml", "pack.yaml", "text.txt"]
    with db.read() as s:
        stored = PV.files_of(s, PV.get_version(s, "language", 1).id)
    assert stored == files()
    assert PV.load("language", stored).version_id == load_pack(LANGUAGE).version_id


def test_publishing_runs_the_checker_and_supersedes(system: Context) -> None:
    policies.upload(system, "language", files())
    first = policies.publish(system, "language", 1)
    assert first.status == "published"
    assert first.version_key == load_pack(LANGUAGE).version_id
    assert first.title is not None and first.title.zh == "政策语言测试包"
    changed = [(p, c + b"\n# v2\n" if p == "lang.yaml" else c) for p, c in files()]
    policies.upload(system, "language", changed, note="第二版")
    second = policies.publish(system, "language", 2)
    pack = policies.get_pack(system, "language")
    assert [v.status for v in pack.versions] == ["superseded", "published"]
    assert pack.current is not None and pack.current.number == 2
    assert second.version_key != first.version_key


def test_a_pack_with_errors_cannot_be_published(system: Context) -> None:
    policies.upload(system, "language", broken())
    report = policies.check(system, "language", 1)
    assert not report.ok and report.problems[0].code.startswith("name.unknown")
    assert report.problems[0].file and report.problems[0].line
    with pytest.raises(PackError) as exc:
        policies.publish(system, "language", 1)
    assert "rd_expens" in exc.value.message("zh")
    v = policies.get_version(system, "language", 1)
    assert (v.status, v.version_key, v.published_at) == ("draft", None, None)
    assert audit.entries(system, AuditQuery(action="policy.publish"))[0] == 0


def test_the_life_of_a_version(system: Context) -> None:
    policies.upload(system, "language", files())
    with pytest.raises(Conflict):
        policies.retire(system, "language", 1)  # a draft is not in force
    policies.publish(system, "language", 1)
    with pytest.raises(Conflict) as exc:
        policies.publish(system, "language", 1)
    assert "已发布" in exc.value.message("zh") and "published" in exc.value.message("en")
    assert policies.retire(system, "language", 1).status == "retired"
    with pytest.raises(Conflict):
        policies.publish(system, "language", 1)
    assert policies.get_pack(system, "language").current is None


@pytest.mark.parametrize("path", ["../evil.yaml", "/etc/passwd", "a/../../b.yaml", ".hidden",
                                  "C:/x.yaml", ""])
def test_paths_that_could_escape_are_refused(system: Context, path: str) -> None:
    with pytest.raises(InputError):
        policies.upload(system, "language", [*files(), (path, b"x")])
    assert policies.list_packs(system) == []


def test_the_pack_id_must_match_the_address(system: Context) -> None:
    policies.upload(system, "other", files())
    with pytest.raises(PackError) as exc:
        policies.publish(system, "other", 1)
    assert "“language”" in exc.value.message("zh") and "“other”" in exc.value.message("en")


def test_clauses_of_the_published_version(system: Context) -> None:
    policies.upload(system, "language", files())
    with pytest.raises(Conflict):
        policies.clauses(system, "language")
    policies.publish(system, "language", 1)
    keys = [c.key for c in policies.clauses(system, "language")]
    assert "lang/rd_subsidy" in keys


def test_unknown_packs_and_versions(system: Context) -> None:
    from huiqi.errors import NotFoundError

    with pytest.raises(NotFoundError, match="language"):
        policies.get_pack(system, "language")
    policies.upload(system, "language", files())
    with pytest.raises(NotFoundError, match="#2"):
        policies.get_version(system, "language", 2)
