"""Publish on PostgreSQL: the public marts copied into a new schema, then swapped with the
serving schema in one transaction.

dbt builds and tests in `<schema>_marts` (the working schema, as on DuckDB); readers query
`<schema>_serving`. Publishing fills `<schema>_serving_next` (committed), then renames
`<schema>_serving` away and `<schema>_serving_next` into its place in one transaction (DDL
is transactional in PostgreSQL), so every statement a reader runs sees the previous marts or
the new ones, never a mix. The previous schema is dropped afterwards; if a long reader still
holds one of its tables, the drop gives up after a few seconds and the next publish retries
it, so the build never waits for a reader.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from csm import serving
from csm.load import postgres_connection, target_settings

SERVING_SUFFIX = "_serving"
DROP_LOCK_TIMEOUT = "5s"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def serving_schema(project: Path) -> str:
    return f"{target_settings('postgres', project)['schema']}{SERVING_SUFFIX}"


def _drop_previous(cursor: Any, connection: Any, base: str) -> None:
    """Drop schemas earlier publishes renamed away; skip one a reader still holds."""
    import psycopg2

    cursor.execute(
        "select nspname from pg_namespace where nspname like %s",
        [f"{base}\\_previous\\_%"],
    )
    for (schema,) in cursor.fetchall():
        try:
            cursor.execute(f"set local lock_timeout = '{DROP_LOCK_TIMEOUT}'")
            cursor.execute(f"drop schema {_ident(schema)} cascade")
            connection.commit()
        except psycopg2.errors.LockNotAvailable:  # a reader holds it: the next publish retries
            connection.rollback()


def publish(
    project: Path, target: Path, progress: Callable[[str], None] = lambda _line: None
) -> serving.Published:
    started = time.monotonic()
    run = serving.read_run_results(target)
    refused = serving.refusal(run)
    if refused:
        raise serving.PublishError(f"not published: {refused}")
    marts, as_of_model = serving.public_marts(target)
    base = serving_schema(project)
    staged, previous = f"{base}_next", f"{base}_previous_{os.getpid()}"
    with postgres_connection(project) as connection:
        cursor = connection.cursor()
        _drop_previous(cursor, connection, base)
        cursor.execute(f"drop schema if exists {_ident(staged)} cascade")
        cursor.execute(f"create schema {_ident(staged)}")
        fixed = run.variables.get("as_of_timestamp")
        if fixed:
            cursor.execute("select cast(%s as timestamp)", [str(fixed)])
        else:
            cursor.execute(
                f"select max(as_of_timestamp) from {_ident(as_of_model.schema)}."
                f"{_ident(as_of_model.identifier)}"
            )
        as_of = cursor.fetchone()[0]
        progress(f"publishing {len(marts)} marts to schema {base}")
        counts = {}
        for mart in marts:
            table = f"{_ident(staged)}.{_ident(mart.name)}"
            cursor.execute(
                f"create table {table} as select * from "
                f"{_ident(mart.schema)}.{_ident(mart.identifier)}"
            )
            counts[mart.name] = cursor.rowcount
            if mart.description:
                cursor.execute(f"comment on table {table} is %s", [mart.description])
        info = serving.publish_info(project, run, as_of, counts)
        columns = ", ".join(
            f"cast(%s as {'text' if kind == 'varchar' else kind}) as {name}"
            for name, kind in serving.INFO_COLUMNS
        )
        cursor.execute(
            f"create table {_ident(staged)}.{serving.PUBLISH_INFO} as select {columns}",
            [info[name] for name, _kind in serving.INFO_COLUMNS],
        )
        connection.commit()
        # the swap: one transaction, two renames
        cursor.execute("select 1 from pg_namespace where nspname = %s", [base])
        if cursor.fetchone():
            cursor.execute(f"alter schema {_ident(base)} rename to {_ident(previous)}")
        cursor.execute(f"alter schema {_ident(staged)} rename to {_ident(base)}")
        connection.commit()
        _drop_previous(cursor, connection, base)
    return serving.Published(f"PostgreSQL schema {base}", as_of, counts, time.monotonic() - started)
