"""Per-feature contributions to the calibrated log-odds, as SQL, exact by construction:
bias + sum(contributions) = log_odds on every row.

- Linear part: contribution of a feature = sum over its model inputs of coef * (value - training
  mean); the bias takes intercept + sum(coef * mean).
- Trees (every family, through trees.Tree), by `method`:
  - "shapley": exact path-dependent TreeSHAP, the values LightGBM's pred_contrib and
    shap's TreeExplainer give (shapley.py); the bias takes every tree's expected value.
  - "saabas" (kept beside served Shapley ones for comparison; served on PostgreSQL and Spark by
    default, or when training is told --reasons saabas): path contributions. Each node's expected value is the training-weighted mean of the
    leaves under it; walking root to leaf, each split's feature gets (child expectation - parent
    expectation). Along a path these telescope to leaf - root, so the bias takes the constant plus
    every tree's root expectation. Each tree's leaf is found once per row; a feature's contribution
    is then a constant looked up by leaf. Cheaper, but not Shapley values: it favours the features
    split on near the root.
  Either way the per-row columns a tree needs are computed in stages of CTEs (`tree_stages`) before
  the final select sums each feature's terms.
Both are then scaled into the calibrated log-odds, which must be linear in the raw score:
log_odds = -(a * raw + b) for a Platt-calibrated model whose calibrator reads the raw score (or a
forest's averaged probability); scale * raw for an uncalibrated logistic-link model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlglot.expressions as exp

from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.blocks import Blocks, SharedPrints, arithmetic
from leadscore.transpile.budgets import term_budget
from leadscore.transpile.collector import without_collector
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.interpreter import balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.query import INPUT_PLACEHOLDER, float32_stages, translate
from leadscore.transpile.shapley import statement_terms, tree_shapley
from leadscore.transpile.trees import leaf_number_sql, leaves_in_order, path_contributions

CONTRIBUTION_PREFIX = "contribution__"
METHODS = ("shapley", "saabas")
# The largest model whose TreeSHAP reasons we write, in statement_terms: what the translation holds in
# memory at once (every tree's stage columns and terms). A warehouse never plans more than
# budgets.MAX_STATEMENT_TERMS of it in one statement (split.planning_batches). Measured on 2 cores /
# 24 GB: LightGBM 400 trees x 31 leaves (204,647 terms) explains in 33 s and 2.9 GB, 5.9 GB with its
# whole statement built beside it (28.6 MB of DuckDB SQL, run as 8 batches of at most 4.1 MB).
MAX_SHAPLEY_TERMS = 250_000
STAGE_RELATIONS = ("leaves", "shapley_weights", "shapley_disagreements")  # each stage's CTE
SHAPLEY_BLOCK_COLUMNS = 1200  # stage columns per block of trees: a select list stays under Postgres's 1,664


class ShapleyTooLargeError(UnsupportedModelError):
    """The model's TreeSHAP reasons would be too large to build (MAX_SHAPLEY_TERMS)."""


@dataclass
class ContributionQuery:
    expression: exp.Select  # the whole query; sql() prints `skeleton` + `blocks`
    features: list[str]
    bias: float  # calibrated log-odds of a lead at the reference point
    skeleton: exp.Select | None = None
    blocks: Blocks = field(default_factory=Blocks)
    method: str = "saabas"  # how trees are explained (METHODS)
    tree_count: int = 0  # the trees explained (0: a linear model, whose reasons have one method)
    # What the query was built from: a split of it reuses it rather than explaining the model again
    # (TreeSHAP's terms for the demo's LightGBM take seconds to build).
    explained: Explained | None = field(default=None, repr=False)

    @without_collector
    def sql(self, dialect: str = "duckdb", relation: str | None = None, pretty: bool = False) -> str:
        skeleton = self.skeleton if self.skeleton is not None else self.expression
        text = self.blocks.fill(
            skeleton.sql(dialect=sql_dialect(dialect), pretty=pretty, copy=False), dialect
        )
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
    """A model's contributions before they become a query: the linear terms per feature; per tree,
    the columns it computes per row in each stage (stage 0 reads `prepared`, stage s reads stage
    s - 1; Saabas: the leaf number leaf<k>; Shapley: split tests, then path weights) and its
    per-feature terms reading them; and the bias."""

    translation: object
    linear: dict[str, list[exp.Expression]]
    tree_stages: list[list[list[tuple[str, exp.Expression]]]]
    tree_terms: list[dict[str, list[exp.Expression]]]
    bias: float
    scale: float = 1.0  # calibrated log-odds per unit of raw score
    method: str = "saabas"
    # Printings of the stage columns, shared by every statement built from this explanation (the
    # whole query and the batches of each split): each is printed once per literal style.
    printed: SharedPrints = field(default_factory=dict, repr=False)

    def per_feature(
        self, trees: Sequence[int] | None = None, linear: bool = True
    ) -> dict[str, list[exp.Expression]]:
        """Each feature's terms: the linear ones, then the trees' in tree order."""
        terms: dict[str, list[exp.Expression]] = {}
        if linear:
            for feature, parts in self.linear.items():
                terms.setdefault(feature, []).extend(parts)
        for k in range(len(self.tree_terms)) if trees is None else trees:
            for feature, parts in self.tree_terms[k].items():
                terms.setdefault(feature, []).extend(parts)
        return terms

    @property
    def tree_count(self) -> int:
        return len(self.tree_terms)

    def tree_selects(
        self,
        trees: Sequence[int],
        features: Sequence[str],
        column: Callable[[exp.Expression], exp.Expression],
        linear: bool = True,
    ) -> tuple[list[tuple[str, exp.Select]], str, dict[str, exp.Expression]]:
        """The CTEs (name, select) computing the trees' per-row columns, from `prepared`; the
        relation the final select reads; and each feature's contribution over it (the linear part
        included when `linear`). column(expr) lets the caller swap large expressions for block
        placeholders.

        Saabas: one CTE of leaf numbers, every tree at once. Shapley: the trees in blocks of at most
        SHAPLEY_BLOCK_COLUMNS stage columns; each block's stages (tests, path weights, the
        disagreement terms) are CTEs over the one before, and a last CTE per block adds the block's
        terms to one running sum per feature and keeps only the prepared columns and the sums. So a
        select list stays under PostgreSQL's 1,664 entries and the planner never sees all the
        stage columns of a large model at once (measured: it binds a wide select in time that grows
        faster than its width)."""
        if self.method == "saabas" or not trees:
            ctes, source = self._stage_ctes(trees, column, "prepared", "")
            terms = self.per_feature(trees=trees, linear=linear)
            return ctes, source, {f: column(balanced_sum(terms[f])) for f in features if f in terms}
        passthrough = [select.alias_or_name for select in self.translation.prepared_select().selects]
        ctes: list[tuple[str, exp.Select]] = []
        source, running = "prepared", {}
        for index, block in enumerate(_blocks(trees, self.tree_stages)):
            stages, source = self._stage_ctes(block, column, source, f"_{index}")
            ctes += stages
            passthrough += [
                alias for k in block for alias, _ in self.tree_stages[k][0] if alias.startswith("leaf")
            ]
            terms = self.per_feature(trees=block, linear=False)
            sums = []
            for position, feature in enumerate(features):
                parts = [*([running[feature]] if feature in running else []), *terms.get(feature, [])]
                if parts:
                    running[feature] = exp.column(f"running{position}")
                    summed = arithmetic(balanced_sum(parts))  # stage columns and TreeSHAP's constants
                    sums.append(column(summed).as_(f"running{position}", copy=False))
            kept = [exp.column(name, quoted=True) for name in passthrough]
            name = f"shapley_sums_{index}"
            ctes.append((name, exp.select(*kept, *sums, copy=False).from_(source, copy=False)))
            source = name
        contributions = {}
        for feature in features:
            parts = [
                *(self.linear.get(feature, []) if linear else []),
                *([running[feature]] if feature in running else []),
            ]
            if parts:
                contributions[feature] = balanced_sum([part.copy() for part in parts])
        return ctes, source, contributions

    def _stage_ctes(
        self, trees: Sequence[int], column, source: str, suffix: str
    ) -> tuple[list[tuple[str, exp.Select]], str]:
        """The trees' stage columns as CTEs (STAGE_RELATIONS[stage] + suffix), each over the one
        before, the first over `source`; and the last one's name."""
        ctes = []
        for stage in range(max((len(self.tree_stages[k]) for k in trees), default=0)):
            columns = [
                column(sql).as_(alias, copy=False)
                for k in trees
                if stage < len(self.tree_stages[k])
                for alias, sql in self.tree_stages[k][stage]
            ]
            select = exp.select(exp.Star(), *columns, copy=False).from_(source, copy=False)
            source = STAGE_RELATIONS[stage] + suffix
            ctes.append((source, select))
        return ctes, source


def _blocks(trees: Sequence[int], tree_stages) -> list[list[int]]:
    """Consecutive trees, as many per block as fit SHAPLEY_BLOCK_COLUMNS stage columns (at least one)."""
    blocks: list[list[int]] = []
    width = 0
    for k in trees:
        columns = sum(len(stage) for stage in tree_stages[k])
        if not blocks or width + columns > SHAPLEY_BLOCK_COLUMNS:
            blocks.append([])
            width = 0
        blocks[-1].append(k)
        width += columns
    return blocks


def explain(
    estimator: object,
    keys: Sequence[str],
    reference_means: Sequence[float] | None = None,
    method: str = "saabas",
) -> Explained:
    """reference_means: the training mean of every model input column (needed for linear models).
    method: how trees are explained, "shapley" (TreeSHAP) or "saabas" (path contributions)."""
    if method not in METHODS:
        raise ValueError(f"unknown reasons method {method!r}: use one of {', '.join(METHODS)}")
    translation = translate(estimator, keys)
    if method == "shapley":
        terms = statement_terms(translation.raw.trees)
        if terms > MAX_SHAPLEY_TERMS:
            raise ShapleyTooLargeError(
                f"TreeSHAP reasons for {len(translation.raw.trees)} trees would take {terms:,} SQL terms, "
                f"over the {MAX_SHAPLEY_TERMS:,} a translation builds in reasonable memory: use Saabas "
                "reasons (--reasons saabas) or fewer, smaller trees"
            )
        if translation.raw.float32_sum and terms > term_budget():
            # XGBoost's float32 running sum cannot be split into batches exactly (split.py), so its
            # statement would be planned whole, over the planning budget.
            raise ShapleyTooLargeError(
                f"TreeSHAP reasons for this XGBoost model ({len(translation.raw.trees)} trees) would take "
                f"{terms:,} SQL terms in one statement, over the {term_budget():,} a warehouse plans at "
                "once, and its float32 sum cannot be split: use Saabas reasons (--reasons saabas) or "
                "fewer, smaller trees"
            )
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
    tree_stages: list[list[list[tuple[str, exp.Expression]]]] = []
    tree_terms: list[dict[str, list[exp.Expression]]] = []
    for k, tree in enumerate(raw.trees):
        # XGBoost's float32 running sum reads each tree's leaf, whatever the method (float32_residual).
        leaf = [(f"leaf{k}", leaf_number_sql(tree, inputs))] if method == "saabas" or raw.float32_sum else []
        if method == "saabas":
            contributions, expected = path_contributions(tree, sources, exp.column(f"leaf{k}"), scale)
            tree_stages.append([leaf])
            tree_terms.append({feature: [sql] for feature, sql in contributions.items()})
        else:
            shapley = tree_shapley(tree, inputs, str(k), scale)
            expected = shapley.expected
            stages = shapley.stages
            tree_stages.append([[*leaf, *stages[0]], *stages[1:]])
            per_source: dict[str, list[exp.Expression]] = {}
            for feature, parts in shapley.terms.items():
                per_source.setdefault(sources[feature], []).extend(parts)
            tree_terms.append(per_source)
        raw_bias += expected
    return Explained(
        translation, linear, tree_stages, tree_terms, scale * raw_bias - intercept, scale, method
    )


def contribution_columns(features: Sequence[str], sums: dict[str, exp.Expression]) -> list[exp.Expression]:
    """contribution__<feature> for every feature, in order: its sum, or 0.0 when nothing explains it."""
    return [
        (sums[feature] if feature in sums else double(0.0)).as_(
            exp.to_identifier(CONTRIBUTION_PREFIX + feature, quoted=True), copy=False
        )
        for feature in features
    ]


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


def float32_residual(
    raw, scale: float, relation: str = "leaves"
) -> tuple[exp.Expression, list[tuple[str, exp.Select]], str]:
    """scale x (XGBoost's float32 running sum - the exact sum of the same leaves), per row, over the
    relation holding each tree's leaf<k> (in steps, float32_stages). Contributions add up to the
    exact sum; this row's rounding joins the bias, so bias + contributions equal the log-odds the
    score reports, exactly as for every other family. Returns (residual, the step CTEs, the
    relation to read)."""
    leaves = [_leaf_value(tree, exp.column(f"leaf{k}")) for k, tree in enumerate(raw.trees)]
    running, steps, source = float32_stages(double(raw.constant), leaves, relation, "float32_running")
    exact = balanced_sum([double(raw.constant), *[leaf.copy() for leaf in leaves]])
    residual = exp.Mul(this=double(scale), expression=exp.Paren(this=exp.Sub(this=running, expression=exact)))
    return residual, steps, source


@without_collector
def build_contribution_query(
    estimator: object,
    keys: Sequence[str],
    features: Sequence[str],
    reference_means: Sequence[float] | None = None,
    method: str = "saabas",
) -> ContributionQuery:
    """reference_means: the training mean of every model input column (needed for linear models)."""
    explained = explain(estimator, keys, reference_means, method)
    translation, raw = explained.translation, explained.translation.raw
    bias = explained.bias

    key_columns = [exp.column(key, quoted=True) for key in keys]
    blocks = Blocks(printed=explained.printed)

    def query(placeholders: bool) -> exp.Select:
        def block(expression: exp.Expression) -> exp.Expression:
            return blocks.add(expression) if placeholders else expression

        # Each tree's per-row columns (its leaf, or its split tests and path weights), then every
        # feature's share of them.
        stages, source, sums = explained.tree_selects(range(explained.tree_count), features, block)
        outputs = contribution_columns(features, sums)
        bias_sql, steps = double(bias), []
        if raw.float32_sum and raw.trees:
            residual, steps, source = float32_residual(raw, explained.scale, source)
            bias_sql = exp.Add(this=bias_sql, expression=residual)
        final = exp.select(*[k.copy() for k in key_columns], bias_sql.as_("bias"), *outputs, copy=False)
        final = final.from_(source, copy=False).with_(
            "prepared", as_=translation.prepared_select(), materialized=True, copy=False
        )
        for name, stage in stages:
            final = final.with_(name, as_=stage, materialized=True, copy=False)
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
        method=method,
        tree_count=explained.tree_count,
        explained=explained,
    )
