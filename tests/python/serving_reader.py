"""A fingerprint of every table in a DuckDB schema, and a reader process that holds a
read-only connection open (what a BI tool does) for test_serving.py.

As a script: `python serving_reader.py DB` opens DB read-only, prints its fingerprint as one
JSON line, and for every line read from stdin prints the fingerprint again through the same
connection; it exits at the end of stdin.
"""

from __future__ import annotations

import json
import sys

import duckdb

FLOATS = ("DOUBLE", "FLOAT", "REAL")


def fingerprint(connection: duckdb.DuckDBPyConnection, schema: str = "main") -> dict[str, list]:
    """{table: [rows, order-free hash of the rows]} for every table of `schema`; doubles are
    rounded to 9 decimals (a parallel sum may differ in its last bits from run to run)."""
    tables = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_catalog = current_database() order by table_name",
        [schema],
    ).fetchall()
    result = {}
    for (table,) in tables:
        columns = connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? and table_catalog = current_database() "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
        values = ", ".join(
            f'round("{name}", 9)' if data_type in FLOATS else f'"{name}"'
            for name, data_type in columns
        )
        row = connection.execute(
            f'select count(*), bit_xor(hash(row({values}))) from "{schema}"."{table}"'
        ).fetchone()
        result[table] = [int(row[0]), str(row[1])]
    return result


def publish_snapshot(connection: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """The publish_info row (as text) and the fingerprint of the marts."""
    info = connection.execute("select * from publish_info").df().astype(str).iloc[0].to_dict()
    marts = {k: v for k, v in fingerprint(connection).items() if k != "publish_info"}
    return {"publish_info": info, "marts": marts}


def main(path: str) -> None:
    connection = duckdb.connect(path, read_only=True)
    print(json.dumps(publish_snapshot(connection)), flush=True)
    for _line in sys.stdin:
        print(json.dumps(publish_snapshot(connection)), flush=True)
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1])
