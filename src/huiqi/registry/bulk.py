"""How an import writes: a batch of rows at a time, set by set, in SQL (SQLite and PostgreSQL).

A batch of checked rows (one tuple per row of the file: its line, credit code, name,
district, park, kind, industry, then the stored text of each fact column — the value's
text, or a number's exact text as SQLite keeps it) is put in a temporary table (one
many-row statement on SQLite, ``COPY`` on PostgreSQL); then a few statements do the rest
inside the database:

1. the entity of each code is looked up (the unique index of the codes);
2. a new code without a name is a problem (nothing written);
3. the rows of existing entities that would change anything — a fact whose value in force
   is not the same, a name, kind, district or park — are found; the others are
   unchanged, and counted;
4. new entities, their locations, their facts (one statement turning the columns into
   rows, entity by entity) and their ``fact_change`` rows are inserted;
5. the rows found in 3 are handed back to the caller, which writes them the careful way
   (exact comparison of numbers — ``1.0`` is ``1`` —, moves, the push outbox's values
   before), after the new ones as the row-by-row writer orders them.

So a first import does not build a Python object per value, and a re-import that changes
nothing compares in SQL, each value found through the facts' index.

The statements are the same on both databases but for what :class:`Dialect` names: the
temporary tables' names, the parameter mark, null-safe comparison, how a number's text
is read (SQLite keeps the text; PostgreSQL's ``NUMERIC`` reads it, keeping its scale:
``12000000.50`` stays ``12000000.50``), how a batch is emptied (PostgreSQL's ``DELETE``
would leave the dead rows of every batch for the next to scan), how the rows get in, and
how the new entities' ids are found. On PostgreSQL (:class:`PostgresBulk`) the batch's codes
are looked up and the new ones' ids taken from the entities' sequence, in the order of the
file, before the rows are copied in (``COPY``) each with its entity: the rows' table is
never updated (an update writes a new version of each of its wide rows), and a new code
without a name is found before anything is copied. JIT is off for the import's transaction
(the planner, without statistics of the temporary tables, could otherwise compile a
batch's statement, ~0.4 s each, for a few thousand rows).

A large import on PostgreSQL checks its foreign keys once, not row by row
(:class:`PostgresBulk`, ``lock_after``): PostgreSQL checks each new row of ``fact_value``,
``entity_location`` and ``fact_change`` against ``entity`` and ``import_batch`` with a query
and a row lock of its own — over half of the server's work in a first import. Once the
import has seen ``lock_after`` rows and is about to insert new entities' rows, the foreign
keys of those three tables are dropped, inside the import's transaction; before it commits
(:meth:`Bulk.finish`) they are added back with the same names and definitions, which checks
every row of the tables in one query each. Dropping them locks the three tables and the two
they refer to (``ACCESS EXCLUSIVE``) until the import ends: other transactions cannot read
the entities meanwhile, which is why only a large import does it, and only when asked
(the setting ``import_lock_after_rows``, 0 — never — by default). Only the tables' owner
may drop them: where the service's role does not own the tables (docs/deploy.md), and when
the lock cannot be had within ``lock_timeout_ms`` (a reader holds it), the import goes on
checked row by row. A row that refers to nothing stops the import with
:class:`huiqi.errors.Conflict` (``import.reference``) and nothing is kept; an import that
fails or is rolled back for any reason leaves the foreign keys as they were (PostgreSQL's
DDL is transactional).

With the foreign keys, as ``pg_restore`` does, such an import drops the secondary indexes
(neither unique nor a primary key: the facts' key index, the places' and changes' entity
index, the entities' district, industry and kind) of those tables that held no row when it
began (:attr:`PostgresBulk.empty`: a first import), and builds each again in one pass before
it commits, instead of inserting into it row by row. The codes' unique index and the primary
keys stay. Should a later batch of the same import meet rows of entities already written
(a code repeated in the file), the indexes are built again first, as the comparison with
the facts in force reads them. Rolled back, the indexes are the ones before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from huiqi.errors import Conflict

#: the leading cells of a row; the fact columns follow
HEAD = ("n", "code", "name", "district", "park", "kind", "industry")


@dataclass(frozen=True)
class Dialect:
    """What differs between the two databases' statements (see the module)."""

    #: the temporary tables: the rows of a batch, the fact columns
    row: str
    col: str
    #: a bound parameter
    mark: str
    #: null-safe "is the same as" and "is not the same as"
    same: str
    differs: str
    #: a column's text as the number ``value_number`` keeps (``{}``: the column)
    number: str
    #: empties the rows' table between batches (``{}``: its name)
    clear: str
    #: the type of an entity id, and of a flag
    key: str


SQLITE = Dialect(row="temp.huiqi_import_row", col="temp.huiqi_import_col", mark="?",
                 same="IS", differs="IS NOT", number="{}", clear="DELETE FROM {}",
                 key="INTEGER")
POSTGRESQL = Dialect(row="pg_temp.huiqi_import_row", col="pg_temp.huiqi_import_col",
                     mark="%s", same="IS NOT DISTINCT FROM", differs="IS DISTINCT FROM",
                     number="CAST({} AS NUMERIC)", clear="TRUNCATE {}", key="BIGINT")


class Bulk:
    """Writes batches of rows (see the module) on one connection, in its transaction;
    ``facts``: each fact column's (fact, year, is a number). Use :func:`bulk_writer`."""

    sql: Dialect = SQLITE

    def __init__(self, conn: Connection, facts: Sequence[tuple[str, int, bool]], *,
                 source: str, batch_id: int, at: Any, day: Any, by: str,
                 lock_after: int = 0, lock_timeout_ms: int = 2000) -> None:
        self.conn, self.facts = conn, list(facts)
        self.source, self.batch_id, self.at, self.day, self.by = source, batch_id, at, day, by
        #: PostgreSQL: the rows seen before the foreign keys are checked at the end (0: never)
        self.lock_after, self.lock_timeout_ms = lock_after, lock_timeout_ms
        #: the rows written so far
        self.seen = 0
        d = self.sql
        self.values = values = [f"s{i}" for i in range(len(self.facts))]
        run = conn.exec_driver_sql
        self.close()
        run(f"CREATE TEMP TABLE huiqi_import_row (n INTEGER PRIMARY KEY, code TEXT, name TEXT, "
            f"district TEXT, park TEXT, kind TEXT, industry TEXT, eid {d.key}, "
            f"fresh INTEGER NOT NULL DEFAULT 0{''.join(f', {v} TEXT' for v in values)})")
        run("CREATE TEMP TABLE huiqi_import_col (i INTEGER PRIMARY KEY, fact TEXT, year INTEGER,"
            " num INTEGER)")
        if self.facts:
            run(f"INSERT INTO {d.col} VALUES ({', '.join([d.mark] * 4)})",
                [(i, f, y, int(num)) for i, (f, y, num) in enumerate(self.facts)])
        self.columns = (*HEAD, *values)
        self.changed_sql = self._changed_sql()
        pick = " ".join(f"WHEN {i} THEN r.{v}" for i, v in enumerate(values))
        self.value = f"CASE c.i {pick} END" if values else "NULL"
        self.any_fact = " OR ".join(f"r.{v} IS NOT NULL" for v in values) or "1 = 0"

    def _changed_sql(self) -> tuple[str, list[Any]]:
        """The lines of the rows of existing entities that would change something."""
        d = self.sql
        tests = [f"(r.{k} IS NOT NULL AND r.{k} {d.differs} e.{k})"
                 for k in ("name", "kind", "district", "park")]
        params: list[Any] = []
        for v, (fact, year, num) in zip(self.values, self.facts, strict=True):
            same = (f"f.value_text IS NULL AND f.value_number {d.same} "
                    f"{d.number.format('r.' + v)}" if num
                    else f"f.value_number IS NULL AND f.value_text {d.same} r.{v}")
            # the value in force: the last row of its key, found in the index
            tests.append(f"(r.{v} IS NOT NULL AND (SELECT {same} FROM fact_value f "
                         f"WHERE f.entity_id = r.eid AND f.fact = {d.mark} "
                         f"AND f.year = {d.mark} ORDER BY f.id DESC LIMIT 1) IS NOT TRUE)")
            params += [fact, year]
        return (f"SELECT r.n FROM {d.row} r JOIN entity e ON e.id = r.eid "
                f"WHERE r.fresh = 0 AND ({' OR '.join(tests)}) ORDER BY r.n", params)

    def write(self, rows: Sequence[tuple[Any, ...]],
              nameless: Callable[[list[int]], None],
              careful: Callable[[list[tuple[Any, ...]]], None]) -> tuple[int, int, int]:
        """Write one batch (codes distinct); ``nameless`` is told the lines of new codes
        without a name (then nothing is written), ``careful`` is given the rows of existing
        entities that change something. Returns (entities created, unchanged, facts)."""
        run = self.conn.exec_driver_sql
        self.seen += len(rows)
        missing, existing = self._place(rows)
        if missing:
            nameless(missing)
            return 0, 0, 0
        if existing:
            self._existing()
        sql, params = self.changed_sql
        # (only if any: PostgreSQL may hash every entity for the join, even for no row)
        changed = [n for (n,) in run(sql, tuple(params))] if existing else []
        created, facts = self._create()
        if changed:  # (after the new ones, as the row-by-row writer orders them)
            by_line = {r[0]: r for r in rows}
            careful([by_line[n] for n in changed])
        return created, int(existing) - len(changed), facts

    def _place(self, rows: Sequence[tuple[Any, ...]]) -> tuple[list[int], int]:
        """The batch into the rows' table, each row's entity found (``eid``); the lines of
        new codes without a name, and how many rows have an entity."""
        run, d = self.conn.exec_driver_sql, self.sql
        run(d.clear.format(d.row))
        self._load(rows)
        self._find()
        missing = [n for (n,) in run(f"SELECT n FROM {d.row} WHERE eid IS NULL AND name IS NULL "
                                     "ORDER BY n")]
        existing = run(f"SELECT count(*) FROM {d.row} WHERE eid IS NOT NULL").scalar_one()
        return missing, int(existing)

    def _find(self) -> None:
        """Each row's entity, by its code (the codes' unique index)."""
        self.conn.exec_driver_sql(f"UPDATE {self.sql.row} AS r SET eid = (SELECT e.id FROM "
                                  "entity e WHERE e.credit_code = r.code)")

    def _load(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """The batch's rows into the (empty) rows' table."""
        marks = ", ".join([self.sql.mark] * len(self.columns))
        self.conn.exec_driver_sql(
            f"INSERT INTO {self.sql.row} ({', '.join(self.columns)}) VALUES ({marks})",
            list(rows))

    def _entities(self) -> int:
        """Insert the new entities, in the order of the file; mark their rows ``fresh``
        with their ids. How many."""
        run, d, at = self.conn.exec_driver_sql, self.sql, self.at
        created = run(f"{self._new_entities()} ORDER BY n", (at, at)).rowcount
        if created:
            run(f"UPDATE {d.row} AS r SET fresh = 1, eid = (SELECT e.id FROM entity e "
                "WHERE e.credit_code = r.code) WHERE eid IS NULL")
        return int(created)

    def _new_entities(self) -> str:
        m = self.sql.mark
        return ("INSERT INTO entity (credit_code, name, kind, district, park, industry, "
                "revision, created_at, updated_at) SELECT code, coalesce(name, code), "
                f"coalesce(kind, 'enterprise'), district, park, industry, 1, {m}, {m} "
                f"FROM {self.sql.row} WHERE eid IS NULL")

    def _create(self) -> tuple[int, int]:
        created = self._entities()
        if not created:
            return 0, 0
        self._references()
        run, d = self.conn.exec_driver_sql, self.sql
        m = d.mark
        run("INSERT INTO entity_location (entity_id, district, park, valid_from, valid_to, "
            f"batch_id, recorded_at, recorded_by) SELECT eid, district, park, {m}, NULL, {m}, "
            f"{m}, {m} FROM {d.row} WHERE fresh = 1 AND (district IS NOT NULL OR park IS NOT "
            "NULL) ORDER BY eid", (self.day, self.batch_id, self.at, self.by))
        facts = 0
        if self.facts:
            facts = run(
                "INSERT INTO fact_value (entity_id, fact, year, value_text, value_number, "
                "source, batch_id, recorded_at, recorded_by) "
                f"SELECT r.eid, c.fact, c.year, CASE WHEN c.num = 0 THEN {self.value} END,"
                f" CASE WHEN c.num <> 0 THEN {d.number.format(self.value)} END, {m}, {m}, {m},"
                f" {m} FROM {d.row} r CROSS JOIN {d.col} c "
                f"WHERE r.fresh = 1 AND ({self.value}) IS NOT NULL ORDER BY r.eid, c.i",
                (self.source, self.batch_id, self.at, self.by)).rowcount
            # the push worker's queue: a new enterprise had nothing before
            run("INSERT INTO fact_change (entity_id, before, source, at) "
                f"SELECT r.eid, '\"nothing\"', {m}, {m} FROM {d.row} r "
                f"WHERE r.fresh = 1 AND ({self.any_fact}) ORDER BY r.eid",
                (self.source[:32], self.at))
        return created, int(facts)

    def _references(self) -> None:
        """Before new entities' rows are inserted (see :class:`PostgresBulk`)."""

    def _existing(self) -> None:
        """Before the rows of existing entities are compared (see :class:`PostgresBulk`)."""

    def finish(self) -> None:
        """Before the import's transaction commits (see :class:`PostgresBulk`)."""

    def close(self) -> None:
        run, d = self.conn.exec_driver_sql, self.sql
        run(f"DROP TABLE IF EXISTS {d.row}")
        run(f"DROP TABLE IF EXISTS {d.col}")


class SqliteBulk(Bulk):
    """The bulk writer on SQLite."""

    sql = SQLITE


#: the tables whose foreign keys a large import on PostgreSQL checks at its end
REFERENCING = ("entity_location", "fact_change", "fact_value")
_SAVEPOINT = "huiqi_import_references"
#: PostgreSQL's errors of a lock not had in time, and of a deadlock
_LOCK_ERRORS = ("55P03", "40P01")
_KEY = re.compile(r"Key \((?P<column>.+?)\)=\((?P<value>.*?)\) is not present in table "
                  r'"(?P<target>[^"]+)"')


class PostgresBulk(Bulk):
    """The bulk writer on PostgreSQL: a batch copied in (``COPY``) with each row's entity,
    the new ones' ids taken from the sequence first; a large import's foreign keys checked
    once, and a first import's secondary indexes built once, at its end (see the module)."""

    sql = POSTGRESQL
    #: the foreign keys dropped (table, quoted name, definition), to be added back
    dropped: list[tuple[str, str, str]] | None = None
    #: the lock was not had in time: rows are checked one by one to the end
    refused = False
    #: the secondary indexes dropped (name, definition), to be built again
    indexes: list[tuple[str, str]] | None = None

    def __init__(self, conn: Connection, facts: Sequence[tuple[str, int, bool]], *,
                 source: str, batch_id: int, at: Any, day: Any, by: str,
                 lock_after: int = 0, lock_timeout_ms: int = 2000) -> None:
        super().__init__(conn, facts, source=source, batch_id=batch_id, at=at, day=day, by=by,
                         lock_after=lock_after, lock_timeout_ms=lock_timeout_ms)
        run = conn.exec_driver_sql
        # the planner's guesses for tables never analysed could have a batch's statement
        # compiled by JIT (~0.4 s each), for a few thousand rows: the columns' table is
        # analysed (it does not change), and JIT is off to the end of the transaction
        run(f"ANALYZE {self.sql.col}")
        run("SELECT set_config('jit', 'off', true)")
        #: the tables empty when the import began: a large import builds their secondary
        #: indexes once at its end (see the module)
        self.empty = tuple(t for t in (*REFERENCING, "entity") if not run(
            f"SELECT EXISTS (SELECT 1 FROM {t})").scalar_one())
        #: the sequence of the entities' ids
        self.ids = run("SELECT pg_get_serial_sequence('entity', 'id')").scalar_one()
        #: the rows copied in: the row's cells, its entity, whether that is new
        self.copied = (*HEAD, *self.values, "eid", "fresh")

    def _references(self) -> None:
        if (self.dropped is not None or self.refused or self.lock_after <= 0
                or self.seen < self.lock_after):
            return
        run = self.conn.exec_driver_sql
        if not run("SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c "
                   "WHERE c.oid = ANY (CAST(%s AS regclass[]))",
                   (list(REFERENCING),)).scalar_one():
            self.refused = True  # (not the tables' owner: the service role of a deployment)
            return
        before = run("SELECT current_setting('lock_timeout')").scalar_one()
        run(f"SAVEPOINT {_SAVEPOINT}")
        try:
            run(f"SET LOCAL lock_timeout = {int(self.lock_timeout_ms)}")
            keys = [(str(t), str(n), str(d)) for t, n, d in run(
                "SELECT c.conrelid::regclass::text, quote_ident(c.conname), "
                "pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.contype = 'f' "
                "AND c.conrelid = ANY (CAST(%s AS regclass[])) ORDER BY 1, 2",
                (list(REFERENCING),))]
            for table in sorted({t for t, _, _ in keys}):
                run(f"ALTER TABLE {table} " + ", ".join(
                    f"DROP CONSTRAINT {n}" for t, n, _ in keys if t == table))
            indexes = self._drop_indexes()  # (under the same lock timeout)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in _LOCK_ERRORS:
                raise
            run(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            self.refused = True
        else:
            self.dropped, self.indexes = keys, indexes
        run(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        run("SELECT set_config('lock_timeout', %s, true)", (before,))

    def _drop_indexes(self) -> list[tuple[str, str]]:
        """Drop the secondary indexes (neither unique nor a primary key) of the tables that
        were empty when the import began (:attr:`empty`); their names and definitions."""
        run, empty = self.conn.exec_driver_sql, list(self.empty)
        if not empty:
            return []
        found = [(str(n), str(d)) for n, d in run(
            "SELECT quote_ident(i.relname), pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE NOT x.indisunique "
            "AND x.indrelid = ANY (CAST(%s AS regclass[])) ORDER BY 1", (empty,))]
        for n, _ in found:
            run(f"DROP INDEX {n}")
        return found

    def _build_indexes(self) -> None:
        """Build again the indexes dropped, each from the table's rows in one pass."""
        indexes, self.indexes = self.indexes, None
        for _, definition in indexes or ():
            self.conn.exec_driver_sql(definition)

    def _existing(self) -> None:
        # rows of entities already written: their facts are looked up through the index
        self._build_indexes()

    def finish(self) -> None:
        """Add back the foreign keys dropped, each checking every row of its table in one
        query; a row that refers to nothing raises :class:`Conflict` (the caller rolls the
        transaction back)."""
        dropped, self.dropped = self.dropped, None
        self._build_indexes()
        for table, name, definition in dropped or ():
            try:
                self.conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} "
                                          f"{definition}")
            except IntegrityError as exc:
                diag = getattr(exc.orig, "diag", None)
                found = _KEY.search(getattr(diag, "message_detail", None) or "")
                raise Conflict("import.reference", table=table,
                               column=found["column"] if found else "?",
                               value=found["value"] if found else "?",
                               target=found["target"] if found else "?") from None

    def _place(self, rows: Sequence[tuple[Any, ...]]) -> tuple[list[int], int]:
        # the entities of the codes found first (the codes' unique index), and ids for the
        # new ones taken from the sequence, in the order of the file: each row is copied in
        # with its entity, and the rows' table is never updated (which would write a new
        # version of each row). Each code is looked up in a subquery of its own, so that
        # PostgreSQL cannot choose to read every entity to hash them, as its statistics may
        # have it do; the ids come back in one array (NULL: not found), as the new ones do,
        # through the driver's own cursor
        raw: Any = self.conn.connection.driver_connection
        with raw.cursor() as cur:
            codes = [r[1] for r in rows]
            found = cur.execute(
                "SELECT array_agg((SELECT e.id FROM entity e WHERE e.credit_code = x.code) "
                "ORDER BY x.i) FROM unnest(CAST(%s AS text[])) WITH ORDINALITY AS x(code, i)",
                (codes,)).fetchone()
            known: dict[str, int] = {
                c: i for c, i in zip(codes, found[0], strict=True) if i is not None}
            missing = [r[0] for r in rows if r[2] is None and r[1] not in known]
            if missing:
                return missing, len(known)
            new = len(rows) - len(known)  # (the codes of a batch are distinct)
            ids: Any = ()
            if new:
                ids = cur.execute("SELECT array_agg(nextval(%s)) FROM generate_series(1, %s)",
                                  (self.ids, new)).fetchone()
            cur.execute(f"TRUNCATE {self.sql.row}")
            fresh = iter(sorted(ids[0]) if ids else ())
            with cur.copy(f"COPY {self.sql.row} ({', '.join(self.copied)}) FROM STDIN") as copy:
                for r in rows:
                    eid = known.get(r[1])
                    copy.write_row(r + ((next(fresh), 1) if eid is None else (eid, 0)))
        return [], len(known)

    def _entities(self) -> int:
        return int(self.conn.exec_driver_sql(
            "INSERT INTO entity (id, credit_code, name, kind, district, park, industry, "
            "revision, created_at, updated_at) SELECT eid, code, coalesce(name, code), "
            "coalesce(kind, 'enterprise'), district, park, industry, 1, %s, %s FROM "
            f"{self.sql.row} WHERE fresh = 1 ORDER BY n", (self.at, self.at)).rowcount)


def bulk_writer(conn: Connection, facts: Sequence[tuple[str, int, bool]], *, source: str,
                batch_id: int, at: Any, day: Any, by: str, lock_after: int = 0,
                lock_timeout_ms: int = 2000) -> Bulk:
    """The bulk writer of the connection's database (``lock_after``, ``lock_timeout_ms``:
    PostgreSQL's, see the module)."""
    kind = PostgresBulk if conn.dialect.name == "postgresql" else SqliteBulk
    return kind(conn, facts, source=source, batch_id=batch_id, at=at, day=day, by=by,
                lock_after=lock_after, lock_timeout_ms=lock_timeout_ms)
