"""Per-feature contributions to the calibrated log-odds, as SQL, exact by construction:
bias + sum(contributions) = log_odds on every row.

- Linear part: contribution of a feature = sum over its model inputs of coef * (value - training
  mean); the bias takes intercept + sum(coef * mean).
- Trees (every family, through trees.Tree): Saabas path contributions. Each node's expected value is
  the training-weighted mean of the leaves under it; walking root to leaf, each split's feature gets
  (child expectation - parent expectation). Along a path these telescope to leaf - root, so the
  bias takes the constant plus every tree's root expectation. In SQL each tree's leaf is found once
  per row (a `leaves` CTE); a feature's contribution is then a constant looked up by leaf.
Both are then scaled into the calibrated log-odds, which must be linear in the raw score:
log_odds = -(a * raw + b) for a Platt-calibrated model whose calibrator reads the raw score (or a
forest's averaged probability); scale * raw for an uncalibrated logistic-link model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlglot.expressions as exp

from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.blocks import Blocks
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.interpreter import balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.query import INPUT_PLACEHOLDER, float32_stages, translate
from leadscore.transpile.trees import leaf_number_sql, leaves_in_order, path_contributions

CONTRIBUTION_PREFIX = "contribution__"


@dataclass
class ContributionQuery:
    expression: exp.Select  # the whole query; sql() prints `skeleton` + `blocks`
    features: list[str]
    bias: float  # calibrated log-odds of a lead at the reference point
    skeleton: exp.Select | None = None
    blocks: Blocks = field(default_factory=Blocks)

    def sql(self, dialect: str = "duckdb", relation: str | None = None, pretty: bool = False) -> str:
        skeleton = self.skeleton if self.skeleton is not None else self.expression
        text = self.blocks.fill(skeleton.sql(dialect=sql_dialect(dialect), pretty=pretty), dialect)
        return text if relation is None else text.replace(INPUT_PLACEHOLDER, relation)


def _linear(
    model: object, sources: list[str], means: Sequence[float], columns: list[exp.Expression], scale: float
):
    coefficients = np.asarray(model.coef_).ravel()
    per_feature: dict[str, list[exp.Expression]] = {}
    raw_bias = float(np.asarray(model.intercept_).ravel()[0])
    for k, (coefficient, mean) in enumerate(zip(coefficients, means, strict=True)):
        if coefficient == 0.0:
            continue
        raw_bias += float(coefficient) * float(mean)
        centred = exp.Paren(this=exp.Sub(this=columns[k].copy(), expression=double(mean)))
        per_feature.setdefault(sources[k], []).append(
            exp.Mul(this=double(scale * float(coefficient)), expression=centred)
        )
    return per_feature, raw_bias


@dataclass
class Explained:
    """A model's contributions before they become a query: the linear terms per feature, each
    tree's leaf-number expression and its per-feature terms (reading column leaf<k>), and the bias."""

    translation: object
    linear: dict[str, list[exp.Expression]]
    leaf_numbers: list[exp.Expression]
    tree_terms: list[dict[str, exp.Expression]]
    bias: float
    scale: float = 1.0  # calibrated log-odds per unit of raw score

    def per_feature(
        self, trees: Sequence[int] | None = None, linear: bool = True
    ) -> dict[str, list[exp.Expression]]:
        """Each feature's terms: the linear ones, then the trees' in tree order."""
        terms: dict[str, list[exp.Expression]] = {}
        if linear:
            for feature, parts in self.linear.items():
                terms.setdefault(feature, []).extend(parts)
        for k in range(len(self.tree_terms)) if trees is None else trees:
            for feature, sql in self.tree_terms[k].items():
                terms.setdefault(feature, []).append(sql)
        return terms


def explain(
    estimator: object, keys: Sequence[str], reference_means: Sequence[float] | None = None
) -> Explained:
    """reference_means: the training mean of every model input column (needed for linear models)."""
    translation = translate(estimator, keys)
    raw = translation.raw
    calibration = translation.decomposed.calibration
    if calibration is not None:
        if not raw.has_decision_function and raw.link in ("logit", "float32_logit"):
            raise UnsupportedModelError(
                "reasons need a calibrator fitted on the raw score; this one reads predict_proba, "
                "which is not additive in the trees"
            )
        slope, intercept = calibration
        scale = -slope  # calibrated log-odds = -(a * raw + b)
    elif raw.link in ("logit", "float32_logit"):
        scale, intercept = raw.link_scale, 0.0
    else:
        raise UnsupportedModelError(
            "reasons need log-odds that are linear in the model's output: calibrate it"
        )
    sources = [column.source for column in translation.inputs]
    columns = translation.features
    linear: dict[str, list[exp.Expression]] = {}
    raw_bias = raw.constant
    if raw.linear is not None:
        if reference_means is None or len(reference_means) != len(columns):
            raise ValueError("linear contributions need the training mean of every model input column")
        linear, linear_bias = _linear(translation.decomposed.model, sources, reference_means, columns, scale)
        raw_bias += linear_bias
    inputs = translation.tree_inputs
    leaf_numbers: list[exp.Expression] = []
    tree_terms: list[dict[str, exp.Expression]] = []
    for k, tree in enumerate(raw.trees):
        leaf_numbers.append(leaf_number_sql(tree, inputs))
        contributions, root = path_contributions(tree, sources, exp.column(f"leaf{k}"), scale)
        raw_bias += root
        tree_terms.append(dict(contributions))
    return Explained(translation, linear, leaf_numbers, tree_terms, scale * raw_bias - intercept, scale)


def _leaf_value(tree, leaf_number: exp.Expression) -> exp.Expression:
    """The value of the leaf a row reached, from the column holding minus its position."""
    values = [tree.values[node] for node in leaves_in_order(tree)]
    ifs = [
        exp.If(
            this=exp.GTE(this=leaf_number.copy(), expression=exp.Literal.number(-position)), true=double(v)
        )
        for position, v in enumerate(values[:-1], start=1)
    ]
    return exp.Case(ifs=ifs, default=double(values[-1])) if ifs else double(values[-1])


def float32_residual(raw, scale: float) -> tuple[exp.Expression, list[tuple[str, exp.Select]], str]:
    """scale x (XGBoost's float32 running sum - the exact sum of the same leaves), per row, over the
    `leaves` CTE (in steps, float32_stages). Path contributions telescope to the exact sum; this
    row's rounding joins the bias, so bias + contributions equal the log-odds the score reports,
    exactly as for every other family. Returns (residual, the step CTEs, the relation to read)."""
    leaves = [_leaf_value(tree, exp.column(f"leaf{k}")) for k, tree in enumerate(raw.trees)]
    running, steps, source = float32_stages(double(raw.constant), leaves, "leaves", "float32_running")
    exact = balanced_sum([double(raw.constant), *[leaf.copy() for leaf in leaves]])
    residual = exp.Mul(this=double(scale), expression=exp.Paren(this=exp.Sub(this=running, expression=exact)))
    return residual, steps, source


def build_contribution_query(
    estimator: object,
    keys: Sequence[str],
    features: Sequence[str],
    reference_means: Sequence[float] | None = None,
) -> ContributionQuery:
    """reference_means: the training mean of every model input column (needed for linear models)."""
    explained = explain(estimator, keys, reference_means)
    translation, raw = explained.translation, explained.translation.raw
    per_feature = explained.per_feature()
    leaf_numbers = explained.leaf_numbers
    bias = explained.bias

    key_columns = [exp.column(key, quoted=True) for key in keys]
    sums = {feature: balanced_sum(per_feature[feature]) for feature in features if feature in per_feature}
    blocks = Blocks()

    def query(placeholders: bool) -> exp.Select:
        def block(expression: exp.Expression) -> exp.Expression:
            return blocks.add(expression) if placeholders else expression

        outputs = [
            (block(sums[feature]) if feature in sums else double(0.0)).as_(
                exp.to_identifier(CONTRIBUTION_PREFIX + feature, quoted=True), copy=False
            )
            for feature in features
        ]
        bias_sql, steps, source = double(bias), [], "leaves"
        if raw.float32_sum and leaf_numbers:
            residual, steps, source = float32_residual(raw, explained.scale)
            bias_sql = exp.Add(this=bias_sql, expression=residual)
        final = exp.select(*[k.copy() for k in key_columns], bias_sql.as_("bias"), *outputs, copy=False)
        prepared = translation.prepared_select()
        if not leaf_numbers:
            return final.from_("prepared", copy=False).with_(
                "prepared", as_=prepared, materialized=True, copy=False
            )
        # Each tree's leaf once per row, then every feature's share of it.
        leaves = exp.select(
            exp.Star(),
            *[block(number).as_(f"leaf{k}", copy=False) for k, number in enumerate(leaf_numbers)],
            copy=False,
        )
        leaves = leaves.from_("prepared", copy=False)
        final = final.from_(source, copy=False).with_("prepared", as_=prepared, materialized=True, copy=False)
        final = final.with_("leaves", as_=leaves, materialized=True, copy=False)
        for name, step in steps:
            final = final.with_(name, as_=step, copy=False)
        return final

    skeleton = query(placeholders=True) if raw.trees else None
    return ContributionQuery(
        expression=query(placeholders=False),
        features=list(features),
        bias=bias,
        skeleton=skeleton,
        blocks=blocks,
    )
