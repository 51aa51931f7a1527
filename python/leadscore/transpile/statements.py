"""Every dialect's statement for one model and kind (score or contributions), measured against the
dialect's budget (budgets.py) and split exactly where it does not fit (split.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlglot.expressions as exp

from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.budgets import LIMITS, StatementSize, nesting_depth, text_budget, text_size
from leadscore.transpile.collector import without_collector
from leadscore.transpile.dialects import NoFloat32TypeError
from leadscore.transpile.explain import ContributionQuery
from leadscore.transpile.query import ScoringQuery, score_terms, translate
from leadscore.transpile.split import (
    SplitStatement,
    fit_to_budget,
    planning_batches,
    split_contribution_query,
    split_scoring_query,
)

REFUSED_MARKER = "-- leadscore: refused on this warehouse: "
# A tree model served with Shapley reasons (`leadscore train --reasons shapley`) also keeps Saabas
# ones, for comparison: the dbt var leadscore_tree_reasons: saabas switches the reasons views to them
# without retraining.
COMPARISON_KIND = "contributions_saabas"


def refused_statement(reason: str) -> str:
    """What is saved for a dialect the model cannot be exact on: the reason, and no SQL. The dbt
    macro for it raises that reason at compile time (registry/dbt_assets.py)."""
    return REFUSED_MARKER + " ".join(reason.split()) + "\n"


def is_refused(text: str) -> bool:
    return text.startswith(REFUSED_MARKER)


def refusal_reason(text: str) -> str | None:
    return text[len(REFUSED_MARKER) :].strip() if is_refused(text) else None


class Printable(Protocol):
    def sql(self, dialect: str) -> str: ...


@dataclass
class DialectStatement:
    text: str  # the whole statement
    split: tuple[list[str], str] | None  # (batch statements, final statement) when over budget
    size: StatementSize


def _largest_expression(summands: Sequence[exp.Expression]) -> int:
    """Characters of the biggest single summand (a tree's CASE): what Spark compiles as one method."""
    if not summands:
        return 0
    biggest = max(summands, key=lambda summand: sum(1 for _ in summand.walk()))
    return len(biggest.sql(dialect="duckdb"))


def fit_statements(
    kind: str,
    whole: Printable,
    expression: exp.Expression,
    summands: Sequence[exp.Expression],
    build_split: Callable[[int], SplitStatement],
    dialects: Sequence[str],
    least_batches: int = 1,
) -> dict[str, DialectStatement]:
    """least_batches: split into at least this many batches on every dialect, whatever its text
    budget (a TreeSHAP statement over the planning budget, split.planning_batches)."""
    depth = nesting_depth(expression)
    largest_expression = _largest_expression(summands)
    built: dict[int, SplitStatement] = {}  # one split per batch count, printed per dialect

    def cached_split(batches: int) -> SplitStatement:
        if batches not in built:
            built[batches] = build_split(batches)
        return built[batches]

    fitted = {}
    for dialect in dialects:
        try:
            text = whole.sql(dialect)
        except NoFloat32TypeError as refusal:  # this model cannot be exact there: say so, run nothing
            text = refused_statement(str(refusal))
        size = text_size(text, dialect)
        budget = text_budget(dialect)
        split, parts, largest = None, 1, size
        over_text = budget is not None and size > budget
        if (over_text or least_batches > 1) and len(summands) > 1 and not is_refused(text):
            try:
                split, parts, largest = fit_to_budget(
                    cached_split, dialect, budget, len(summands), size, least_batches
                )
            except UnsupportedModelError as refusal:  # over the budget, and not splittable exactly
                text = refused_statement(f"{dialect}: {refusal}")
                size = largest = text_size(text, dialect)
        limit = LIMITS[dialect]
        fitted[dialect] = DialectStatement(
            text=text,
            split=split,
            size=StatementSize(
                dialect=dialect,
                kind=kind,
                size=size,
                unit=limit.unit,
                limit=limit.max_text,
                budget=budget,
                depth=depth,
                depth_limit=limit.max_depth,
                largest_expression=largest_expression,
                parts=parts,
                largest_part=largest,
            ),
        )
    return fitted


@without_collector
def fit_model_statements(
    estimator: object,
    keys: Sequence[str],
    features: Sequence[str],
    reference_means: Sequence[float] | None,
    query: ScoringQuery,
    contributions: ContributionQuery,
    dialects: Sequence[str],
    comparison: ContributionQuery | None = None,
) -> dict[str, dict[str, DialectStatement]]:
    """Each kind of a model's statements (score, contributions, and COMPARISON_KIND when a
    `comparison` contribution query is given) for every dialect, split where over budget. The
    summands (constant, linear part, trees) say how far the score can be split; the contributions
    are split with the method they were built with."""
    summands = score_terms(translate(estimator, keys))

    def contribution_statements(kind: str, built: ContributionQuery) -> dict[str, DialectStatement]:
        return fit_statements(
            kind,
            built,
            built.expression,
            summands,
            lambda batches: split_contribution_query(
                estimator, keys, features, reference_means, batches, built.method, built.explained
            ),
            dialects,
            planning_batches(built.explained) if built.explained is not None else 1,
        )

    fitted = {
        "score": fit_statements(
            "score",
            query,
            query.expression,
            summands,
            lambda batches: split_scoring_query(estimator, keys, batches),
            dialects,
        ),
        "contributions": contribution_statements("contributions", contributions),
    }
    if comparison is not None:
        fitted[COMPARISON_KIND] = contribution_statements(COMPARISON_KIND, comparison)
    return fitted
