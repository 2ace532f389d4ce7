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

from . import choices
from .dialect import SPARK
from .query import MatchQuery
from .wide import chunks

SPARK_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def session(master: str = "local[2]", app: str = "huiqi") -> Any:
    """A Spark session with the settings exactness needs."""
    os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app)
    for k, v in SPARK_CONF.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def match_sql(pack: Pack, as_of: dt.date, columns: list[str], view: str,
              clauses: list[ClauseSpec] | None = None) -> str:
    return MatchQuery(pack, as_of, SPARK, columns, clauses).build(view)


def match_frame(spark: Any, pack: Pack, as_of: dt.date, frame: Any, view: str = "huiqi_input",
                clauses: list[ClauseSpec] | None = None, where: str | None = None) -> Any:
    """Match a Spark DataFrame of enterprises; the results as a DataFrame (long format).
    A declared choice that is not an option is refused (``where`` names the input)."""
    frame.createOrReplaceTempView(view)
    choices.check(pack, list(frame.columns), view, SPARK,
                  lambda q: [(r[0], r[1]) for r in spark.sql(q).collect()],
                  where or "企业表/the table of enterprises")
    return spark.sql(match_sql(pack, as_of, list(frame.columns), view, clauses))


def match_parquet(spark: Any, pack: Pack, as_of: dt.date, source: Path, out: Path,
                  clauses: list[ClauseSpec] | None = None) -> None:
    """Match a Parquet file of enterprises into a Parquet folder of results (long format).

    The clauses are matched in chunks (:func:`huiqi.population.wide.chunks`), one query
    each, appended to the folder: Catalyst, like DuckDB's planner, takes much longer to plan
    one query of a thousand clauses than forty of twenty-five."""
    frame = spark.read.parquet(str(source))
    for i, chunk in enumerate(chunks(pack, clauses)):
        result = match_frame(spark, pack, as_of, frame, clauses=chunk, where=str(source))
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
