"""Per-feature contributions to the calibrated log-odds, as SQL, exact by construction:
bias + sum(contributions) = log_odds on every row.

- Logistic regression: contribution of a feature = sum over its prepared columns of
  coef * (value - training mean); the bias takes intercept + sum(coef * mean).
- Gradient boosting: path contributions (Saabas). Each node's expected value is the mean of the
  leaf values under it, weighted by training samples; walking from the root to the leaf, each
  split's feature gets (child expectation - parent expectation). Along a path these telescope to
  leaf - root, so bias = initial score + sum of root expectations.
Both are then scaled into the calibrated log-odds: log_odds = -(a * raw + b).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlglot.expressions as exp
from m2cgen import ast
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree._tree import Tree

from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.interpreter import SqlInterpreter, balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.preprocessing import prepared_columns
from leadscore.transpile.query import INPUT_PLACEHOLDER, unwrap

CONTRIBUTION_PREFIX = "contribution__"


@dataclass
class ContributionQuery:
    expression: exp.Select
    features: list[str]
    bias: float  # calibrated log-odds of a lead at the reference point

    def sql(self, dialect: str = "duckdb", relation: str | None = None, pretty: bool = False) -> str:
        text = self.expression.sql(dialect=sql_dialect(dialect), pretty=pretty)
        return text if relation is None else text.replace(INPUT_PLACEHOLDER, relation)


def _logistic(
    model: LogisticRegression,
    sources: list[str],
    means: Sequence[float],
    columns: list[exp.Expression],
    scale: float,
):
    coefficients = model.coef_[0]
    per_feature: dict[str, list[exp.Expression]] = {}
    raw_bias = float(model.intercept_[0])
    for k, (coefficient, mean) in enumerate(zip(coefficients, means, strict=True)):
        if coefficient == 0.0:
            continue
        raw_bias += float(coefficient) * float(mean)
        centred = exp.Paren(this=exp.Sub(this=columns[k].copy(), expression=double(mean)))
        per_feature.setdefault(sources[k], []).append(
            exp.Mul(this=double(scale * float(coefficient)), expression=centred)
        )
    return {feature: balanced_sum(terms) for feature, terms in per_feature.items()}, raw_bias


def _expectations(tree: Tree, learning_rate: float) -> np.ndarray:
    """Each node's expected leaf value (scaled by the learning rate), weighted by training samples."""
    expected = np.zeros(tree.node_count)
    weight = tree.weighted_n_node_samples
    for node in reversed(range(tree.node_count)):  # children always have larger ids than parents
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            expected[node] = learning_rate * tree.value[node][0][0]
        else:
            expected[node] = (weight[left] * expected[left] + weight[right] * expected[right]) / (
                weight[left] + weight[right]
            )
    return expected


def _tree_contributions(
    tree: Tree, expected: np.ndarray, sources: list[str], interpreter: SqlInterpreter, scale: float
):
    """{feature: SQL of its contribution in this tree}; subtrees where it is constant collapse."""
    features_in_tree = {
        sources[tree.feature[n]] for n in range(tree.node_count) if tree.children_left[n] != -1
    }

    def build(node: int, feature: str, accumulated: float) -> tuple[exp.Expression, float | None]:
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            return double(scale * accumulated), accumulated
        own = sources[tree.feature[node]] == feature
        left_sql, left_value = build(
            left, feature, accumulated + (expected[left] - expected[node] if own else 0.0)
        )
        right_sql, right_value = build(
            right, feature, accumulated + (expected[right] - expected[node] if own else 0.0)
        )
        if left_value is not None and left_value == right_value:
            return left_sql, left_value
        test = interpreter(
            ast.CompExpr(
                ast.FeatureRef(int(tree.feature[node])),
                ast.NumVal(float(tree.threshold[node])),
                ast.CompOpType.LTE,
            )
        )
        return exp.Case(ifs=[exp.If(this=test, true=left_sql)], default=right_sql), None

    return {feature: build(0, feature, 0.0)[0] for feature in sorted(features_in_tree)}


def _gradient_boosting(
    model: GradientBoostingClassifier, sources: list[str], interpreter: SqlInterpreter, scale: float
):
    per_feature: dict[str, list[exp.Expression]] = {}
    raw_bias = float(model._raw_predict_init(np.zeros((1, model.n_features_in_)))[0, 0])
    for estimator in model.estimators_[:, 0]:
        tree = estimator.tree_
        expected = _expectations(tree, model.learning_rate)
        raw_bias += float(expected[0])
        for feature, sql in _tree_contributions(tree, expected, sources, interpreter, scale).items():
            per_feature.setdefault(feature, []).append(sql)
    return {feature: balanced_sum(terms) for feature, terms in per_feature.items()}, raw_bias


def build_contribution_query(
    calibrated: CalibratedClassifierCV,
    keys: Sequence[str],
    features: Sequence[str],
    reference_means: Sequence[float] | None = None,
) -> ContributionQuery:
    """reference_means: the training mean of every prepared column (needed for linear models)."""
    pipeline, slope, intercept = unwrap(calibrated)
    source_alias = "source"
    prepared = prepared_columns(
        pipeline.named_steps["prepare"], lambda name: exp.column(name, table=source_alias, quoted=True)
    )
    sources = [column.source for column in prepared]
    columns = [exp.column(f"f{i}") for i in range(len(prepared))]
    model = pipeline.named_steps["model"]
    scale = -slope  # calibrated log-odds = -(a * raw + b)
    if isinstance(model, LogisticRegression):
        if reference_means is None or len(reference_means) != len(prepared):
            raise ValueError("logistic contributions need the training mean of every prepared column")
        contributions, raw_bias = _logistic(model, sources, reference_means, columns, scale)
    elif isinstance(model, GradientBoostingClassifier):
        contributions, raw_bias = _gradient_boosting(
            model, sources, SqlInterpreter(columns, float32_inputs=True), scale
        )
    else:
        raise UnsupportedModelError(f"no contributions for {type(model).__name__}")
    bias = scale * raw_bias - intercept

    key_columns = [exp.column(key, quoted=True) for key in keys]
    prepared_select = exp.select(
        *[exp.column(key, table=source_alias, quoted=True) for key in keys],
        *[column.sql.as_(f"f{i}") for i, column in enumerate(prepared)],
    ).from_(exp.to_table(INPUT_PLACEHOLDER).as_(source_alias))
    outputs = [
        contributions.get(feature, double(0.0)).as_(
            exp.to_identifier(CONTRIBUTION_PREFIX + feature, quoted=True)
        )
        for feature in features
    ]
    final = (
        exp.select(*[k.copy() for k in key_columns], double(bias).as_("bias"), *outputs)
        .from_("prepared")
        .with_("prepared", as_=prepared_select)
    )
    return ContributionQuery(expression=final, features=list(features), bias=bias)
