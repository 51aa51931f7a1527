"""A blend's SQL (blending.LogOddsBlend): its components' statements, each read as a relation,
joined on the keys, and their log-odds (or contributions) combined with the blend's weights.

score           log_odds = sum_k w_k * log_odds_k (NULL when any component refused the row);
                raw_score = log_odds; probability = sigmoid(log_odds)
contributions   bias = sum_k w_k * bias_k; contribution__f = sum_k w_k * contribution__f_k

Each component's statement is its own, unchanged (so exact where it was exact). A blend over a
dialect's budget is split at the components: each component statement (or each of its batches, when
it was split itself) becomes a batch, and the final statement joins them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlglot.expressions as exp

from leadscore.transpile.budgets import LIMITS, StatementSize, text_budget, text_size
from leadscore.transpile.collector import without_collector
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.explain import CONTRIBUTION_PREFIX
from leadscore.transpile.interpreter import balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.query import probability_of
from leadscore.transpile.split import PART_PLACEHOLDER
from leadscore.transpile.statements import DialectStatement, is_refused

COMPONENT_PLACEHOLDER = "__blend_component_{}__"
_PART = re.compile(r"__scoring_part_(\d+)__")


def _alias(k: int) -> str:
    return f"c{k}"


def _weighted(column: str, weights: Sequence[float], quoted: bool = False) -> exp.Expression:
    terms = [
        exp.Mul(this=double(w), expression=exp.column(column, table=_alias(k), quoted=quoted))
        for k, w in enumerate(weights)
    ]
    return balanced_sum(terms)


def _joined(select: exp.Select, keys: Sequence[str], count: int) -> exp.Select:
    select = select.from_(exp.to_table(COMPONENT_PLACEHOLDER.format(0)).as_(_alias(0)), copy=False)
    for k in range(1, count):
        on = exp.and_(
            *[
                exp.EQ(
                    this=exp.column(key, table=_alias(0), quoted=True),
                    expression=exp.column(key, table=_alias(k), quoted=True),
                )
                for key in keys
            ]
        )
        select = select.join(
            exp.to_table(COMPONENT_PLACEHOLDER.format(k)).as_(_alias(k)), on=on, join_type="inner", copy=False
        )
    return select


def score_wrapper(keys: Sequence[str], weights: Sequence[float]) -> exp.Select:
    """keys, raw_score, log_odds, probability over the components' score statements."""
    key_columns = [exp.column(key, quoted=True) for key in keys]
    blended = _joined(
        exp.select(
            *[exp.column(key, table=_alias(0), quoted=True) for key in keys],
            _weighted("log_odds", weights).as_("log_odds"),
            copy=False,
        ),
        keys,
        len(weights),
    )
    log_odds, probability = probability_of(exp.column("log_odds"), -1.0, 0.0)
    del log_odds  # the blended column is the log-odds itself
    final = exp.select(
        *key_columns,
        exp.column("log_odds").as_("raw_score"),
        exp.column("log_odds"),
        probability.as_("probability"),
        copy=False,
    ).from_("blended", copy=False)
    return final.with_("blended", as_=blended, copy=False)


def contributions_wrapper(
    keys: Sequence[str], weights: Sequence[float], features: Sequence[str]
) -> exp.Select:
    """keys, bias and contribution__<feature> over the components' contribution statements."""
    outputs = [
        _weighted(CONTRIBUTION_PREFIX + feature, weights, quoted=True).as_(
            exp.to_identifier(CONTRIBUTION_PREFIX + feature, quoted=True), copy=False
        )
        for feature in features
    ]
    select = exp.select(
        *[exp.column(key, table=_alias(0), quoted=True) for key in keys],
        _weighted("bias", weights).as_("bias"),
        *outputs,
        copy=False,
    )
    return _joined(select, keys, len(weights))


def _fill(wrapper_sql: str, components: Sequence[str]) -> str:
    text = wrapper_sql
    for k, component in enumerate(components):
        text = text.replace(COMPONENT_PLACEHOLDER.format(k), component)
    return text


@dataclass
class BlendQuery:
    """A blend's statement (score or contributions), printed per dialect like ScoringQuery."""

    wrapper: exp.Select
    components: list[object]  # each with sql(dialect, relation=...)
    features: list[str]
    bias: float = 0.0
    expression: exp.Select | None = None

    def sql(self, dialect: str = "duckdb", relation: str | None = None, pretty: bool = False) -> str:
        del pretty  # the components print compactly; the wrapper is short
        texts = [f"({component.sql(dialect, relation=relation)})" for component in self.components]
        return _fill(self.wrapper.sql(dialect=sql_dialect(dialect)), texts)

    def sql_over(self, dialect: str, results: Sequence[str]) -> str:
        """The statement reading each component's result from a relation that already holds it
        (results[k], the component's statement run on the same input), not running them again."""
        texts = [f"(select * from {result})" for result in results]
        return _fill(self.wrapper.sql(dialect=sql_dialect(dialect)), texts)


def _renumbered(text: str, offset: int) -> str:
    """Part placeholders shifted by offset, in one pass (so part 1 -> 3 never becomes 5)."""
    return _PART.sub(lambda match: PART_PLACEHOLDER.format(int(match.group(1)) + offset), text)


def blend_statement(
    kind: str, wrapper: exp.Select, components: Sequence[DialectStatement], dialect: str
) -> DialectStatement:
    """The blend's statement for one dialect, split at its components when over the text budget or
    when a component is split."""
    refused = next((c.text for c in components if is_refused(c.text)), None)
    wrapper_sql = wrapper.sql(dialect=sql_dialect(dialect))
    text = refused or _fill(wrapper_sql, [f"({c.text})" for c in components])  # a refused part refuses all
    size = text_size(text, dialect)
    budget = text_budget(dialect)
    split = None
    parts_count, largest = 1, size
    over_text = budget is not None and size > budget
    # A component split for any reason (its text, or TreeSHAP's planning budget) keeps its batches.
    if (over_text or any(c.split is not None for c in components)) and refused is None:
        parts: list[str] = []
        references: list[str] = []
        for component in components:
            if component.split is None:
                references.append(PART_PLACEHOLDER.format(len(parts)))
                parts.append(component.text)
            else:
                own_parts, own_final = component.split
                offset = len(parts)
                parts.extend(_renumbered(part, offset) for part in own_parts)
                references.append(f"({_renumbered(own_final, offset)})")
        final = _fill(wrapper_sql, references)
        split = (parts, final)
        parts_count = len(parts)
        largest = max(text_size(statement, dialect) for statement in [*parts, final])
    sizes = [c.size for c in components]
    limit = LIMITS[dialect]
    return DialectStatement(
        text=text,
        split=split,
        size=StatementSize(
            dialect=dialect,
            kind=kind,
            size=size,
            unit=limit.unit,
            limit=limit.max_text,
            budget=budget,
            depth=max(s.depth for s in sizes) + 3,
            depth_limit=limit.max_depth,
            largest_expression=max(s.largest_expression for s in sizes),
            parts=parts_count,
            largest_part=largest,
        ),
    )


@without_collector
def blend_statements(
    keys: Sequence[str],
    weights: Sequence[float],
    features: Sequence[str],
    components: Sequence[dict[str, dict[str, DialectStatement]]],
) -> dict[str, dict[str, DialectStatement]]:
    """Every kind of a blend's statements that any component has, for every dialect its components
    were fitted for. A component without a kind of contributions (a linear model keeps one kind of
    reasons, whatever the trees' method) lends its served contributions to it."""
    kinds = dict.fromkeys(kind for component in components for kind in component)
    wrappers = {
        kind: score_wrapper(keys, weights)
        if kind == "score"
        else contributions_wrapper(keys, weights, features)
        for kind in kinds
    }
    return {
        kind: {
            dialect: blend_statement(
                kind, wrapper, [c.get(kind, c["contributions"])[dialect] for c in components], dialect
            )
            for dialect in components[0]["score"]
        }
        for kind, wrapper in wrappers.items()
    }


@without_collector
def blend_queries(
    keys: Sequence[str],
    weights: Sequence[float],
    features: Sequence[str],
    scores: Sequence[object],
    contributions: Sequence[object],
) -> tuple[BlendQuery, BlendQuery]:
    """(score query, contribution query) of a blend, from its components' queries."""
    bias = sum(w * float(c.bias) for w, c in zip(weights, contributions, strict=True))
    return (
        BlendQuery(score_wrapper(keys, weights), list(scores), list(features)),
        BlendQuery(contributions_wrapper(keys, weights, features), list(contributions), list(features), bias),
    )
