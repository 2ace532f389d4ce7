"""Run the population match on Apache Spark (local mode in tests; a cluster in production).

The SQL is built by the same :class:`~huiqi.population.query.MatchQuery` as for DuckDB,
in Spark's dialect. Spark runs with ANSI mode on and decimal precision loss off, so an
arithmetic overflow is an error rather than a silently rounded number.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from huiqi.rules.model import ClauseSpec, Pack

from .dialect import SPARK
from .query import MatchQuery
from .wide import chunks

SPARK_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


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


def java_missing() -> str | None:
    """Why Spark cannot start here (no Java, or no PySpark), or None."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark"
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return None
    return None if shutil.which("java") else "java"


def require_spark() -> None:
    """Refuse, with what to install, when Spark cannot start (instead of its traceback)."""
    missing = java_missing()
    if missing is None:
        return
    from huiqi.errors import UsageError
    from huiqi.text import Text

    if missing == "pyspark":
        raise UsageError(Text(
            "--engine spark 需要 PySpark:pip install 'huiqi[spark]'(或使用默认的 DuckDB 引擎)",
            "--engine spark needs PySpark: pip install 'huiqi[spark]' (or use the default "
            "DuckDB engine)"))
    raise UsageError(Text(
        "--engine spark 需要 Java 17 或更新版本,但找不到 java(PATH 与 JAVA_HOME 中都没有):"
        "请安装 Java(如 apt install openjdk-17-jre-headless)或设置 JAVA_HOME;"
        "或使用默认的 DuckDB 引擎",
        "--engine spark needs Java 17 or newer, and no java was found (on PATH or in "
        "JAVA_HOME): install Java (e.g. apt install openjdk-17-jre-headless) or set "
        "JAVA_HOME; or use the default DuckDB engine"))


def session(master: str = "local[2]", app: str = "huiqi") -> Any:
    """A Spark session with the settings exactness needs, and Spark's log kept to errors."""
    require_spark()
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    import tempfile

    from pyspark.sql import SparkSession

    log = Path(tempfile.gettempdir()) / "huiqi-spark-log4j2.properties"
    if not log.exists() or log.read_text("utf-8") != LOG4J2:
        log.write_text(LOG4J2, encoding="utf-8")
    builder = SparkSession.builder.master(master).appName(app).config(
        "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log}")
    for k, v in SPARK_CONF.items():
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


def match_sql(pack: Pack, as_of: dt.date, columns: list[str], view: str,
              clauses: list[ClauseSpec] | None = None) -> str:
    return MatchQuery(pack, as_of, SPARK, columns, clauses).build(view)


def match_frame(spark: Any, pack: Pack, as_of: dt.date, frame: Any, view: str = "huiqi_input",
                clauses: list[ClauseSpec] | None = None) -> Any:
    """Match a Spark DataFrame of enterprises; the results as a DataFrame (long format)."""
    frame.createOrReplaceTempView(view)
    return spark.sql(match_sql(pack, as_of, list(frame.columns), view, clauses))


def match_parquet(spark: Any, pack: Pack, as_of: dt.date, source: Path, out: Path,
                  clauses: list[ClauseSpec] | None = None) -> None:
    """Match a Parquet file of enterprises into a Parquet folder of results (long format).

    The clauses are matched in chunks (:func:`huiqi.population.wide.chunks`), one query
    each, appended to the folder: Catalyst, like DuckDB's planner, takes much longer to plan
    one query of a thousand clauses than forty of twenty-five."""
    frame = spark.read.parquet(str(source))
    for i, chunk in enumerate(chunks(pack, clauses)):
        result = match_frame(spark, pack, as_of, frame, clauses=chunk)
        result.write.mode("overwrite" if i == 0 else "append").parquet(str(out))


def match_arrow(spark: Any, pack: Pack, as_of: dt.date, table: Any) -> Any:
    """Match an Arrow table through Spark; the results back as an Arrow table."""
    frame = spark.createDataFrame(table.to_pandas(types_mapper=None)) if False else \
        _frame_from_arrow(spark, table)
    result = match_frame(spark, pack, as_of, frame)
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
