"""Large dialect-neutral SQL blocks (a model's sum of trees, its reasons), printed once per literal
style and spliced into a small per-dialect skeleton.

A tree ensemble's CASE expressions print the same in every dialect we generate except for how a
double is written (scientific notation, or a CAST from text where scientific literals are NUMERIC).
sqlglot prints about a megabyte of SQL a second, so printing the trees once per style instead of once
per dialect is what keeps `leadscore train` fast (measured: 7 dialects of a 457-tree model's
score and reasons went from ~50 s to ~15 s)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import sqlglot.expressions as exp

from leadscore.transpile.dialects import (
    NAN_EQUALS_ITSELF,
    NO_FLOAT32,
    SCIENTIFIC_LITERAL_IS_DOUBLE,
    UNDERFLOW_RAISES,
)
from leadscore.transpile.dialects import dialect as sql_dialect

PLACEHOLDER = "leadscore_block_{}_"
# Meta flag of a block made only of our own column names, double constants, +, -, * and parentheses
# (TreeSHAP's path weights and sums): it prints differently only where doubles or the underflow
# guard do, so DuckDB, Snowflake, BigQuery, Spark, Databricks and Trino share one printing.
ARITHMETIC = "leadscore_arithmetic"
_PLACEHOLDER_PATTERN = re.compile(r"leadscore_block_(\d+)_")


@cache
def literal_style(dialect: str) -> tuple[bool, bool, str]:
    """What makes a block print differently: doubles, NaN tests, and the 32-bit float type (REAL,
    FLOAT in Spark and Databricks; none in Snowflake and BigQuery, where printing one raises)."""
    float32 = (
        "none"
        if dialect in NO_FLOAT32
        else sql_dialect(dialect)().generator().sql(exp.DataType.build("float"))
    )
    return dialect in SCIENTIFIC_LITERAL_IS_DOUBLE, dialect in NAN_EQUALS_ITSELF, float32


def arithmetic(expression: exp.Expression) -> exp.Expression:
    """Flag an expression as ARITHMETIC (the caller knows what it is made of) and return it."""
    expression.meta[ARITHMETIC] = True
    return expression


@cache
def arithmetic_style(dialect: str) -> tuple[str, bool, bool]:
    """What makes an ARITHMETIC block print differently: doubles and the underflow guard."""
    return "arithmetic", dialect in SCIENTIFIC_LITERAL_IS_DOUBLE, dialect in UNDERFLOW_RAISES


# (id(expression), literal style) -> (the expression, its text): printings shared by the Blocks of
# statements built from the same expressions (a TreeSHAP statement and each batch of its split
# share every stage column). The expression is kept in the value so its id cannot be reused.
SharedPrints = dict[tuple[int, tuple[object, ...]], tuple[exp.Expression, str]]


@dataclass
class Blocks:
    expressions: list[exp.Expression] = field(default_factory=list)
    # Its own printings unless given ones to share (Explained.printed).
    printed: SharedPrints = field(default_factory=dict, repr=False)

    def add(self, expression: exp.Expression) -> exp.Expression:
        """A placeholder column standing for the expression in the skeleton."""
        self.expressions.append(expression)
        return exp.column(PLACEHOLDER.format(len(self.expressions) - 1))

    def fill(self, skeleton_sql: str, dialect: str) -> str:
        """One pass over the skeleton (a reasons query can hold thousands of blocks)."""
        style, arithmetic_only = literal_style(dialect), arithmetic_style(dialect)

        def printed(match: re.Match) -> str:
            expression = self.expressions[int(match.group(1))]
            key = (id(expression), arithmetic_only if expression.meta.get(ARITHMETIC) else style)
            if key not in self.printed:
                # copy=False: sqlglot otherwise deep-copies the expression before printing it, which
                # took more than half of the time of printing a TreeSHAP statement. The generator does
                # not change these scalar expressions (the same bytes, checked on every dialect).
                self.printed[key] = (expression, expression.sql(dialect=sql_dialect(dialect), copy=False))
            return self.printed[key][1]

        return _PLACEHOLDER_PATTERN.sub(printed, skeleton_sql)
