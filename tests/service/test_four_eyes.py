"""Four eyes (issue 16, item 7): a version is published by someone other than its author,
after the differences of its rules and texts against the published version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from huiqi.errors import Conflict
from huiqi.packs.files import read_folder
from huiqi.service import policies
from huiqi.store.models import AuditEntry
from service_fixtures import ROOT, World

LANGUAGE = ROOT / "tests" / "packs" / "language"


def _changed() -> list[tuple[str, bytes]]:
    files = dict(read_folder(LANGUAGE))
    files["lang.yaml"] = files["lang.yaml"].replace(b"rd_expense[-1]", b"rd_expense[-1] ", 1)
    files["new.txt"] = "新的原文\n".encode()
    return sorted(files.items())


def test_the_author_cannot_publish_and_another_needs_the_current_differences(world: World) -> None:
    officer, admin = world.ctx("policy_officer"), world.ctx("admin")
    first = policies.upload(officer, "language", read_folder(LANGUAGE))
    d = policies.diff(admin, "language", first.number)
    assert d.base is None and {f.change for f in d.files} == {"added"}
    with pytest.raises(Conflict) as own:
        policies.publish(officer, "language", first.number, d.digest)
    assert own.value.reason == "version.own" and "双人复核" in own.value.text.zh
    with pytest.raises(Conflict) as unseen:
        policies.publish(admin, "language", first.number)
    assert unseen.value.reason == "version.review"
    assert policies.publish(admin, "language", first.number, d.digest).status == "published"

    second = policies.upload(officer, "language", _changed(), "修订")
    d2 = policies.diff(world.ctx("reviewer"), "language", second.number)
    assert d2.base == first.number
    by = {f.path: f for f in d2.files}
    assert by["new.txt"].change == "added" and by["pack.yaml"].change == "same"
    assert by["lang.yaml"].change == "changed" and by["lang.yaml"].added_lines == 1
    assert "+" in by["lang.yaml"].diff and "rd_expense[-1] " in by["lang.yaml"].diff
    # the published version changes under the reviewer: what they saw is no longer the diff
    third = policies.upload(officer, "language", read_folder(LANGUAGE), "另一草稿")
    policies.publish(admin, "language", third.number,
                     policies.diff(admin, "language", third.number).digest)
    with pytest.raises(Conflict) as stale:
        policies.publish(admin, "language", second.number, d2.digest)
    assert stale.value.reason == "version.review"
    fresh = policies.diff(admin, "language", second.number)
    assert fresh.digest != d2.digest and fresh.base == third.number
    assert policies.publish(admin, "language", second.number, fresh.digest).published_by == \
        "u_admin"
    with world.platform.db.read() as s:
        refused = s.scalars(select(AuditEntry).where(AuditEntry.action == "policy.publish",
                                                     AuditEntry.outcome == "denied")
                            .order_by(AuditEntry.id)).all()
    assert [e.detail for e in refused] == ["version.own", "version.review", "version.review"]


def test_the_platform_itself_publishes_without_a_second_person(world: World) -> None:
    system = world.platform.system()  # huiqi init-demo, an operator's command: no account
    v = policies.upload(system, "language", read_folder(LANGUAGE))
    assert policies.publish(system, "language", v.number).status == "published"
