"""Exact path-dependent TreeSHAP (Lundberg et al. 2020, "tree_path_dependent") as SQL, per tree.

Why a closed form and not the recursive algorithm: TreeSHAP's recursion over a row's paths cannot be
written as one SQL expression, but its result can. For a leaf L with value v, let P be the distinct
model inputs split on along its path; for k in P, z_k is the share of the training cover that
follows the path's splits on k (the product of child cover / parent cover over those splits), and
o_k is 1 when the row satisfies every one of those splits, else 0. Then the Shapley value of input
i in P from leaf L is

    phi_i = v (o_i - z_i) * integral_0^1 prod_{k in P, k != i} (z_k (1 - u) + o_k u) du

(the Shapley kernel summed over subsets is the Beta integral of the product; see "Linear TreeShap",
Yu et al. 2022). The integrand is a polynomial of degree |P| - 1, so Gauss-Legendre quadrature
with ceil(|P| / 2) nodes is exact: no series, no approximation, only the rounding of a few
products. Everything except the bits o_k is a constant known when translating.

The SQL per tree, in stages of columns, each stage a CTE over the one before (arithmetic on 0.0 / 1.0
bits rather than CASE):
  t<tree>_<node>       each split's test (goes left), once per row (1.0 or 0.0)
  g<tree>_<leaf>_<j>   G_j = prod_{k in P} (o_k ? z_k + (1 - z_k) u_j : z_k (1 - u_j)), per node j
  n<tree>_<leaf>       sum_j c0_j G_j: the leaf's term for every input the row disagrees with
and then, per input i of the leaf's path, n + o_i (sum_j c1_ij G_j - n), where
c1_ij = v w_j (1 - z_i) / (z_i + (1 - z_i) u_j) and c0_j = -v w_j / (1 - u_j) (dividing G_j by
the i factor; when z_i = 0 and o_i = 0 both sides are 0). A leaf with one input on its path needs
no G: its term is v (1 - z) or -v z. The bits o_k reuse the translator's split tests, so missing
values, LightGBM's zero band, categorical splits and float32 comparisons route exactly as in the
score.

The expected value of the tree (the part of the bias it brings) is sum_L v_L prod_k z_k: with it,
the values add up to the leaf the row reaches (Shapley efficiency), exactly up to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import sqlglot.expressions as exp

from leadscore.transpile.blocks import arithmetic
from leadscore.transpile.dialects import GUARDED
from leadscore.transpile.interpreter import balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.trees import Tree, TreeInputs, leaves_in_order, split_test

# A product at least this large in magnitude is far from rounding to zero, even after the few
# roundings that computing its factors adds (the Postgres underflow guard's bound is 1e-300).
UNDERFLOW_MARGIN = 1e-290


@dataclass(frozen=True)
class LeafPath:
    """A leaf's path, grouped by model input: for each distinct input, the share of the cover
    that follows the path's splits on it, and those splits (node, goes_left)."""

    value: float
    features: tuple[int, ...]
    fractions: tuple[float, ...]
    splits: tuple[tuple[tuple[int, bool], ...], ...]


def leaf_paths(tree: Tree) -> list[LeafPath]:
    """Every leaf's path, in leaves_in_order."""
    found: dict[int, LeafPath] = {}
    pending: list[tuple[int, dict[int, tuple[float, tuple[tuple[int, bool], ...]]]]] = [(0, {})]
    while pending:
        node, path = pending.pop()
        split = tree.splits[node]
        if split is None:
            found[node] = LeafPath(
                value=tree.values[node],
                features=tuple(path),
                fractions=tuple(fraction for fraction, _ in path.values()),
                splits=tuple(splits for _, splits in path.values()),
            )
            continue
        parent_cover = tree.weights[node]
        for child, goes_left in ((tree.left[node], True), (tree.right[node], False)):
            ratio = tree.weights[child] / parent_cover if parent_cover > 0 else 0.0
            step = dict(path)
            fraction, splits = step.get(split.feature, (1.0, ()))
            step[split.feature] = (fraction * ratio, (*splits, (node, goes_left)))
            pending.append((child, step))
    return [found[leaf] for leaf in leaves_in_order(tree)]


def expected_value(paths: Sequence[LeafPath]) -> float:
    """The tree's value with no input known: each leaf weighted by the cover that reaches it."""
    return math.fsum(path.value * math.prod(path.fractions) for path in paths)


def statement_terms(trees: Sequence[Tree]) -> int:
    """The size of the trees' TreeSHAP SQL, in (leaf, path input, quadrature node) terms: the SQL
    text, the planner's work and the per-row arithmetic all grow with it."""
    return sum(
        len(path.features) * math.ceil(len(path.features) / 2) if len(path.features) > 1 else 1
        for tree in trees
        for path in leaf_paths(tree)
    )


@cache
def quadrature(count: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Gauss-Legendre nodes and weights on [0, 1]: exact for polynomials of degree 2 count - 1."""
    nodes, weights = np.polynomial.legendre.leggauss(count)
    return tuple(float(u) for u in (nodes + 1.0) / 2.0), tuple(float(w) for w in weights / 2.0)


@dataclass
class TreeShapley:
    """One tree's SQL: the columns of each stage (alias, expression), the per-input terms reading
    them, and the tree's expected value (raw-score units)."""

    tests: list[tuple[str, exp.Expression]]
    weights: list[tuple[str, exp.Expression]]
    disagreements: list[tuple[str, exp.Expression]]  # read the weights (no lateral aliases in SQL)
    terms: dict[int, list[exp.Expression]]
    expected: float

    @property
    def stages(self) -> list[list[tuple[str, exp.Expression]]]:
        return [self.tests, self.weights, self.disagreements] if self.weights else [self.tests]


def _agrees(splits: Sequence[tuple[int, bool]], tests: dict[int, str]) -> exp.Expression:
    """o_k as 1.0 or 0.0: the product of the path's tests on the input (t, or 1 - t going right)."""
    factors = [
        exp.column(tests[node])
        if goes_left
        else exp.Paren(this=exp.Sub(this=double(1.0), expression=exp.column(tests[node])))
        for node, goes_left in splits
    ]
    return _times(factors)


def _times(factors: Sequence[exp.Expression]) -> exp.Expression:
    """A product as a balanced tree of multiplications (deep left chains trouble some parsers)."""
    if len(factors) == 1:
        return factors[0]
    middle = len(factors) // 2
    return exp.Paren(this=exp.Mul(this=_times(factors[:middle]), expression=_times(factors[middle:])))


def _fresh(expression: exp.Expression) -> exp.Expression:
    """A copy to place in one more spot of the query. Most are a bare stage column, built anew:
    sqlglot's deep copy of one took a third of the time of building a TreeSHAP statement."""
    if isinstance(expression, exp.Column) and not expression.args.get("table"):
        identifier = expression.this
        return exp.Column(
            this=exp.Identifier(this=identifier.this, quoted=identifier.args.get("quoted", False))
        )
    return expression.copy()


def _pick(bit: exp.Expression, when_one: float, when_zero: float) -> exp.Expression:
    """when_zero + bit * (when_one - when_zero), for a bit of 0.0 or 1.0: arithmetic, not CASE
    (DuckDB evaluates a CASE through selection vectors, several times slower on wide projections)."""
    # A bit times a constant is 0 or the constant: it cannot underflow (no Postgres guard needed).
    return exp.Paren(
        this=exp.Add(this=double(when_zero), expression=_no_underflow(double(when_one - when_zero), bit))
    )


def _no_underflow(constant: exp.Expression, factor: exp.Expression) -> exp.Mul:
    """constant * factor, marked as a product Postgres cannot see underflow (dialects.GUARDED): the
    caller knows |constant * factor| is 0 or at least UNDERFLOW_MARGIN."""
    product = exp.Mul(this=constant, expression=factor)
    product.meta[GUARDED] = True
    return product


def _times_weight(constant: float, weight: exp.Expression, smallest_weight: float) -> exp.Mul:
    """constant * G_j, unguarded when no G_j the row can have (0, or at least smallest_weight) makes
    the product round to zero; otherwise Postgres prints its underflow guard."""
    if abs(constant) * smallest_weight >= UNDERFLOW_MARGIN:
        return _no_underflow(double(constant), weight)
    return exp.Mul(this=double(constant), expression=weight)


def _smallest_weight(fractions: Sequence[float], u: float) -> float:
    """The smallest non-zero G_j over every agreement pattern: each input's factor is z + (1 - z) u
    when the row agrees and z (1 - u) when not, and the smaller non-zero one bounds the product."""
    smallest = 1.0
    for z in fractions:
        smallest *= min(f for f in (z * (1.0 - u), z + (1.0 - z) * u) if f > 0.0)
    return smallest


def tree_shapley(tree: Tree, inputs: TreeInputs, name: str, scale: float) -> TreeShapley:
    """The tree's Shapley values as SQL, scaled by `scale` (raw score -> calibrated log-odds).
    `name` prefixes the stage columns (unique per tree in a query)."""
    paths = leaf_paths(tree)
    tests: dict[int, str] = {}
    test_columns: list[tuple[str, exp.Expression]] = []
    for node in tree.split_nodes():
        tests[node] = f"t{name}_{node}"
        # 1.0 when the row goes left. A NULL test means "not left", as in the CASE that scores the tree.
        goes_left = exp.Case(
            ifs=[exp.If(this=split_test(tree.splits[node], inputs), true=double(1.0))], default=double(0.0)
        )
        test_columns.append((tests[node], goes_left))
    weight_columns: list[tuple[str, exp.Expression]] = []
    disagree_columns: list[tuple[str, exp.Expression]] = []
    terms: dict[int, list[exp.Expression]] = {}
    for position, path in enumerate(paths):
        value = scale * path.value
        if value == 0.0:
            continue
        agrees = [_agrees(splits, tests) for splits in path.splits]
        if len(path.features) == 1:
            fraction = path.fractions[0]
            terms.setdefault(path.features[0], []).append(
                _pick(agrees[0], value * (1.0 - fraction), -value * fraction)
            )
            continue
        nodes, node_weights = quadrature(math.ceil(len(path.features) / 2))
        products = []
        for j, u in enumerate(nodes):
            factors = [
                _pick(_fresh(agree), z + (1.0 - z) * u, z * (1.0 - u))
                for agree, z in zip(agrees, path.fractions, strict=True)
            ]
            alias = f"g{name}_{position}_{j}"
            weight_columns.append((alias, arithmetic(_times(factors))))
            products.append(exp.column(alias))
        smallest_weights = [_smallest_weight(path.fractions, u) for u in nodes]
        disagree = f"n{name}_{position}"
        disagree_columns.append(
            (
                disagree,
                arithmetic(
                    balanced_sum(
                        [
                            _times_weight(-value * w / (1.0 - u), _fresh(g), smallest)
                            for g, u, w, smallest in zip(
                                products, nodes, node_weights, smallest_weights, strict=True
                            )
                        ]
                    )
                ),
            )
        )
        for feature, agree, z in zip(path.features, agrees, path.fractions, strict=True):
            agreeing = balanced_sum(
                [
                    _times_weight(value * w * (1.0 - z) / (z + (1.0 - z) * u), _fresh(g), smallest)
                    for g, u, w, smallest in zip(products, nodes, node_weights, smallest_weights, strict=True)
                ]
            )
            # n + o_i * (agreeing - n): the agreeing sum when the row satisfies the path on i.
            terms.setdefault(feature, []).append(
                exp.Paren(
                    this=exp.Add(
                        this=exp.column(disagree),
                        expression=exp.Mul(
                            this=_fresh(agree),
                            expression=exp.Paren(
                                this=exp.Sub(this=agreeing, expression=exp.column(disagree))
                            ),
                        ),
                    )
                )
            )
    return TreeShapley(test_columns, weight_columns, disagree_columns, terms, expected_value(paths))
