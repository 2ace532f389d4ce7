"""Accounts: the last active administrator stays one."""

from __future__ import annotations

import pytest

from huiqi.errors import Conflict
from huiqi.service import accounts
from huiqi.service.context import Context
from huiqi.service.permissions import Role
from service_fixtures import PASSWORD


@pytest.fixture
def root(system: Context) -> str:
    accounts.create(system, "root", "Root", Role.ADMIN, PASSWORD)
    return "root"


@pytest.mark.parametrize("change", [{"role": Role.REVIEWER}, {"active": False}],
                         ids=["demoted", "disabled"])
def test_the_last_active_administrator_stays_one(system: Context, root: str,
                                                 change: dict[str, object]) -> None:
    with pytest.raises(Conflict) as exc:
        accounts.update(system, root, **change)  # type: ignore[arg-type]
    assert "最后一个启用的系统管理员" in exc.value.message("zh")
    assert "last active administrator" in exc.value.message("en")
    v = accounts.get(system, root)
    assert v.role is Role.ADMIN and v.active


def test_an_administrator_may_go_once_another_is_active(system: Context, root: str) -> None:
    accounts.create(system, "second", "Second", Role.ADMIN, PASSWORD)
    accounts.update(system, "second", active=False)  # a disabled administrator does not count
    with pytest.raises(Conflict):
        accounts.update(system, root, role=Role.REVIEWER)
    accounts.update(system, "second", active=True)
    assert accounts.update(system, root, role=Role.REVIEWER).role is Role.REVIEWER
    with pytest.raises(Conflict):
        accounts.update(system, "second", active=False)
    # other changes to the last administrator are still allowed
    assert accounts.update(system, "second", display_name="二号", role=Role.ADMIN,
                           active=True).display_name == "二号"
