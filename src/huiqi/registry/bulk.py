"""How an import writes on SQLite: a batch of rows at a time, set by set, in SQL.

A batch of checked rows (one tuple per row of the file: its line, credit code, name,
district, park, kind, industry, then the stored text of each fact column — the value's
text, or a number's exact text as SQLite keeps it) is put in a temporary table with one
many-row statement; then a few statements do the rest inside SQLite:

1. the entity of each code is looked up (the unique index of the codes);
2. a new code without a name is a problem (nothing written);
3. the rows of existing entities that would change anything — a fact whose value in force
   is not the same text, a name, kind, district or park — are found; the others are
   unchanged, and counted;
4. new entities, their locations, their facts (one statement turning the columns into
   rows, entity by entity) and their ``fact_change`` rows are inserted;
5. the rows found in 3 are handed back to the caller, which writes them the careful way
   (exact comparison of numbers — ``1.0`` is ``1`` —, moves, the push outbox's values
   before), after the new ones as the row-by-row writer orders them.

So a first import does not build a Python object per value, and a re-import that changes
nothing compares in SQL, each value found through the facts' index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

#: the leading cells of a row; the fact columns follow
HEAD = ("n", "code", "name", "district", "park", "kind", "industry")
ROW = "temp.huiqi_import_row"
COL = "temp.huiqi_import_col"


class SqliteBulk:
    """Writes batches of rows (see the module) on one SQLite connection, in its
    transaction; ``facts``: each fact column's (fact, year, is a number)."""

    def __init__(self, conn: Connection, facts: Sequence[tuple[str, int, bool]], *,
                 source: str, batch_id: int, at: Any, day: Any, by: str) -> None:
        self.conn, self.facts = conn, list(facts)
        self.source, self.batch_id, self.at, self.day, self.by = source, batch_id, at, day, by
        k = len(self.facts)
        values = [f"s{i}" for i in range(k)]
        self.values = values
        run = conn.exec_driver_sql
        run(f"DROP TABLE IF EXISTS {ROW}")
        run(f"DROP TABLE IF EXISTS {COL}")
        run(f"CREATE TEMP TABLE huiqi_import_row (n INTEGER PRIMARY KEY, code TEXT, name TEXT, "
            f"district TEXT, park TEXT, kind TEXT, industry TEXT, eid INTEGER, "
            f"fresh INTEGER NOT NULL DEFAULT 0{''.join(f', {v}' for v in values)})")
        run("CREATE TEMP TABLE huiqi_import_col (i INTEGER PRIMARY KEY, fact TEXT, year INTEGER,"
            " num INTEGER)")
        if self.facts:
            run(f"INSERT INTO {COL} VALUES (?, ?, ?, ?)",
                [(i, f, y, int(num)) for i, (f, y, num) in enumerate(self.facts)])
        marks = ", ".join(["?"] * (len(HEAD) + k))
        self.insert = (f"INSERT INTO {ROW} ({', '.join([*HEAD, *values])}) VALUES ({marks})")
        self.changed_sql = self._changed_sql()
        pick = " ".join(f"WHEN {i} THEN r.{v}" for i, v in enumerate(values))
        self.value = f"CASE c.i {pick} END" if values else "NULL"
        self.any_fact = " OR ".join(f"r.{v} IS NOT NULL" for v in values) or "0"

    def _changed_sql(self) -> tuple[str, list[Any]]:
        """The lines of the rows of existing entities that would change something."""
        tests = ["(r.name IS NOT NULL AND r.name IS NOT e.name)",
                 "(r.kind IS NOT NULL AND r.kind IS NOT e.kind)",
                 "(r.district IS NOT NULL AND r.district IS NOT e.district)",
                 "(r.park IS NOT NULL AND r.park IS NOT e.park)"]
        params: list[Any] = []
        for v, (fact, year, num) in zip(self.values, self.facts, strict=True):
            same = (f"f.value_text IS NULL AND f.value_number IS r.{v}" if num
                    else f"f.value_number IS NULL AND f.value_text IS r.{v}")
            # the value in force: the last row of its key, found in the index
            tests.append(f"(r.{v} IS NOT NULL AND (SELECT {same} FROM fact_value f "
                         "WHERE f.entity_id = r.eid AND f.fact = ? AND f.year = ? "
                         "ORDER BY f.id DESC LIMIT 1) IS NOT 1)")
            params += [fact, year]
        return (f"SELECT r.n FROM {ROW} r JOIN entity e ON e.id = r.eid "
                f"WHERE r.fresh = 0 AND ({' OR '.join(tests)}) ORDER BY r.n", params)

    def write(self, rows: Sequence[tuple[Any, ...]],
              nameless: Callable[[list[int]], None],
              careful: Callable[[list[tuple[Any, ...]]], None]) -> tuple[int, int, int]:
        """Write one batch (codes distinct); ``nameless`` is told the lines of new codes
        without a name (then nothing is written), ``careful`` is given the rows of existing
        entities that change something. Returns (entities created, unchanged, facts)."""
        run = self.conn.exec_driver_sql
        run(f"DELETE FROM {ROW}")
        run(self.insert, list(rows))
        run(f"UPDATE {ROW} AS r SET eid = (SELECT e.id FROM entity e "
            "WHERE e.credit_code = r.code)")
        missing = [n for (n,) in run(f"SELECT n FROM {ROW} WHERE eid IS NULL AND name IS NULL "
                                     "ORDER BY n")]
        if missing:
            nameless(missing)
            return 0, 0, 0
        sql, params = self.changed_sql
        changed = [n for (n,) in run(sql, tuple(params))]
        existing = run(f"SELECT count(*) FROM {ROW} WHERE eid IS NOT NULL").scalar_one()
        created, facts = self._create()
        if changed:  # (after the new ones, as the row-by-row writer orders them)
            by_line = {r[0]: r for r in rows}
            careful([by_line[n] for n in changed])
        return created, int(existing) - len(changed), facts

    def _create(self) -> tuple[int, int]:
        run = self.conn.exec_driver_sql
        at = self.at
        created = run(
            "INSERT INTO entity (credit_code, name, kind, district, park, industry, revision, "
            "created_at, updated_at) SELECT code, coalesce(name, code), "
            "coalesce(kind, 'enterprise'), district, park, industry, 1, ?, ? "
            f"FROM {ROW} WHERE eid IS NULL ORDER BY n", (at, at)).rowcount
        if not created:
            return 0, 0
        run(f"UPDATE {ROW} AS r SET fresh = 1, eid = (SELECT e.id FROM entity e "
            "WHERE e.credit_code = r.code) WHERE eid IS NULL")
        run("INSERT INTO entity_location (entity_id, district, park, valid_from, valid_to, "
            "batch_id, recorded_at, recorded_by) SELECT eid, district, park, ?, NULL, ?, ?, ? "
            f"FROM {ROW} WHERE fresh = 1 AND (district IS NOT NULL OR park IS NOT NULL) "
            "ORDER BY eid", (self.day, self.batch_id, at, self.by))
        facts = 0
        if self.facts:
            facts = run(
                "INSERT INTO fact_value (entity_id, fact, year, value_text, value_number, "
                "source, batch_id, recorded_at, recorded_by) "
                f"SELECT r.eid, c.fact, c.year, CASE WHEN c.num THEN NULL ELSE {self.value} END,"
                f" CASE WHEN c.num THEN {self.value} END, ?, ?, ?, ? "
                f"FROM {ROW} r CROSS JOIN {COL} c "
                f"WHERE r.fresh = 1 AND ({self.value}) IS NOT NULL ORDER BY r.eid, c.i",
                (self.source, self.batch_id, at, self.by)).rowcount
            # the push worker's queue: a new enterprise had nothing before
            run("INSERT INTO fact_change (entity_id, before, source, at) "
                f"SELECT r.eid, '\"nothing\"', ?, ? FROM {ROW} r "
                f"WHERE r.fresh = 1 AND ({self.any_fact}) ORDER BY r.eid",
                (self.source[:32], at))
        return created, facts

    def close(self) -> None:
        run = self.conn.exec_driver_sql
        run(f"DROP TABLE IF EXISTS {ROW}")
        run(f"DROP TABLE IF EXISTS {COL}")
