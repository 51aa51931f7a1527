"""One representation for every fitted decision tree, whatever library grew it.

Each library routes a row through a split in its own way (which precision it compares in, where a
missing value goes, how a categorical split reads its input). The assemblers spell that out per node
as a `NumericSplit` or a `CategorySplit`, so the SQL writer (`tree_sql`) and the path contributions
(`path_contributions`) are written once and are exact for all of them:

- scikit-learn's trees compare float32(x) <= threshold; missing values follow `missing_go_to_left`
  (DecisionTree, RandomForest, ExtraTrees; GradientBoosting refuses them).
- HistGradientBoosting compares the float64 x <= threshold; NaN, negative and unknown category codes
  go where `missing_go_to_left` says.
- LightGBM compares the double x <= threshold; per node, its missing type decides: `None` reads NaN
  as 0.0, `Zero` sends NaN and |x| <= 1e-35f the default way, `NaN` sends NaN the default way.
  Categorical splits send NaN, negative and unlisted codes right; codes are truncated to integers.
- XGBoost casts x to float32 and goes left when float32(x) < threshold (a float32); missing values
  (NaN, or its `missing=` value) follow the node's default direction. Its categorical splits send
  the listed categories right and every other value left, negative and too large ones included
  (`Float32CategorySplit`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sqlglot.expressions as exp

from leadscore.transpile.float32 import float32_cut
from leadscore.transpile.literals import double

LARGEST_DOUBLE = float(np.finfo(np.float64).max)


@dataclass(frozen=True)
class NumericSplit:
    """Left when x <= threshold (compared as float32 when `float32`); NULL goes left if `missing_left`.
    `zero_band`: values with |x| <= zero_band go where NULL goes (LightGBM's zero-as-missing)."""

    feature: int
    threshold: float
    float32: bool
    missing_left: bool
    zero_band: float | None = None


@dataclass(frozen=True)
class CategorySplit:
    """Left when the whole part of the code is in `left`. NULL and negative codes go left if
    `missing_left`; codes outside `known` go where NULL goes (`known=None`: they go right)."""

    feature: int
    left: frozenset[int]
    known: frozenset[int] | None
    missing_left: bool
    zero_band: float | None = None  # |x| <= zero_band reads as code 0 (LightGBM)
    # LightGBM casts the value to int (toward zero): -0.5 is code 0, and only x <= -1 is negative
    # (then it goes right). Otherwise the whole part is floor(x) and any x < 0 is negative.
    truncates: bool = False


@dataclass(frozen=True)
class Float32CategorySplit:
    """XGBoost's categorical split: right when trunc(float32(x)) is one of `right`; NULL goes left if
    `missing_left`; every other value goes left (negative, unlisted and >= 2^24 alike)."""

    feature: int
    right: frozenset[int]
    missing_left: bool


Split = NumericSplit | CategorySplit | Float32CategorySplit


@dataclass(frozen=True)
class Tree:
    """Nodes 0..n-1, root 0. Leaves have split None and a value (already scaled to the raw score);
    weight is the training weight that reached the node (for path contributions)."""

    splits: tuple[Split | None, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    values: tuple[float, ...]
    weights: tuple[float, ...]

    def split_nodes(self) -> list[int]:
        return [node for node, split in enumerate(self.splits) if split is not None]

    def leaf_count(self) -> int:
        return sum(split is None for split in self.splits)

    def depth(self) -> int:
        deepest, pending = 0, [(0, 0)]
        while pending:
            node, level = pending.pop()
            deepest = max(deepest, level)
            if self.splits[node] is not None:
                pending.extend([(self.left[node], level + 1), (self.right[node], level + 1)])
        return deepest


def _whole(value: exp.Expression, is_code: bool) -> exp.Expression:
    return value if is_code else exp.Floor(this=value)


def _runs(codes: frozenset[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for code in sorted(codes):
        if runs and code == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def _member(value: exp.Expression, codes: frozenset[int]) -> exp.Expression:
    """value is one of the (whole-number) codes, as ORs of equalities and ranges over runs of
    consecutive codes. Not IN (...): inside nested CASEs DuckDB evaluates IN lists about 20 times
    slower than the same test spelled out (measured: 23.5 s vs 1.3 s for a 400-tree LightGBM)."""
    if not codes:
        return exp.false()
    tests: list[exp.Expression] = []
    for low, high in _runs(codes):
        if low == high:
            tests.append(exp.EQ(this=value.copy(), expression=exp.Literal.number(low)))
        else:
            tests.append(
                exp.Between(this=value.copy(), low=exp.Literal.number(low), high=exp.Literal.number(high))
            )
    return exp.Paren(this=exp.or_(*tests)) if len(tests) > 1 else tests[0]


def is_null(value: exp.Expression) -> exp.Expression:
    return exp.Is(this=value.copy(), expression=exp.Null())


FLOAT32_MODES = ("boundary", "cast", "naive")


def _in_band(value: exp.Expression, band: float) -> exp.Expression:
    return exp.and_(
        exp.GTE(this=value.copy(), expression=double(-band)),
        exp.LTE(this=value.copy(), expression=double(band)),
    )


def _comparison(value: exp.Expression, threshold: float, float32: bool, float32_mode: str, right: bool):
    """x <= threshold (right=False) or its complement x > threshold, for a non-NaN x; None when the
    threshold is infinite (the caller spells those out)."""
    if float32 and float32_mode == "cast":
        value = exp.Cast(this=value.copy(), to=exp.DataType.build("float"))
        inclusive, bound = True, threshold
    elif float32 and float32_mode == "boundary":
        cut = float32_cut(threshold)
        inclusive, bound = cut.inclusive, cut.boundary
    elif math.isfinite(threshold):
        inclusive, bound = True, threshold
    else:
        return None
    operations = {
        (False, True): exp.LTE,
        (False, False): exp.LT,
        (True, True): exp.GT,
        (True, False): exp.GTE,
    }
    return operations[(right, inclusive)](this=value.copy(), expression=double(bound))


def _numeric_left(split: NumericSplit, value: exp.Expression, float32_mode: str) -> exp.Expression:
    """The general form: left when x <= threshold, NULL where missing values go, the zero band."""
    comparison = _comparison(value, split.threshold, split.float32, float32_mode, right=False)
    if comparison is None:
        comparison = (
            exp.Not(this=is_null(value))  # x <= +inf: every non-missing value
            if split.threshold > 0
            else exp.LT(this=value.copy(), expression=double(-LARGEST_DOUBLE))  # x <= -inf: only -inf
        )
    if split.zero_band is not None:
        band = _in_band(value, split.zero_band)
        if split.missing_left:
            return exp.or_(is_null(value), band, comparison)
        return exp.and_(exp.Not(this=exp.Paren(this=band)), comparison)
    return exp.or_(comparison, is_null(value)) if split.missing_left else comparison


def _numeric_test(split: NumericSplit, inputs: TreeInputs, float32_mode: str, right: bool) -> exp.Expression:
    """One comparison where possible: against the feature itself when it is never NULL, else against
    its copy with NULL as the lowest double (missing goes left) or the highest (missing goes right)."""
    feature = split.feature
    simple = split.zero_band is None and math.isfinite(split.threshold)
    if simple:
        if feature in inputs.not_null:
            operand = inputs.values[feature]
        elif split.missing_left and feature in inputs.lows:
            operand = inputs.lows[feature]
        elif not split.missing_left and (not right or feature in inputs.highs):
            operand = inputs.highs[feature] if right else inputs.values[feature]
        else:
            operand = None
        if operand is not None:
            comparison = _comparison(operand, split.threshold, split.float32, float32_mode, right)
            if comparison is not None:
                return comparison
    left = _numeric_left(split, inputs.values[feature], float32_mode)
    return _negated(left) if right else left


def _negated(goes_left: exp.Expression) -> exp.Expression:
    """Goes right: NOT goes-left, where a NULL test (which CASE sends to ELSE, right) counts as right."""
    return exp.Coalesce(this=exp.Not(this=exp.Paren(this=goes_left)), expressions=[exp.true()])


def _category_test(split: CategorySplit, value: exp.Expression, is_code: bool) -> exp.Expression:
    if split.zero_band is not None and not is_code:  # near-zero values read as 0 (LightGBM)
        band = _in_band(value, split.zero_band)
        value = exp.Paren(this=exp.Case(ifs=[exp.If(this=band, true=double(0.0))], default=value.copy()))
    if split.truncates and not is_code:
        whole = exp.Floor(this=exp.Abs(this=value.copy()))  # trunc(x) for x > -1
        non_negative = exp.GT(this=value.copy(), expression=exp.Literal.number(-1))
    else:
        whole = _whole(value.copy(), is_code)
        non_negative = exp.GTE(this=value.copy(), expression=exp.Literal.number(0))
    in_left = _member(whole, split.left)
    if not is_code:
        in_left = exp.and_(non_negative, in_left)
    if not split.missing_left:
        return in_left  # NULL, negative and other codes: right
    goes_left = [is_null(value), in_left]
    if not is_code:
        goes_left.insert(1, exp.Not(this=exp.Paren(this=non_negative.copy())))
    if split.known is not None:
        goes_left.append(exp.Not(this=_member(_whole(value.copy(), is_code), split.known)))
    return exp.or_(*goes_left)


@dataclass(frozen=True)
class TreeInputs:
    """What the trees read: values[i] is feature i; lows / highs hold copies of nullable features
    with NULL as the lowest / highest double (computed once per row, so a split that sends missing
    values one way is one comparison); codes are features holding only NULL or whole numbers >= 0;
    not_null are features that are never NULL."""

    values: Sequence[exp.Expression]
    codes: frozenset[int] = frozenset()
    not_null: frozenset[int] = frozenset()
    lows: Mapping[int, exp.Expression] = field(default_factory=dict)
    highs: Mapping[int, exp.Expression] = field(default_factory=dict)


def _float32_at_least(value: exp.Expression, whole: int) -> exp.Expression:
    """float32(x) >= whole, for a whole number below 2^24 (exactly a float32): NOT float32(x) <=
    the float32 just below it."""
    below = float(np.nextafter(np.float32(whole), np.float32(-np.inf), dtype=np.float32))
    return _comparison(value, below, True, "boundary", right=True)


def _float32_category_right(
    split: Float32CategorySplit, value: exp.Expression, is_code: bool
) -> exp.Expression:
    """The row goes right: a non-missing x whose float32 lies in [low, high + 1) for a run of listed
    codes (trunc(float32(x)) then is one of them; 0 <= float32(x) < 2^24 follows)."""
    if is_code:  # whole numbers >= 0 (or NULL): plain membership
        return _member(value, split.right)
    tests = [
        exp.and_(_float32_at_least(value, low), exp.Not(this=_float32_at_least(value, high + 1)))
        for low, high in _runs(split.right)
    ]
    if not tests:
        return exp.false()
    return exp.Paren(this=exp.or_(*tests)) if len(tests) > 1 else tests[0]


def _float32_category_test(
    split: Float32CategorySplit, value: exp.Expression, is_code: bool, right: bool
) -> exp.Expression:
    goes_right = _float32_category_right(split, value, is_code)
    if split.missing_left:  # NULL left: right only for a listed, non-missing value
        if right:
            return goes_right  # NULL for a NULL x: the CASE moves on, to the left
        return exp.or_(is_null(value), exp.Not(this=exp.Paren(this=goes_right)))
    # NULL right: a NULL test ends in CASE's ELSE (right), so "goes left" may be NULL for it
    goes_left = exp.Not(this=exp.Paren(this=goes_right))
    return exp.or_(is_null(value), goes_right) if right else goes_left


def split_test(
    split: Split, inputs: TreeInputs, float32_mode: str = "boundary", right: bool = False
) -> exp.Expression:
    """The SQL condition under which a row goes left (right=True: goes right).
    float32_mode, for scikit-learn's float32 comparisons: "boundary" (exact, the default) rewrites
    each threshold to the double where float32 rounding changes side; "cast" casts x to REAL;
    "naive" compares the raw double (wrong near thresholds; kept only to measure against)."""
    if isinstance(split, NumericSplit):
        return _numeric_test(split, inputs, float32_mode, right)
    if isinstance(split, Float32CategorySplit):
        value = inputs.values[split.feature]
        return _float32_category_test(split, value, split.feature in inputs.codes, right)
    left = _category_test(split, inputs.values[split.feature], split.feature in inputs.codes)
    return _negated(left) if right else left


def _sizes(tree: Tree) -> list[int]:
    size = [1] * len(tree.splits)
    order, pending = [], [0]
    while pending:
        node = pending.pop()
        order.append(node)
        if tree.splits[node] is not None:
            pending.extend([tree.left[node], tree.right[node]])
    for node in reversed(order):
        if tree.splits[node] is not None:
            size[node] = 1 + size[tree.left[node]] + size[tree.right[node]]
    return size


def tree_sql(
    tree: Tree,
    inputs: TreeInputs,
    leaf: Callable[[int], exp.Expression] | None = None,
    float32_mode: str = "boundary",
    nested: bool = False,
) -> exp.Expression:
    """The tree as CASE expressions; leaf(node) gives each leaf's expression (default: its value).

    Chained, not nested: from each node the chain follows the child with the larger subtree
    (`WHEN <goes to the smaller side> THEN <smaller side> ...`), so a CASE nests only where a
    chain branches off and the depth is at most log2(leaves). DuckDB copies every value up through
    each level of nesting; the chained form cut a 200-tree LightGBM's scoring time by 13-18%
    (BENCHMARKS.md). nested=True writes one CASE per split, as the tree is drawn."""
    leaf = leaf or (lambda node: double(tree.values[node]))
    size = _sizes(tree)

    def nested_case(node: int) -> exp.Expression:
        split = tree.splits[node]
        if split is None:
            return leaf(node)
        return exp.Case(
            ifs=[exp.If(this=split_test(split, inputs, float32_mode), true=nested_case(tree.left[node]))],
            default=nested_case(tree.right[node]),
        )

    def chain(node: int) -> exp.Expression:
        if tree.splits[node] is None:
            return leaf(node)
        ifs = []
        while tree.splits[node] is not None:
            left, right = tree.left[node], tree.right[node]
            if size[right] >= size[left]:
                ifs.append(exp.If(this=split_test(tree.splits[node], inputs, float32_mode), true=chain(left)))
                node = right
            else:
                test = split_test(tree.splits[node], inputs, float32_mode, right=True)
                ifs.append(exp.If(this=test, true=chain(right)))
                node = left
        return exp.Case(ifs=ifs, default=leaf(node))

    return nested_case(0) if nested else chain(0)


def missing_features(trees: Sequence[Tree]) -> tuple[frozenset[int], frozenset[int]]:
    """(features some numeric split sends left when missing, ... sends right when missing)."""
    left, right = set(), set()
    for tree in trees:
        for split in tree.splits:
            if isinstance(split, NumericSplit) and split.zero_band is None:
                (left if split.missing_left else right).add(split.feature)
    return frozenset(left), frozenset(right)


def expectations(tree: Tree) -> np.ndarray:
    """Each node's expected leaf value, weighted by the training weight that reached each leaf."""
    expected = np.zeros(len(tree.splits))
    order: list[int] = []
    pending = [0]
    while pending:  # parents before children, whatever the library's node numbering
        node = pending.pop()
        order.append(node)
        if tree.splits[node] is not None:
            pending.extend([tree.left[node], tree.right[node]])
    for node in reversed(order):
        if tree.splits[node] is None:
            expected[node] = tree.values[node]
            continue
        left, right = tree.left[node], tree.right[node]
        weight_left, weight_right = tree.weights[left], tree.weights[right]
        if weight_left + weight_right <= 0:
            weight_left = weight_right = 1.0
        expected[node] = (weight_left * expected[left] + weight_right * expected[right]) / (
            weight_left + weight_right
        )
    return expected


def leaves_in_order(tree: Tree) -> list[int]:
    """Leaves left to right: the leaves under any node then have consecutive positions."""
    order, pending = [], [0]
    while pending:
        node = pending.pop()
        if tree.splits[node] is None:
            order.append(node)
        else:
            pending.extend([tree.right[node], tree.left[node]])
    return order


def leaf_number_sql(tree: Tree, inputs: TreeInputs) -> exp.Expression:
    """Minus the position (1, 2, ...) of the leaf a row reaches, in leaves_in_order.

    Negated on purpose: DuckDB plans a projection of hundreds of bare CASE columns in time that
    grows with the square of their count (400 trees: 6.1 s), and in linear time once each is an
    arithmetic expression (0.4 s). path_contributions compares with the negated positions."""
    number = {node: i + 1 for i, node in enumerate(leaves_in_order(tree))}
    return exp.Neg(
        this=exp.Paren(this=tree_sql(tree, inputs, leaf=lambda node: exp.Literal.number(number[node])))
    )


def path_contributions(
    tree: Tree, sources: Sequence[str], leaf_number: exp.Expression, scale: float
) -> tuple[dict[str, exp.Expression], float]:
    """Saabas path contributions: walking root to leaf, each split's input feature gets
    (child expectation - parent expectation). Along a path they telescope to leaf - root, so
    expectation(root) + sum(contributions) is the leaf value on every row, exactly by construction.

    A feature's contribution is a constant per leaf; leaf_number (a column holding minus the row's
    leaf position, leaf_number_sql) picks it with a chain of range tests over runs of equal values.
    Returns ({feature: SQL of scale * its contribution}, expectation at the root)."""
    expected = expectations(tree)
    leaves = leaves_in_order(tree)
    per_leaf: dict[int, dict[str, float]] = {}
    pending: list[tuple[int, dict[str, float]]] = [(0, {})]
    while pending:
        node, path = pending.pop()
        split = tree.splits[node]
        if split is None:
            per_leaf[node] = path
            continue
        feature = sources[split.feature]
        for child in (tree.left[node], tree.right[node]):
            step = dict(path)
            step[feature] = step.get(feature, 0.0) + (expected[child] - expected[node])
            pending.append((child, step))
    used = sorted({feature for path in per_leaf.values() for feature in path})
    out: dict[str, exp.Expression] = {}
    for feature in used:
        values = [scale * per_leaf[leaf].get(feature, 0.0) for leaf in leaves]
        runs: list[tuple[int, float]] = []  # (last position of the run, value)
        for position, value in enumerate(values, start=1):
            if runs and runs[-1][1] == value:
                runs[-1] = (position, value)
            else:
                runs.append((position, value))
        if len(runs) == 1:
            out[feature] = double(runs[0][1])
            continue
        ifs = [
            exp.If(
                this=exp.GTE(this=leaf_number.copy(), expression=exp.Literal.number(-last)),
                true=double(value),
            )
            for last, value in runs[:-1]
        ]
        out[feature] = exp.Case(ifs=ifs, default=double(runs[-1][1]))
    return out, float(expected[0])
