"""The compact (wide) form of a match, and its turning into the long results.

:meth:`MatchQuery.build_wide <huiqi.population.query.MatchQuery.build_wide>` gives one row
per enterprise with, per clause, a status code, the amount and the potential amount, the
failed conditions and the missing facts as bit masks, and one gap column per comparison.
That is what the database computes fastest: no lists, no structs, no strings per row.
On DuckDB the row holds less still (issue 18): what the reader can derive exactly is left
out of it — a constant amount (``@fixed:``), a failed condition or a missing fact that the
status says (``@status:``), the gap of an input column against a constant (``@gap:``, from
that column, the failed bit and the registration flag) — and the clauses' bits share words.
:func:`to_long` turns such rows into the long results (one row per enterprise and clause,
the columns of :data:`~huiqi.population.query.OUTPUT_COLUMNS`) with whole-array numpy
operations — the same values, exactly, as :meth:`MatchQuery.build` computes in SQL.

A large pack is matched in *chunks* of clauses (:func:`chunks`), one query each: the
database plans a query in time that grows faster than its size, and a chunk of a few
dozen clauses plans in a fraction of a second. Clauses that share a stacking group are
always in the same chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huiqi.rules.model import ClauseSpec, Pack

from .query import FROM_STATUS, GAP_DERIVED, GAP_PLACES, WideClause, derived_gap, fixed_amount

#: clauses per compact query: at 50 the 1,000-clause pack ran 15% faster (statuses) and 10%
#: (every output) than at 25, for a third more memory; at 100 little faster for twice the
#: memory (bench.chunk_workers --sizes, bench/RESULTS.md 20:47)
CHUNK = 50
STATUS_NAMES = ("not_eligible", "eligible", "undetermined", "needs_review")  # by status code
_STATUS = pa.array(STATUS_NAMES)
_GAP = pa.struct([("condition", pa.string()), ("shortfall", pa.decimal128(38, 6))])
Part = tuple[Any, list[WideClause]]   # a wide table (or record batch) and where its clauses are


def chunks(pack: Pack, clauses: Sequence[ClauseSpec] | None = None, size: int = CHUNK
           ) -> list[list[ClauseSpec]]:
    """The clauses (all of the pack's by default) in chunks of about ``size``, in pack order;
    the clauses of a stacking group are kept together (a chunk may then be larger)."""
    chosen = list(clauses) if clauses is not None else pack.clauses()
    keys = [c.key for c in chosen]
    parent = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for g in pack.groups:
        members = [k for k in g.clauses if k in parent]
        for other in members[1:]:
            parent[root(other)] = root(members[0])
    components: dict[str, list[ClauseSpec]] = {}
    for c in chosen:
        components.setdefault(root(c.key), []).append(c)
    out: list[list[ClauseSpec]] = []
    current: list[ClauseSpec] = []
    for comp in components.values():   # in order of each component's first clause
        if current and len(current) + len(comp) > size:
            out.append(current)
            current = []
        current = current + comp
    if current:
        out.append(current)
    return out


# ---------------------------------------------------------------------- to the long form

def _col(table: Any, name: str) -> Any:
    col = table.column(name)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _money(table: Any, name: str | None, n: int, status: Any = None) -> Any:
    """An amount column of a clause, or NULLs where the clause has none (a title; a potential
    amount the lean query did not compute); a constant amount (``@fixed:``) where ``status``
    (the clause's codes) is not 0."""
    if name is None:
        return pa.nulls(n, _MONEY)
    fixed = fixed_amount(name)
    if fixed is not None:
        value = pa.scalar(Decimal(fixed), _MONEY)
        return pc.if_else(pc.not_equal(status, 0), value, pa.scalar(None, _MONEY))
    return _col(table, name)


_MONEY = pa.decimal128(38, 2)


def clause_amounts(table: Any, wc: WideClause) -> tuple[Any, Any]:
    """One clause's amounts and potential amounts (decimal128(38, 2), NULL where none) from
    compact rows, as the long form has them."""
    n = table.num_rows
    status = _col(table, wc.status)
    amount = pc.if_else(pc.equal(status, 1), _money(table, wc.amount, n, status),
                        pa.scalar(None, _MONEY))
    return amount, _money(table, wc.potential, n, status)


def _decimal_words(arr: Any, n: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The 16-byte values (as pairs of int64) and the validity of a decimal128 array."""
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    data = arr.buffers()[1]
    if data is None:
        return np.zeros((n, 2), np.int64), valid
    words = np.frombuffer(data, np.int64).reshape(-1, 2)[arr.offset:arr.offset + n]
    return words, valid


def _decimal_array(words: np.ndarray[Any, Any], valid: np.ndarray[Any, Any], type_: Any) -> Any:
    total = len(valid)
    nulls = int(total - np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(type_, total, [bitmap, pa.py_buffer(np.ascontiguousarray(words))],
                                 null_count=nulls)


_SMALL = 12   # a clause with at most this many named bits gets its lists by lookup
_IDS = pa.list_(pa.int32())


def _mask_values(t: Any, col: str, status: str) -> Any:
    """The integers of a mask column; for one read off the status (``@status:k``), 1 where
    the status column ``status`` is k."""
    if col.startswith(FROM_STATUS):
        codes = _col(t, status).to_numpy(zero_copy_only=False)
        return (codes == int(col[len(FROM_STATUS):])).astype(np.int64)
    return _col(t, col).to_numpy(zero_copy_only=False)


def _mask_list(t: Any, words: list[tuple[str, list[str]]], n: int, vocab: dict[str, int],
               status: str = "") -> Any:
    """list<int32> for one clause: the names (as indices into ``vocab``) of the set bits of its
    mask columns, in bit order. A mask word may be shared with other clauses: the bits of
    those before this one are named "" (the clause's own bits are the word shifted right past
    them, and cut above its last name)."""
    if len(words) == 1:
        col, ns = words[0]
        shift = len(ns) - len(own := [x for x in ns if x])
        assert ns[shift:] == own, "a clause's bits are together, after the others'"
        values = _mask_values(t, col, status)
        t = pa.table({"own": pa.array((values >> shift) & ((1 << len(own)) - 1))})
        words = [("own", own)]
    ids = [vocab.setdefault(name, len(vocab)) for _, ns in words for name in ns]
    if not ids:
        return pa.array([[]], _IDS).take(pa.array(np.zeros(n, np.int32)))
    if len(words) == 1 and len(ids) <= _SMALL:
        # every possible mask's list, then one lookup per row
        k = len(ids)
        table = pa.array([[ids[b] for b in range(k) if m >> b & 1] for m in range(1 << k)], _IDS)
        return table.take(_col(t, words[0][0]))
    present = np.concatenate(
        [((_col(t, col).to_numpy(zero_copy_only=False)[:, None] >> np.arange(len(ns), dtype=np.int64)) & 1)
         .astype(bool) for col, ns in words], axis=1)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    picked = np.asarray(ids, np.int32)[np.nonzero(present)[1]]
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(picked))


def _derived_gap(t: Any, spec: str, failed: Any, n: int) -> Any:
    """The gap column (decimal128(38, 6), NULL: no gap) of a gap the compact form derives
    (:data:`~huiqi.population.query.GapSpec`): |constant − column| where the condition failed
    (``failed``, booleans), the flag of a year before registration is not set and the column
    is not NULL — the same exact difference as the query's ``CAST(c AS DECIMAL(38,6)) -
    CAST(x AS DECIMAL(38,6))``."""
    derived = derived_gap(spec)
    assert derived is not None
    column, op, constant, flag = derived
    x = pc.cast(_col(t, column), pa.decimal128(37, GAP_PLACES))
    c = pa.scalar(Decimal(constant), pa.decimal128(37, GAP_PLACES))
    diff = (pc.subtract(c, x) if op in (">", ">=") else pc.subtract(x, c) if op in ("<", "<=")
            else pc.abs(pc.subtract(x, c)))
    ok = np.asarray(failed, bool) & x.is_valid().to_numpy(zero_copy_only=False)
    if flag:
        ok &= ~_col(t, flag).fill_null(False).to_numpy(zero_copy_only=False)
    return pc.if_else(pa.array(ok), pc.cast(diff, _GAP_TYPE), pa.scalar(None, _GAP_TYPE))


_GAP_TYPE = pa.decimal128(38, GAP_PLACES)


def _failed_bit(t: Any, words: list[tuple[str, list[str]]], cid: str, status: str) -> Any:
    """Where the condition ``cid`` failed, from the clause's failed-condition masks."""
    for col, ns in words:
        if cid in ns:
            values = _mask_values(t, col, status)
            return ((values >> ns.index(cid)) & 1).astype(bool)
    raise AssertionError(f"no failed bit for {cid}")


def _gap_list(t: Any, gaps: list[tuple[str, str]], n: int, vocab: dict[str, int],
              failed: list[tuple[str, list[str]]] | None = None, status: str = "") -> Any:
    """list<struct<condition (index into ``vocab``), shortfall>> for one clause from its gap
    columns (NULL: no gap); a derived gap computed from its input column and ``failed``, the
    clause's failed-condition masks."""
    if any(col.startswith(GAP_DERIVED) for _, col in gaps):
        extra = {f"__gap{i}": _derived_gap(t, col, _failed_bit(t, failed or [], cid, status), n)
                 for i, (cid, col) in enumerate(gaps) if col.startswith(GAP_DERIVED)}
        t = pa.table({**{name: _col(t, name) for _, name in gaps if not name.startswith(GAP_DERIVED)},
                      **extra})
        gaps = [(cid, f"__gap{i}" if col.startswith(GAP_DERIVED) else col)
                for i, (cid, col) in enumerate(gaps)]
    if not gaps:
        return pa.array([[]], pa.list_(_GAP_IDS)).take(pa.array(np.zeros(n, np.int32)))
    ids = np.array([vocab.setdefault(cid, len(vocab)) for cid, _ in gaps], np.int32)
    if len(gaps) == 1:
        words, present = _decimal_words(_col(t, gaps[0][1]), n)
        rows = np.flatnonzero(present)
        which: np.ndarray[Any, Any] = np.zeros(len(rows), np.int64)
        picked = words[rows]
        counts = present
    else:
        data = np.empty((n, len(gaps), 2), np.int64)
        mask = np.empty((n, len(gaps)), bool)
        for i, (_, col) in enumerate(gaps):
            data[:, i], mask[:, i] = _decimal_words(_col(t, col), n)
        rows, which = np.nonzero(mask)
        picked = data[rows, which]
        counts = mask.sum(axis=1)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    shortfalls = _decimal_array(picked, np.ones(len(rows), bool), pa.decimal128(38, 6))
    return pa.ListArray.from_arrays(pa.array(offsets), pa.StructArray.from_arrays(
        [pa.array(ids[which]), shortfalls], fields=list(_GAP_IDS)))


_GAP_IDS = pa.struct([("condition", pa.int32()), ("shortfall", pa.decimal128(38, 6))])


def _named(lists: Any, vocab: dict[str, int]) -> Any:
    """list<int32> → list<string>, by the vocabulary."""
    names = pa.array(list(vocab), pa.string())
    return pa.ListArray.from_arrays(lists.offsets, names.take(lists.flatten()))


def _named_gaps(lists: Any, vocab: dict[str, int]) -> Any:
    names = pa.array(list(vocab), pa.string())
    flat = lists.flatten()
    values = pa.StructArray.from_arrays([names.take(flat.field("condition")), flat.field("shortfall")],
                                        fields=list(_GAP))
    return pa.ListArray.from_arrays(lists.offsets, values)


def to_long(parts: list[Part], id_column: str = "id", dictionary: bool = False) -> Any:
    """The long results (one row per enterprise and clause; enterprise by enterprise, each
    enterprise's clauses in pack order) of wide rows: ``parts`` are the tables of one or more
    chunks over the same enterprises in the same order, each with its layout.

    Every column is built clause by clause (a lookup among the few possible lists of a
    clause's failed conditions or missing facts; the gaps from the gap columns), with
    names as small integers; the clauses are concatenated, put in enterprise order by one
    gather, and the names put in last. With ``dictionary``, the enterprise id, the clause
    and the status are dictionary-encoded (the same values; cheaper to build and to write)."""
    cols = sorted(((t, wc) for t, lay in parts for wc in lay), key=lambda x: x[1].index)
    n = parts[0][0].num_rows
    c = len(cols)
    order = pa.array((np.arange(c, dtype=np.int64)[None, :] * n
                      + np.arange(n, dtype=np.int64)[:, None]).ravel())

    def interleave(arrays: list[Any]) -> Any:
        return pa.concat_arrays(arrays).take(order)

    def coded(indices: Any, values: Any) -> Any:
        return pa.DictionaryArray.from_arrays(indices, values) if dictionary else values.take(indices)

    rows = pa.array(np.repeat(np.arange(n, dtype=np.int32), c))
    each = np.tile(np.arange(c, dtype=np.int32), n)
    vocab: dict[str, int] = {}
    failed = interleave([_mask_list(t, wc.failed, n, vocab, wc.status) for t, wc in cols])
    gaps = interleave([_gap_list(t, wc.gaps, n, vocab, wc.failed, wc.status) for t, wc in cols])
    missing = interleave([_mask_list(t, wc.missing, n, vocab, wc.status) for t, wc in cols])
    status = interleave([_col(t, wc.status) for t, wc in cols]).cast(pa.int8())
    # an amount column is read where the status is 1 only (it may be the potential amount's)
    amount = pc.if_else(pc.equal(status, 1),
                        interleave([_money(t, wc.amount, n, _col(t, wc.status)) for t, wc in cols]),
                        pa.scalar(None, _MONEY))
    return pa.table({
        "enterprise_id": coded(rows, _col(parts[0][0], id_column)),
        "clause": coded(pa.array(each), pa.array([wc.key for _, wc in cols], pa.string())),
        "clause_index": pa.array(np.array([wc.index for _, wc in cols], np.int32)[each]),
        "status": coded(status, _STATUS),
        "amount": amount,
        "potential_amount": interleave([_money(t, wc.potential, n, _col(t, wc.status)) for t, wc in cols]),
        "failed": _named(failed, vocab),
        "gaps": _named_gaps(gaps, vocab),
        "missing": _named(missing, vocab),
    })
