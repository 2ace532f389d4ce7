"""The population engine: every enterprise × every clause, on DuckDB or Apache Spark.

Both run the SQL built by :class:`huiqi.population.query.MatchQuery` from the same checked
rules as the one-enterprise engine, so the three agree exactly (property-tested).
"""
