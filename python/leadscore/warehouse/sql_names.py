"""Identifiers built from names we do not control go through sqlglot's quoting."""

from __future__ import annotations

import sqlglot.expressions as exp


def quoted(name: str, dialect: str = "duckdb") -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect)


def relation_name(schema: str, table: str, dialect: str = "duckdb") -> str:
    return f"{quoted(schema, dialect)}.{quoted(table, dialect)}"
