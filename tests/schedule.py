"""How the test processes share the suite with ``pytest -n auto --dist loadgroup``
(tests/conftest.py applies it; ``make test`` keeps ``--dist loadfile``: the one fresh-clone CI run
with this scheduler took 36 min, against 22 to 30 min for loadfile in the runs before it, the
two processes busy 1.4 cores of 2 on average — to be measured again before it is the default).
A module's tests stay together on one process, as with ``--dist loadfile`` (its module
fixtures — a served database, a browser — are made once), except in :data:`SPREAD`, the large
modules of independent tests, which every process takes from one test at a time. The slow
modules are handed out first, the largest modules next, the single tests last: ``loadfile``
handed out the modules with the most tests first, so that a slow module of three browser tests
started last and ran alone for minutes at the end.

(xdist's own ``loadgroup`` groups by an ``xdist_group`` mark, by renaming the tests' node ids,
which pytest 9 no longer lets it do: :class:`Modules` takes its place.)
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

#: modules of many independent tests (a fresh database each), spread over the processes
SPREAD = frozenset({"tests/api/test_access.py", "tests/web/test_access.py",
                    "tests/api/test_schema.py"})
#: the slowest modules, slowest first (measured on 2 cores), handed out before any other; the
#: second is the README's, which needs no browser: the first browser module builds the
#: database the others copy (tests/web/test_browser.py, ``built``), and the second process
#: would wait for it
FIRST = ("tests/web/test_phone.py", "tests/test_readme.py", "tests/web/test_browser.py",
         "tests/web/test_browser_cases.py", "tests/web/test_browser_analytics.py",
         "tests/web/test_browser_vouchers.py", "tests/web/test_browser_challenges.py",
         "tests/web/test_browser_competitions.py", "tests/web/test_browser_decisions.py",
         "tests/web/test_browser_programmes.py", "tests/web/test_push_browser.py")
SLOW = ("slow", "readme")


def applies(config: pytest.Config) -> bool:
    """Whether this run shares its tests by :class:`Modules` (``--dist loadgroup``; in the
    processes that run the tests, xdist says so by ``loadgroup``)."""
    return bool(config.pluginmanager.hasplugin("xdist")
                and (getattr(config.option, "loadgroup", False)
                     or config.getoption("dist", "no") == "loadgroup"))


def module(nodeid: str) -> str:
    """The path of the file a test comes from, by its node id."""
    return nodeid.split("::", 1)[0]


def scope(nodeid: str) -> str:
    """The unit of work a test belongs to: its module, or itself in :data:`SPREAD`."""
    path = module(nodeid)
    return nodeid if path in SPREAD else path


def order(items: list[Any]) -> None:
    """Put ``items`` in the order the processes are to take them: the slow modules, the
    others by their number of tests, then the tests of :data:`SPREAD`."""
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(module(item.nodeid), []).append(item)

    def rank(path: str) -> tuple[int, int, int]:
        its = groups[path]
        if path in SPREAD:
            return (3, 0, 0)
        if path in FIRST:
            return (0, FIRST.index(path), 0)
        if any(i.get_closest_marker(m) for i in its for m in SLOW):
            return (1, 0, -len(its))
        return (2, 0, -len(its))

    items[:] = [i for path in sorted(groups, key=rank) for i in groups[path]]  # stable


class Modules(LoadScopeScheduling):
    """Each module one unit of work, or each test one in :data:`SPREAD`; handed out in the
    order of collection (:func:`order`), not by the number of tests."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False

    def _split_scope(self, nodeid: str) -> str:
        return scope(nodeid)
