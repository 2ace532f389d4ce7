"""Run the population match on Apache Spark: in local mode, or on a cluster (a standalone
master ``spark://host:7077``, YARN, Kubernetes — any master ``spark-submit`` takes).

The SQL is built by the same :class:`~huiqi.population.query.MatchQuery` as for DuckDB,
in Spark's dialect. Spark runs with ANSI mode on and decimal precision loss off, so an
arithmetic overflow is an error rather than a silently rounded number: those settings
(:data:`EXACT`) are the engine's own and always applied. Everything else is Spark's usual
configuration (``spark-defaults.conf`` in ``SPARK_CONF_DIR``, ``PYSPARK_SUBMIT_ARGS``),
honoured as given; :data:`DEFAULTS` only fill in what it leaves unset.

On a cluster the input is split into at least as many partitions as the executors have
cores, and the results are written by the executors themselves: the output path must be
one they all reach (a shared file system, HDFS, S3 …), and the driver too (it writes the
layout beside the executors' files). Spark computes one compact row per enterprise and
writes those rows as DuckDB's runner does (:func:`match_parquet`, the compact form: the long
form is derived when it is read). Where the long form is asked for (``form="long"``,
:func:`match_frame`, :func:`match_arrow`), the executors' Python workers make it from their
compact rows (``mapInArrow``), so the executors' Python (``PYSPARK_PYTHON``,
``spark.pyspark.python``; this interpreter by default) must have huiqi installed, with its
``[spark]`` extra.

Two kernels compute the compact rows (:data:`KERNELS`). ``"duckdb"``, :func:`match_parquet`'s
default, is DuckDB's runner on the executors: the input's rows are cut into as many
consecutive slices as the executors have cores, and each Spark task matches its slice with an
in-memory DuckDB of one thread — the runner's compact query, the same SQL and layout — reading
the Parquet input itself and writing its part of each chunk with PyArrow (Spark schedules the
tasks and retries a failed one; the rows never pass through its JVM). Its executors' Python
needs only DuckDB and PyArrow (not huiqi). For a DataFrame (:func:`match_frame` with
``kernel="duckdb"``, and the long form) each task runs the same query over its partition's
Arrow batches (``mapInArrow``). ``"sql"``: Spark SQL computes the rows, in Spark's dialect
of the same query, with no Python on the executors — several times slower, because the
query's stacked projections of a hundred-odd columns are beyond Spark's whole-stage code
generation (bench/RESULTS.md). The DuckDB kernel is :func:`match_parquet`'s default because
it is the faster by far and the executors' Python is this interpreter unless configured
otherwise; :func:`match_frame` and :func:`match_arrow` keep Spark SQL by default (they are
Spark's own engine in the differential tests).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from huiqi.rules.model import ClauseSpec, Pack
from huiqi.text import Text

from . import choices
from .dialect import DUCKDB, SPARK
from .query import MatchQuery, WideClause
from .wide import CHUNK, chunks

#: What exact results need: always set, whatever else is configured.
EXACT = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
}

#: Defaults for what the configuration leaves unset (a small local run's needs).
DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "4g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}

#: HotSpot leaves a method of more than 8,000 bytes of bytecode to its interpreter; the code
#: Spark generates for a pack's compact query has such methods, and interpreted they made
#: the query several times slower (10,000 enterprises, seed pack, local[1]: 33.7 s → 7.7 s,
#: at load averages of 27 and 16). A default for the driver's and the executors' JVM
#: options: options the configuration gives are kept as they are.
HUGE_METHODS = "-XX:-DontCompileHugeMethods"

#: The configuration as before: the exact settings and the defaults.
SPARK_CONF = {**EXACT, **DEFAULTS}


#: Spark's own log: errors only (its start-up warnings would spill into huiqi's output)
LOG4J2 = """status = error
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""


def missing() -> Text | None:
    """Why Spark cannot run here (PySpark or Java missing), in words; None if it can."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return Text(
            "Spark 不可用:未安装 PySpark(pip install -e '.[dev]'),或使用默认的 DuckDB 引擎",
            "Spark is not available: PySpark is not installed (pip install -e '.[dev]'); or use "
            "the default DuckDB engine")
    if importlib.util.find_spec("pandas") is None:
        return Text(
            "Spark 不可用:PySpark 的 Arrow 函数需要 pandas,但未安装(pip install -e '.[spark]');"
            "或使用默认的 DuckDB 引擎",
            "Spark is not available: PySpark's Arrow functions need pandas, which is not installed "
            "(pip install -e '.[spark]'); or use the default DuckDB engine")
    home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (home and os.path.isfile(os.path.join(home, "bin", "java"))):
        return Text(
            "Spark 需要 Java 17 或更新版本,但找不到 java(PATH 与 JAVA_HOME 中都没有):请安装 Java"
            "(如 apt install openjdk-17-jre-headless)或设置 JAVA_HOME;或使用默认的 DuckDB 引擎",
            "Spark needs Java 17 or newer, and no java was found (on PATH or in JAVA_HOME): "
            "install Java (e.g. apt install openjdk-17-jre-headless) or set JAVA_HOME; or use "
            "the default DuckDB engine")
    return None


def require_spark() -> None:
    """Refuse, with what to install, when Spark cannot start (instead of its traceback)."""
    why = missing()
    if why is not None:
        from huiqi.errors import UsageError

        raise UsageError(why)


def session(master: str | None = None, app: str = "huiqi",
            conf: dict[str, str] | None = None) -> Any:
    """A Spark session with the settings exactness needs, and Spark's log kept to errors.

    ``master``: ``local[2]``, ``spark://127.0.0.1:7077`` …; None takes the configured one
    (``spark.master`` in the usual configuration) or else ``local[*]``. ``conf``: settings
    given here (``--conf key=value`` of the command line) win over the configuration
    files; the exact settings win over everything."""
    require_spark()
    import sys
    import tempfile

    from pyspark.sql import SparkSession

    given = configured()
    if "spark.pyspark.python" not in {**given, **(conf or {})}:
        # the executors' Python workers (the long form is made there) need huiqi: this
        # interpreter's, unless PYSPARK_PYTHON or spark.pyspark.python names another
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    log = Path(tempfile.gettempdir()) / "huiqi-spark-log4j2.properties"
    if not log.exists() or log.read_text("utf-8") != LOG4J2:
        log.write_text(LOG4J2, encoding="utf-8")
    builder = SparkSession.builder.appName(app)
    if master is not None:
        builder = builder.master(master)
    elif "spark.master" not in given:
        builder = builder.master("local[*]")
    defaults = {**DEFAULTS,
                # the planner recurses over the bounds' deep CASE trees: a larger thread stack;
                # the JIT compiles the generated code's large methods too (see HUGE_METHODS)
                "spark.driver.extraJavaOptions":
                    f"-Xss64m {HUGE_METHODS} -Dlog4j2.configurationFile=file:{log}",
                "spark.executor.extraJavaOptions": HUGE_METHODS}
    for k, v in defaults.items():
        if k not in given and k not in (conf or {}):
            builder = builder.config(k, v)
    for k, v in {**(conf or {}), **EXACT}.items():
        builder = builder.config(k, v)
    # the JVM is started with its standard error on /dev/null (it inherits the descriptor),
    # so that its start-up notices and progress bars never reach huiqi's output; Spark's
    # errors still come back as Python exceptions. HUIQI_SPARK_LOG=1 keeps them.
    if os.environ.get("HUIQI_SPARK_LOG") == "1":
        spark = builder.getOrCreate()
    else:
        saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        try:
            spark = builder.getOrCreate()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(null)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def configured() -> dict[str, str]:
    """The settings Spark's launcher will read before the session starts: the properties
    file (``spark-defaults.conf`` in ``SPARK_CONF_DIR``, else in ``SPARK_HOME/conf``) and the
    ``--conf`` / ``--master`` of ``PYSPARK_SUBMIT_ARGS`` (which win)."""
    found: dict[str, str] = {}
    folder = os.environ.get("SPARK_CONF_DIR") or (
        os.path.join(os.environ["SPARK_HOME"], "conf") if os.environ.get("SPARK_HOME") else None)
    if folder and os.path.isfile(path := os.path.join(folder, "spark-defaults.conf")):
        with open(path, encoding="utf-8") as fh:
            for raw in fh:
                pair = re.match(r"\s*([^\s=:#!]+)\s*[\s=:]\s*(.*?)\s*$", raw)
                if pair:
                    found[pair[1]] = pair[2]
    words = shlex.split(os.environ.get("PYSPARK_SUBMIT_ARGS", ""))
    for flag, value in itertools.pairwise(words):
        if flag == "--master":
            found["spark.master"] = value
        elif flag == "--conf" and "=" in value:
            key, _, v = value.partition("=")
            found[key] = v
    return found


def cores(spark: Any) -> int:
    """The cores the session's executors have together (Spark's default parallelism)."""
    return max(1, int(spark.sparkContext.defaultParallelism))


def spread(spark: Any, frame: Any) -> Any:
    """The frame in at least as many partitions as there are executor cores: a Parquet file
    written in one row group is read as one partition, which one core would match alone."""
    want = cores(spark)
    have = frame.rdd.getNumPartitions()
    return frame.repartition(want) if have < want else frame


def match_sql(pack: Pack, as_of: dt.date, columns: list[str], view: str,
              clauses: list[ClauseSpec] | None = None) -> str:
    """The long results in one query (Spark SQL of :meth:`MatchQuery.build
    <huiqi.population.query.MatchQuery.build>`). :func:`match_frame` computes the same
    results faster: the compact query, turned into the long form on the executors."""
    return MatchQuery(pack, as_of, SPARK, columns, clauses).build(view)


#: The long results as Spark gives them (the columns of
#: :data:`~huiqi.population.query.OUTPUT_COLUMNS`, the types of :meth:`MatchQuery.build
#: <huiqi.population.query.MatchQuery.build>` in Spark)
LONG_SCHEMA = ("enterprise_id STRING, clause STRING, clause_index INT, status STRING, "
               "amount DECIMAL(38,2), potential_amount DECIMAL(38,2), failed ARRAY<STRING>, "
               "gaps ARRAY<STRUCT<condition: STRING, shortfall: DECIMAL(38,6)>>, "
               "missing ARRAY<STRING>")


def _expand(layout: list[WideClause]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """What each executor runs on its Arrow batches of compact rows: the long rows
    (:func:`huiqi.population.wide.to_long`, the numpy code the DuckDB runner uses)."""

    def expand(batches: Iterator[Any]) -> Iterator[Any]:
        from huiqi.population.wide import to_long

        for batch in batches:
            if batch.num_rows:
                yield from to_long([(batch, layout)], id_column="id").to_batches()

    return expand


def _check_choices(spark: Any, pack: Pack, frame: Any, view: str, where: str | None) -> None:
    """Refuse a declared choice that is not an option (``where`` names the input)."""
    choices.check(pack, list(frame.columns), view, SPARK,
                  lambda q: [(r[0], r[1]) for r in spark.sql(q).collect()],
                  where or "企业表/the table of enterprises")


def _wide_sql(spark: Any, query: MatchQuery, view: str) -> tuple[Any, list[WideClause]]:
    """The compact rows of ``query`` over the view as a DataFrame (None when no clause is in
    force), and their layout.

    Each layer is analyzed on its own, as a view of the ones before: Catalyst's analyzer
    passes over the whole tree until nothing changes, and over one WITH of every layer that
    took it twice as long (and inlining the WITH as long again)."""
    layers, select, layout = query.wide_layers(view)
    if not layout:
        return None, layout
    try:
        for name, body in layers:
            spark.sql(body).createOrReplaceTempView(name)
        return spark.sql(select), layout   # analyzed now: the views may go
    finally:
        for name, _ in layers:
            spark.catalog.dropTempView(name)


#: The kernels that compute the compact rows on Spark (:func:`match_parquet`)
KERNELS = ("duckdb", "sql")


def _wide(spark: Any, pack: Pack, as_of: dt.date, columns: list[str], view: str,
          clauses: list[ClauseSpec] | None, kernel: str) -> tuple[Any, list[WideClause]]:
    """The compact rows of a chunk of clauses over the view (None when no clause is in
    force) and their layout, computed by ``kernel``: Spark SQL, or DuckDB in each task."""
    if kernel == "duckdb":
        return _wide_duckdb(spark, MatchQuery(pack, as_of, DUCKDB, columns, clauses), view)
    return _wide_sql(spark, MatchQuery(pack, as_of, SPARK, columns, clauses), view)


def _wide_duckdb(spark: Any, query: MatchQuery, view: str) -> tuple[Any, list[WideClause]]:
    """The compact rows of ``query`` (in DuckDB's dialect) computed by DuckDB in each task
    (``mapInArrow``), over that task's partition of the view, as a DataFrame of the
    enterprise id (``id``) and the clauses' columns (None when no clause is in force); and
    their layout — DuckDB's, as its runner writes it.

    The driver binds the query once over no row, with the input's Arrow schema as the
    executors will see it, to learn the columns the query reads (only those are sent to the
    Python workers) and the types of the rows it gives (Spark's nearest: an unsigned code
    as a signed integer one size up where needed)."""
    import duckdb
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    select, layout = _duckdb_select(query, view)
    if not layout:
        return None, layout
    frame = spark.table(view)
    con = duckdb.connect(config={"threads": 1})
    try:
        con.register(view, to_arrow_schema(frame.schema).empty_table())
        used = _scanned(con, select, list(frame.columns))
        con.unregister(view)
        frame = frame.select(*(frame[SPARK.ident(c)] for c in used))
        empty = to_arrow_schema(frame.schema).empty_table()
        con.register(view, empty)
        given = con.sql(select).to_arrow_table().schema
    finally:
        con.close()
    signed = {pa.uint8(): pa.int16(), pa.uint16(): pa.int32(), pa.uint32(): pa.int64()}
    out = from_arrow_schema(pa.schema([f.with_type(signed.get(f.type, f.type)) for f in given]))
    return frame.mapInArrow(_duckdb_task(select, view, to_arrow_schema(out)), out), layout


def _duckdb_select(query: MatchQuery, view: str) -> tuple[str, list[WideClause]]:
    """The compact query over ``view`` (DuckDB's dialect) giving only the enterprise id
    (``id``) and the clauses' columns; its layout."""
    from .results import columns as clause_columns

    sql, layout = query.build_wide(view)
    names = list(dict.fromkeys(["id", *(c for wc in layout for c in clause_columns(wc))]))
    return (f"SELECT {', '.join(DUCKDB.ident(c) for c in names)} FROM ({sql}) AS "
            f"{DUCKDB.ident('__huiqi_wide')}", layout)


def _scanned(con: Any, select: str, columns: list[str]) -> list[str]:
    """The input columns ``select`` reads, in the input's order (from the column references
    of its syntax tree: a superset where a later layer's column has an input column's name,
    which costs only that column's transfer)."""
    import json

    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [select]).fetchall()[0][0])
    if tree.get("error"):   # not parsed as DuckDB serialises it: every column, to be safe
        return columns
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("class") == "COLUMN_REF":
                names.update(node.get("column_names", [])[-1:])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    return [c for c in columns if c in names or c == "id"]


def _duckdb_task(select: str, view: str, schema: Any) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """What each task runs on the Arrow batches of its partition: an in-memory DuckDB of one
    thread (one task per executor core) reads them as a stream, in order, and the compact
    rows come back in the same order, cast to ``schema`` (what Spark was told). It needs
    only DuckDB and PyArrow on the executors, not huiqi."""

    def task(batches: Iterator[Any]) -> Iterator[Any]:
        import duckdb
        import pyarrow as pa

        first = next(batches, None)
        if first is None:
            return
        source = pa.RecordBatchReader.from_batches(first.schema,
                                                   itertools.chain([first], batches))
        con = duckdb.connect(config={"threads": 1, "preserve_insertion_order": True,
                                         "disabled_optimizers": "projection_placement"})
        try:
            con.register(view, source)
            for batch in con.sql(select).to_arrow_reader(65_536):
                yield batch.cast(schema)
        finally:
            con.close()

    return task


def match_frame(spark: Any, pack: Pack, as_of: dt.date, frame: Any, view: str = "huiqi_input",
                clauses: list[ClauseSpec] | None = None, where: str | None = None,
                kernel: str = "sql") -> Any:
    """Match a Spark DataFrame of enterprises; the results as a DataFrame (long format).
    A declared choice that is not an option is refused (``where`` names the input).

    Spark computes the compact rows (:meth:`MatchQuery.wide_layers
    <huiqi.population.query.MatchQuery.wide_layers>`: one per enterprise, codes, amounts,
    bit masks — what Catalyst plans and its generated code runs fastest), and each executor
    turns its own rows into the long form with ``mapInArrow`` (the executors' Python needs
    huiqi, as it needs PySpark). ``kernel="duckdb"``: DuckDB computes the compact rows in
    each task (:func:`match_parquet`)."""
    _kernel(kernel)
    frame.createOrReplaceTempView(view)
    _check_choices(spark, pack, frame, view, where)
    return _long(spark, pack, as_of, list(frame.columns), view, clauses, kernel)


def _kernel(kernel: str) -> None:
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, not {kernel!r}")


def _long(spark: Any, pack: Pack, as_of: dt.date, columns: list[str], view: str,
          clauses: list[ClauseSpec] | None, kernel: str) -> Any:
    wide, layout = _wide(spark, pack, as_of, columns, view, clauses, kernel)
    if wide is None:   # no clause in force: no results
        return spark.createDataFrame([], LONG_SCHEMA)
    return wide.mapInArrow(_expand(layout), LONG_SCHEMA)


def match_parquet(spark: Any, pack: Pack, as_of: dt.date, source: Path, out: Path,
                  clauses: list[ClauseSpec] | None = None, form: str = "compact",
                  size: int = CHUNK, kernel: str = "duckdb") -> None:
    """Match a Parquet file of enterprises into results at ``out``, written by the
    executors, a file per partition; a declared choice that is not an option is refused
    before anything is written.

    ``form`` ``"compact"`` (the default) writes the compact results folder that DuckDB's
    runner writes (:mod:`huiqi.population.results`: the layout, and per chunk of clauses
    the compact rows, one per enterprise) — here each chunk is a folder of Spark's part
    files rather than one file; :func:`~huiqi.population.results.read_long` and
    :func:`~huiqi.population.results.relation` derive the long form from it on demand.
    Every chunk's query reads the same partitions of the input (kept by Spark while the
    chunks run) with no shuffle after them, so row *i* of every chunk is the same
    enterprise, as the reader requires (and checks). ``"long"`` writes the long results
    (keyed by enterprise, pack version and date as DuckDB's), made on the executors from
    the compact rows (``mapInArrow``): a folder of part files, the chunks appended.

    The clauses are matched in chunks of about ``size`` (:func:`huiqi.population.wide.chunks`),
    one query each: Catalyst, like DuckDB's planner, takes much longer to plan one query of a
    thousand clauses than forty of twenty-five.

    ``kernel`` ``"duckdb"`` (the default): each task matches a slice of the input's rows
    with DuckDB (one thread, the runner's query and layout), reading the input and writing
    its part file of each chunk itself (the input must be reachable by the executors at the
    same path, as the output is), and the executors' Python needs DuckDB and PyArrow; with
    ``form="long"`` the rows are Spark's partitions' (``mapInArrow``). ``"sql"``: Spark SQL
    computes them, no Python needed on the executors (for the compact form)."""
    from .results import FORMS, CompactWriter

    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, not {form!r}")
    _kernel(kernel)
    view = "huiqi_input"
    if form == "compact" and kernel == "duckdb":
        _compact_duckdb(spark, pack, as_of, source, out, chunks(pack, clauses, size), view)
        return
    frame = spread(spark, spark.read.parquet(str(source)))
    frame.createOrReplaceTempView(view)
    _check_choices(spark, pack, frame, view, str(source))
    parts = chunks(pack, clauses, size)
    columns = list(frame.columns)
    if form == "long":
        _long_parquet(spark, pack, as_of, columns, parts, view, out, kernel)
        return
    writer = CompactWriter(out, pack.id, pack.version_id, as_of)
    # several chunks read the input once, as the partitions kept here (and the same rows in
    # the same order for each chunk, whatever Spark would otherwise recompute)
    kept = len(parts) > 1
    if kept:
        frame = frame.persist()
        frame.createOrReplaceTempView(view)
    try:
        first: Path | None = None
        for chunk in parts:
            wide, layout = _wide(spark, pack, as_of, columns, view, chunk, kernel)
            if wide is None:
                continue
            path = writer.chunk(layout)
            _compact_frame(wide, layout).write.parquet(str(path))
            first = first or path
        writer.commit(_rows(first) if first is not None else int(frame.count()))
    except BaseException:
        writer.abort()
        raise
    finally:
        if kept:
            frame.unpersist()
        spark.catalog.dropTempView(view)


def _compact_duckdb(spark: Any, pack: Pack, as_of: dt.date, source: Path, out: Path,
                    parts: list[list[ClauseSpec]], view: str) -> None:
    """The compact results folder of ``source`` (a Parquet file, or a folder of them) by
    the DuckDB kernel: the rows are cut into as many consecutive slices as the executors
    have cores, and each Spark task matches its slice with DuckDB (one thread), reading the
    Parquet file itself (only the columns the queries read) and writing each chunk's part
    file with PyArrow, as the DuckDB runner writes its chunk files — every chunk in one
    task, from the same rows in the same order, so row *i* of every chunk is the same
    enterprise. Spark schedules the tasks (on the executors, retried where one fails); the
    rows never pass through its JVM, whose reading, shuffling, Arrow conversion and
    writing of them cost several times DuckDB's own work (bench/RESULTS.md)."""
    import pyarrow.parquet as pq

    from .results import COMPACT_WRITE, ID, CompactWriter, chunk_files

    files = chunk_files(source) if source.is_dir() else [source]
    if not files:
        raise FileNotFoundError(source)
    counts = [pq.ParquetFile(f).metadata.num_rows for f in files]
    columns = pq.read_schema(files[0]).names
    offered = choices.offered(pack)
    if any(c.startswith("choice:") and c[7:] in offered for c in columns):
        frame = spark.read.parquet(str(source))
        frame.createOrReplaceTempView(view)
        try:
            _check_choices(spark, pack, frame, view, str(source))
        finally:
            spark.catalog.dropTempView(view)
    writer = CompactWriter(out, pack.id, pack.version_id, as_of)
    try:
        queries: list[tuple[str, str]] = []
        for chunk in parts:
            select, layout = _duckdb_select(MatchQuery(pack, as_of, DUCKDB, columns, chunk), view)
            if layout:
                path = writer.chunk(layout)
                path.mkdir()
                queries.append((select, str(path)))
        total = sum(counts)
        if queries:
            cut = _slices([str(f) for f in files], counts, max(1, min(cores(spark), total)))
            done = spark.sparkContext.parallelize(list(enumerate(cut)), len(cut)).map(
                _file_task(queries, view, ID, COMPACT_WRITE)).collect()
            if sum(done) != total:
                raise RuntimeError(f"the tasks matched {sum(done)} enterprises of {total}")
        writer.commit(total)
    except BaseException:
        writer.abort()
        raise


def _slices(files: list[str], counts: list[int], n: int) -> list[list[tuple[str, int, int]]]:
    """The rows of ``files`` (``counts`` rows each) in ``n`` consecutive slices of nearly
    equal size, each a list of (file, first row, row after the last); one empty slice of
    the first file where there is no row."""
    total = sum(counts)
    if total == 0:
        return [[(files[0], 0, 0)]]
    out: list[list[tuple[str, int, int]]] = []
    for i in range(n):
        lo, hi = total * i // n, total * (i + 1) // n
        part: list[tuple[str, int, int]] = []
        start = 0
        for f, c in zip(files, counts, strict=True):
            a, b = max(lo, start), min(hi, start + c)
            if a < b:
                part.append((f, a - start, b - start))
            start += c
        out.append(part)
    return out


def _file_task(queries: list[tuple[str, str]], view: str, id_name: str,
               options: dict[str, Any]
               ) -> Callable[[tuple[int, list[tuple[str, int, int]]]], int]:
    """What each task runs on its slice (its index, and the (file, first row, row after the
    last) it holds): an in-memory DuckDB of one thread (one task per executor core) reads
    the slice's rows in order, and each chunk's compact rows (the ``queries``: SQL and
    folder) go to ``part-<index>.parquet`` in the chunk's folder (written aside, then
    renamed: a retried task leaves one file), its first column named ``id_name``, written
    with ``options`` as the DuckDB runner writes a chunk (:data:`~huiqi.population.results.
    COMPACT_WRITE`). The enterprises matched are returned. It needs only DuckDB and PyArrow
    on the executors, not huiqi."""

    def task(item: tuple[int, list[tuple[str, int, int]]]) -> int:
        import os

        import duckdb
        import pyarrow.parquet as pq

        index, segments = item
        con = duckdb.connect(config={"threads": 1, "preserve_insertion_order": True,
                                         "disabled_optimizers": "projection_placement"})
        try:
            scans = [f"SELECT * EXCLUDE (file_row_number) FROM read_parquet("
                     f"'{f.replace(chr(39), chr(39) * 2)}', file_row_number = true) "
                     f"WHERE file_row_number >= {a} AND file_row_number < {b}"
                     for f, a, b in segments]
            con.execute(f"CREATE TEMP VIEW {view} AS " + " UNION ALL ".join(scans))
            rows = []
            for select, folder in queries:
                name = f"part-{index:05d}.parquet"
                tmp = os.path.join(folder, f".{name}.{os.getpid()}.partial")
                reader = con.sql(select).to_arrow_reader(65_536)
                names = [id_name, *reader.schema.names[1:]]
                with pq.ParquetWriter(tmp, reader.schema.with_metadata(None).remove(0).insert(
                        0, reader.schema.field(0).with_name(names[0])), **options) as writer:
                    n = 0
                    for batch in reader:
                        writer.write_batch(batch.rename_columns(names))
                        n += batch.num_rows
                os.replace(tmp, os.path.join(folder, name))
                rows.append(n)
            if len(set(rows)) > 1:
                raise RuntimeError(f"the chunks of slice {index} have {rows} rows")
            return rows[0] if rows else 0
        finally:
            con.close()

    return task


def _compact_frame(wide: Any, layout: list[WideClause]) -> Any:
    """The columns of a chunk's compact rows that are written (as
    :func:`~huiqi.population.results.compact_table` gives them): ``enterprise_id``, then
    the clauses' columns."""
    from .results import ID, columns

    names = list(dict.fromkeys(c for wc in layout for c in columns(wc)))
    return wide.select(wide[SPARK.ident("id")].alias(ID), *(wide[SPARK.ident(c)] for c in names))


def _rows(folder: Path) -> int:
    """The rows of a folder of Parquet part files (from their footers)."""
    import pyarrow.parquet as pq

    from .results import chunk_files

    return sum(pq.ParquetFile(f).metadata.num_rows for f in chunk_files(folder))


def _long_parquet(spark: Any, pack: Pack, as_of: dt.date, columns: list[str],
                  parts: list[list[ClauseSpec]], view: str, out: Path, kernel: str) -> None:
    from pyspark.sql import functions as F

    for i, chunk in enumerate(parts):
        result = _long(spark, pack, as_of, columns, view, chunk, kernel)
        keyed = result.select(   # keyed as DuckDB's long results are (results.RESULT_SCHEMA)
            "enterprise_id", F.lit(pack.version_id).alias("pack_version"),
            F.lit(as_of).alias("as_of"), *(c for c in result.columns if c != "enterprise_id"))
        keyed.write.mode("overwrite" if i == 0 else "append").parquet(str(out))


def values_parquet(spark: Any, pack: Pack, as_of: dt.date, source: Path, out: Path) -> None:
    """The values the pack reports per enterprise (:meth:`MatchQuery.build_values
    <huiqi.population.query.MatchQuery.build_values>`) into a Parquet folder: as DuckDB
    writes them, ``enterprise_id``, ``pack_version``, ``as_of``, then one column per value
    (``policy:name``, and ``policy:name:grade`` for a graded one)."""
    from pyspark.sql import functions as F

    frame = spread(spark, spark.read.parquet(str(source)))
    view = "huiqi_input"
    frame.createOrReplaceTempView(view)
    sql, names = MatchQuery(pack, as_of, SPARK, list(frame.columns), []).build_values(view)
    values = spark.sql(sql)
    keyed = values.select(
        F.col(values.columns[0]).alias("enterprise_id"),
        F.lit(pack.version_id).alias("pack_version"), F.lit(as_of).alias("as_of"),
        *(F.col(SPARK.ident(name)) for name, _ in names))
    keyed.write.mode("overwrite").parquet(str(out))


def match_arrow(spark: Any, pack: Pack, as_of: dt.date, table: Any,
                clauses: list[ClauseSpec] | None = None) -> Any:
    """Match an Arrow table through Spark (``clauses``: only these, all by default); the
    results back as an Arrow table."""
    frame = _frame_from_arrow(spark, table)
    result = match_frame(spark, pack, as_of, frame, clauses=clauses)
    return result.toArrow() if hasattr(result, "toArrow") else _collect_arrow(result)


def _frame_from_arrow(spark: Any, table: Any) -> Any:
    # Spark reads Parquet with exact decimals and nested types; go through a temporary file
    import tempfile

    import pyarrow.parquet as pq

    tmp = tempfile.mkdtemp(prefix="huiqi-spark-")
    path = os.path.join(tmp, "input.parquet")
    pq.write_table(table, path)
    return spark.read.parquet(path)


def _collect_arrow(frame: Any) -> Any:
    import pyarrow as pa

    rows = [r.asDict(recursive=True) for r in frame.collect()]
    return pa.Table.from_pylist(rows)
