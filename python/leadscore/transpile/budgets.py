"""How big a generated statement may be, per dialect, and how big ours are.

Documented limits (checked when the SQL is generated; a statement over its budget is split into
batches of trees, split.py):

| dialect | limit | where |
| --- | --- | --- |
| BigQuery | 1,024K characters of unresolved query text (12 MB resolved, views included) | BigQuery quotas and limits, "Query jobs" |
| Snowflake | 1 MB of SQL text per statement (a view's definition is a statement) | Snowflake, "Query size limits" |
| Trino | `query.max-length`, 1,000,000 characters by default | Trino, "Query management properties" |
| DuckDB | expression nesting deeper than `max_expression_depth` (1000) is refused | DuckDB configuration |
| Postgres | no text limit; deep nesting hits `max_stack_depth` (2 MB), about a thousand levels | PostgreSQL runtime config |
| Spark, Databricks | no text limit; a fused stage's Java method above 64 KB is not compiled and falls back | Spark SQL codegen |

A dbt model embeds up to two scoring statements (champion and challenger) plus its own SQL, so each
statement gets STATEMENT_SHARE of the text limit. Spark's 64 KB is not a text length: the scoring
models run there with whole-stage code generation off (macros/scoring/scoring_session.sql), where
each tree's CASE compiles as its own expression; the size of the largest one is recorded (not
enforced: Spark falls back to interpreting an expression it cannot compile, with the same result).

Besides text, a TreeSHAP reasons statement has a planning budget on every dialect, in terms
(shapley.statement_terms): a warehouse parses, binds and plans a statement in time and memory that
grow with its terms (DuckDB, 2 cores: about 0.5 ms per term, and 24 GB were not enough for one
statement of 177,000 terms), so a statement of more than MAX_STATEMENT_TERMS is split into batches of
trees that each hold at most that many, on DuckDB and Postgres too. Every batch still plans in bounded
memory; the time is about the same in one statement or several (measured: the demo's 17,800 terms
planned in 8.7 s whole and 8.1 s as 8 batches).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import sqlglot.expressions as exp

STATEMENT_SHARE = 0.45
DEFAULT_DEPTH_LIMIT = 1000


@dataclass(frozen=True)
class StatementLimit:
    max_text: int | None  # None: no documented text limit
    unit: str  # "characters" or "bytes"
    max_depth: int


LIMITS: dict[str, StatementLimit] = {
    "bigquery": StatementLimit(1_024_000, "characters", DEFAULT_DEPTH_LIMIT),
    "snowflake": StatementLimit(1_000_000, "bytes", DEFAULT_DEPTH_LIMIT),
    "trino": StatementLimit(1_000_000, "characters", DEFAULT_DEPTH_LIMIT),
    "duckdb": StatementLimit(None, "characters", 1000),
    "postgres": StatementLimit(None, "characters", DEFAULT_DEPTH_LIMIT),
    "spark": StatementLimit(None, "characters", DEFAULT_DEPTH_LIMIT),
    "databricks": StatementLimit(None, "characters", DEFAULT_DEPTH_LIMIT),
}
OVERRIDE_VARIABLE = "LEADSCORE_MAX_STATEMENT_CHARS"  # e.g. a Trino with a lower query.max-length
# TreeSHAP terms per statement, every dialect: the demo's LightGBM (164 trees x 15 leaves, 25,000
# terms) stays one statement.
MAX_STATEMENT_TERMS = 30_000
TERMS_OVERRIDE_VARIABLE = "LEADSCORE_MAX_STATEMENT_TERMS"


def text_budget(dialect: str) -> int | None:
    """The largest statement we emit for the dialect, in its unit (None: unlimited).
    $LEADSCORE_MAX_STATEMENT_CHARS, when set, caps every dialect (a warehouse configured lower)."""
    limit = LIMITS[dialect].max_text
    budget = None if limit is None else int(limit * STATEMENT_SHARE)
    override = os.environ.get(OVERRIDE_VARIABLE)
    if override:
        budget = min(int(override), budget) if budget is not None else int(override)
    return budget


def term_budget() -> int:
    """The most TreeSHAP terms one statement holds ($LEADSCORE_MAX_STATEMENT_TERMS, when set: a
    warehouse with more or less memory to plan in)."""
    override = os.environ.get(TERMS_OVERRIDE_VARIABLE)
    return int(override) if override else MAX_STATEMENT_TERMS


def text_size(text: str, dialect: str) -> int:
    return len(text.encode()) if LIMITS[dialect].unit == "bytes" else len(text)


def nesting_depth(expression: exp.Expression) -> int:
    """The deepest chain of nested expressions (what parsers and planners recurse on), without recursion."""
    deepest, pending = 0, [(expression, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        for child in node.iter_expressions():
            pending.append((child, depth + 1))
    return deepest


@dataclass(frozen=True)
class StatementSize:
    dialect: str
    kind: str
    size: int
    unit: str
    limit: int | None
    budget: int | None
    depth: int
    depth_limit: int
    largest_expression: int  # characters of the largest single term: a tree, or the linear part
    parts: int  # 1 = one statement; n = split into n batch statements and a final one
    largest_part: int

    @property
    def fits(self) -> bool:
        text_ok = self.budget is None or self.largest_part <= self.budget
        return text_ok and self.depth < self.depth_limit

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "fits": self.fits}
