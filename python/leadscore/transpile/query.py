"""A fitted estimator -> one SELECT that scores any relation holding its input columns.

prepared   every column the model reads, computed once per row (preprocessing, NaN -> NULL)
scored     the raw score: constant + linear part + trees, summed as a balanced tree
responded  (only when a calibrator reads predict_proba) the model's own probability
final      raw_score, log_odds and probability; NULL where scikit-learn would have raised
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import sqlglot.expressions as exp

from leadscore.transpile.assemblers import RawScore, UnsupportedModelError, assemble_raw_score
from leadscore.transpile.blocks import Blocks
from leadscore.transpile.collector import without_collector
from leadscore.transpile.dialects import COMPUTED_ONCE, FLOAT32_CAST
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.estimator import Decomposed, decompose
from leadscore.transpile.float32 import float32_cut, float32_interval
from leadscore.transpile.interpreter import SqlInterpreter, balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.preprocessing import Column, as_number, literal_for, not_finite, prepared_columns
from leadscore.transpile.trees import (
    FLOAT32_MODES,
    LARGEST_DOUBLE,
    TreeInputs,
    is_null,
    missing_features,
    tree_sql,
)

INPUT_PLACEHOLDER = "__input_relation__"
SOURCE_ALIAS = "source"
REFUSED = "refused_by_model"
# exp() of more than ~709 overflows a double (Postgres raises); the probability is 0 or 1 there anyway.
EXP_CLAMP = 700.0
DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino")
_FLOAT32_RANGE = float32_cut(float(np.finfo(np.float32).max))  # beyond it float32(x) is inf


@dataclass
class Translation:
    """What the score and the contribution queries share: the model's inputs as SQL columns."""

    decomposed: Decomposed
    raw: RawScore
    inputs: list[Column]  # model feature i, as a double (or an ordinal code)
    input_refusals: tuple[exp.Expression, ...]  # over the source columns
    model_refusals: tuple[exp.Expression, ...]  # over the prepared columns f0, f1, ...
    keys: tuple[str, ...]

    @property
    def features(self) -> list[exp.Expression]:
        return [exp.column(f"f{i}") for i in range(len(self.inputs))]

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(i for i, column in enumerate(self.inputs) if column.code)

    def _nullable(self, wanted: frozenset[int]) -> list[int]:
        return [i for i in sorted(wanted) if not self.inputs[i].not_null]

    @cached_property
    def tree_inputs(self) -> TreeInputs:
        """What the trees read. Nullable features that a split sends left (right) when missing are
        computed once more with NULL as the lowest (highest) double, so each split is one comparison."""
        left, right = missing_features(self.raw.trees)
        return TreeInputs(
            values=self.features,
            codes=self.codes,
            not_null=frozenset(i for i, column in enumerate(self.inputs) if column.not_null),
            lows={i: exp.column(f"f{i}_low") for i in self._nullable(left)},
            highs={i: exp.column(f"f{i}_high") for i in self._nullable(right)},
        )

    def prepared_select(self) -> exp.Select:
        selected = [exp.column(key, table=SOURCE_ALIAS, quoted=True) for key in self.keys]
        selected += [column.sql.as_(f"f{i}") for i, column in enumerate(self.inputs)]
        inputs = self.tree_inputs
        for suffix, copies, fill in (
            ("low", inputs.lows, -LARGEST_DOUBLE),
            ("high", inputs.highs, LARGEST_DOUBLE),
        ):
            selected += [
                exp.Coalesce(this=self.inputs[i].sql.copy(), expressions=[double(fill)]).as_(f"f{i}_{suffix}")
                for i in copies
            ]
        if self.input_refusals:
            selected.append(exp.or_(*[c.copy() for c in self.input_refusals]).as_(REFUSED))
        return exp.select(*selected).from_(exp.to_table(INPUT_PLACEHOLDER).as_(SOURCE_ALIAS))

    def refusal(self) -> exp.Expression | None:
        """The condition, over the prepared CTE's columns, that a row is refused (None: never)."""
        parts = [c.copy() for c in self.model_refusals]
        if self.input_refusals:
            parts.insert(0, exp.column(REFUSED))
        return exp.or_(*parts) if parts else None


def _encoded(column: Column, categories: Sequence[object]) -> Column:
    """The model's own ordinal encoding: category k -> k, anything else (and NULL) -> NULL."""
    ifs = [
        exp.If(
            this=exp.EQ(this=column.sql.copy(), expression=literal_for(column, c)), true=exp.Literal.number(k)
        )
        for k, c in enumerate(categories)
    ]
    sql = exp.Case(ifs=ifs) if ifs else exp.Null()
    return replace(column, sql=sql, kind="number", finite=True, not_null=False, code=True, bounded=False)


def _without_missing_value(column: Column, missing: float) -> Column:
    """XGBoost's missing=m: a value whose float32 is m reads as missing (NaN always does)."""
    if not math.isfinite(missing):
        raise UnsupportedModelError(
            f"XGBoost missing={missing!r} is not translated; use NaN or a finite value"
        )
    rounds_to = float32_interval(missing)
    value = column.sql
    condition = exp.and_(
        exp.GT(this=value.copy(), expression=double(rounds_to.low))
        if not rounds_to.low_inclusive
        else exp.GTE(this=value.copy(), expression=double(rounds_to.low)),
        exp.LT(this=value.copy(), expression=double(rounds_to.high))
        if not rounds_to.high_inclusive
        else exp.LTE(this=value.copy(), expression=double(rounds_to.high)),
    )
    sql = exp.Case(ifs=[exp.If(this=condition, true=exp.Null())], default=value.copy())
    return replace(column, sql=sql, not_null=False, code=False)


def _model_refusals(raw: RawScore, inputs: Sequence[Column]) -> tuple[exp.Expression, ...]:
    """Rows scikit-learn's estimator would reject, over the prepared columns f0, f1, ..."""
    out: list[exp.Expression] = []
    for i, column in enumerate(inputs):
        value = exp.column(f"f{i}")
        if raw.rejects_missing and not column.not_null:
            out.append(is_null(value))
        if raw.float32_inputs and not column.bounded:
            above, below = (exp.GT, exp.LT) if _FLOAT32_RANGE.inclusive else (exp.GTE, exp.LTE)
            out.append(
                exp.or_(
                    above(this=value.copy(), expression=double(_FLOAT32_RANGE.boundary)),
                    below(this=value.copy(), expression=double(-_FLOAT32_RANGE.boundary)),
                )
            )
        elif (raw.rejects_infinite or i in raw.rejects_infinite_in) and not column.finite:
            out.append(not_finite(value))
    return tuple(out)


def translate(
    estimator: object, keys: Sequence[str] = (), input_names: Sequence[str] | None = None
) -> Translation:
    decomposed = decompose(estimator, input_names)
    raw = assemble_raw_score(decomposed.model)

    def source(name: str) -> exp.Expression:
        return exp.column(name, table=SOURCE_ALIAS, quoted=True)

    prepared = prepared_columns(decomposed.steps, decomposed.input_names, source)
    if any(model_input.column >= len(prepared) for model_input in raw.inputs):
        raise UnsupportedModelError(
            f"{type(decomposed.model).__name__} reads {len(raw.inputs)} columns but the preprocessing "
            f"produces {len(prepared)}"
        )
    inputs = [
        _encoded(prepared[m.column], m.categories)
        if m.categories is not None
        else as_number(prepared[m.column])
        for m in raw.inputs
    ]
    inputs = [
        _without_missing_value(column, m.missing_value) if m.missing_value is not None else column
        for column, m in zip(inputs, raw.inputs, strict=True)
    ]
    refusals: dict[str, exp.Expression] = {}
    for column in prepared:
        for condition in column.refuse_when:
            refusals.setdefault(condition.sql(), condition)
    for index, model_input in enumerate(raw.inputs):
        # A column the model encodes itself (number categories) and rejects +-inf in: test the value
        # before the encoding turns it into a missing code.
        numeric_categories = model_input.categories is not None and all(
            isinstance(c, int | float | np.integer | np.floating) and not isinstance(c, bool | np.bool_)
            for c in model_input.categories
        )
        if index in raw.rejects_infinite_in and numeric_categories:
            value = as_number(prepared[model_input.column])
            if not value.finite:
                condition = not_finite(value.sql)
                refusals.setdefault(condition.sql(), condition)
    return Translation(
        decomposed=decomposed,
        raw=raw,
        inputs=inputs,
        input_refusals=tuple(refusals.values()),
        model_refusals=_model_refusals(raw, inputs),
        keys=tuple(keys),
    )


def score_terms(
    translation: Translation,
    tree_terms: Sequence[exp.Expression] | None = None,
    float32_mode: str = "boundary",
) -> list[exp.Expression]:
    """The raw score's summands in order: constant, linear part, trees (each a chained CASE unless
    tree_terms are given)."""
    raw = translation.raw
    terms: list[exp.Expression] = []
    if raw.constant != 0.0:
        terms.append(double(raw.constant))
    if raw.linear is not None:
        terms.append(SqlInterpreter(translation.features)(raw.linear))
    if tree_terms is None:
        inputs = translation.tree_inputs
        tree_terms = [tree_sql(tree, inputs, float32_mode=float32_mode) for tree in raw.trees]
    terms.extend(tree_terms)
    return terms


def raw_score_terms(
    translation: Translation,
    tree_terms: Sequence[exp.Expression] | None = None,
    float32_mode: str = "boundary",
) -> exp.Expression:
    """constant + linear part + trees, summed as a balanced tree. XGBoost's float32 running sum is
    order-dependent and goes in CTE steps instead (summed_trees)."""
    if translation.raw.float32_sum:
        raise ValueError("XGBoost's float32 running sum is not a balanced sum: use summed_trees")
    terms = score_terms(translation, tree_terms, float32_mode)
    return balanced_sum(terms) if terms else double(0.0)


def float32_running_sum(terms: Sequence[exp.Expression]) -> exp.Expression:
    """((c + t1) rounded to float32 + t2) rounded to float32 + ...: XGBoost's margin, bit for bit.
    Each addition of two float32 values is exact in double, so rounding the double sum to float32 is
    the float32 addition itself. Terms are read in order; the result is a double."""
    if not terms:
        return double(0.0)
    total = terms[0]
    for term in terms[1:]:
        total = as_float32(exp.Add(this=total, expression=term))
    return as_double(total)


def as_float32(value: exp.Expression) -> exp.Expression:
    """CAST(value AS REAL): 32-bit where the dialect has such a type; refused where it does not."""
    cast = exp.Cast(this=value, to=exp.DataType.build("float"))
    cast.meta[FLOAT32_CAST] = True
    return cast


def as_double(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("double"))


# A tree form: (translation, float32_mode) -> (raw score expression, CTEs between `prepared` and the
# scoring step, the relation the scoring step reads). The product's form is chained CASE over
# `prepared` (trees.tree_sql); bench/variants.py measures others through the same hook.
TreeForm = Callable[[Translation, str], tuple[exp.Expression, list[tuple[str, exp.Select]], str]]


def chained_case_form(translation: Translation, float32_mode: str):
    return summed_trees(translation, None, [], "prepared", float32_mode)


def summed_trees(
    translation: Translation,
    tree_terms: Sequence[exp.Expression] | None,
    ctes: list[tuple[str, exp.Select]],
    source: str,
    float32_mode: str = "boundary",
):
    """A TreeForm's result from its tree terms: their balanced sum over source, or XGBoost's float32
    running sum in steps (CTEs after the form's own), so no form nests one level per tree."""
    if translation.raw.float32_sum:
        terms = score_terms(translation, tree_terms, float32_mode)
        expression, steps, source = float32_stages(terms[0], terms[1:], source, "float32_running")
        return expression, [*ctes, *steps], source
    return raw_score_terms(translation, tree_terms, float32_mode), ctes, source


# Trees per step of XGBoost's running sum: each step is one CTE column, so no expression nests more
# than about 2 x FLOAT32_STAGE levels (DuckDB stops at depth 1000; printers recurse per level).
FLOAT32_STAGE = 64


def float32_stages(
    start: exp.Expression, terms: Sequence[exp.Expression], source: str, name: str
) -> tuple[exp.Expression, list[tuple[str, exp.Select]], str]:
    """float32_running_sum([start, *terms]) in steps of FLOAT32_STAGE terms: each step is a CTE
    adding a column (`<name>_<k>`, the running sum so far) to every column of the one before.
    Returns (the last step's expression, the CTEs, the relation it reads), as a TreeForm does."""
    chunks = [list(terms[i : i + FLOAT32_STAGE]) for i in range(0, len(terms), FLOAT32_STAGE)] or [[]]
    ctes: list[tuple[str, exp.Select]] = []
    running = start
    for k, chunk in enumerate(chunks[:-1]):
        column = f"{name}_{k}"
        step = exp.select(exp.Star(), float32_running_sum([running, *chunk]).as_(column, copy=False))
        ctes.append((f"{name}_step_{k}", step.from_(source, copy=False)))
        source, running = f"{name}_step_{k}", exp.column(column)
    return float32_running_sum([running, *chunks[-1]]), ctes, source


def _clamped(value: exp.Expression) -> exp.Expression:
    return exp.Least(
        this=exp.Greatest(this=value, expressions=[double(-EXP_CLAMP)]), expressions=[double(EXP_CLAMP)]
    )


def probability_of(
    raw_score: exp.Expression, slope: float = -1.0, intercept: float = 0.0
) -> tuple[exp.Expression, exp.Expression]:
    """(log-odds, probability) of a score *column*: probability = 1 / (1 + exp(slope * raw + intercept)),
    log-odds = -(slope * raw + intercept). The argument must be a column: some dialects expand
    LEAST/GREATEST into CASE, repeating it."""
    exponent = exp.Paren(
        this=exp.Add(this=exp.Mul(this=double(slope), expression=raw_score), expression=double(intercept))
    )
    probability = exp.Div(
        this=double(1.0),
        expression=exp.Paren(this=exp.Add(this=double(1.0), expression=exp.Exp(this=_clamped(exponent)))),
    )
    return exp.Neg(this=exponent.copy()), probability


LOGIT_LINKS = ("logit", "float32_logit")
# XGBoost's float32 sigmoid (src/common/math.h): 1 / (expf(min(-x, 88.7f)) + 1 + 1e-16f).
XGBOOST_EXP_CAP = float(np.float32(88.7))
XGBOOST_EPSILON = float(np.float32(1e-16))
# Below this exponent expf rounds to 0 (XGBoost then returns 1.0): the floor keeps Postgres from
# raising on a float32 underflow, and 1 + expf(-103) is 1 in float32 all the same.
FLOAT32_EXP_FLOOR = -103.0


def float32_sigmoid(margin: exp.Expression) -> exp.Expression:
    """XGBoost's predict_proba from its float32 margin, each operation rounded to float32. exp is
    computed in double and rounded once (correctly rounded); the C library's expf that XGBoost calls
    is within 0.502 ulp of it and so can differ by one float32 ulp on rare arguments."""
    exponent = exp.Least(
        this=exp.Greatest(this=exp.Neg(this=margin), expressions=[double(FLOAT32_EXP_FLOOR)]),
        expressions=[double(XGBOOST_EXP_CAP)],
    )
    denominator = as_float32(
        exp.Add(
            this=as_float32(exp.Add(this=as_float32(exp.Exp(this=exponent)), expression=double(1.0))),
            expression=double(XGBOOST_EPSILON),
        )
    )
    return as_double(as_float32(exp.Div(this=double(1.0), expression=denominator)))


def _unless_refused(value: exp.Expression, refused: bool) -> exp.Expression:
    if not refused:
        return value
    return exp.Case(ifs=[exp.If(this=exp.column(REFUSED), true=exp.Null())], default=value)


@dataclass
class ScoringQuery:
    expression: exp.Select  # the whole query (for inspection); sql() prints `skeleton` + `blocks`
    feature_names: list[str]  # the model's input columns f0, f1, ... in scikit-learn's names
    feature_sources: list[str]  # the input feature each of them comes from
    raw_score: RawScore
    calibration: tuple[float, float] | None
    skeleton: exp.Select | None = None
    blocks: Blocks = field(default_factory=Blocks)

    @without_collector
    def sql(self, dialect: str = "duckdb", relation: str | None = None, pretty: bool | None = None) -> str:
        """The query for a dialect; relation (already quoted) replaces the input placeholder.
        Tree ensembles print compactly by default: indenting hundreds of CASEs only adds bytes."""
        if pretty is None:
            pretty = not self.raw_score.trees
        skeleton = self.skeleton if self.skeleton is not None else self.expression
        text = self.blocks.fill(
            skeleton.sql(dialect=sql_dialect(dialect), pretty=pretty, copy=False), dialect
        )
        if relation is not None:
            text = text.replace(INPUT_PLACEHOLDER, relation)
        return text


@without_collector
def build_scoring_query(
    estimator: object,
    keys: Sequence[str],
    exact_float32: bool = True,
    input_names: Sequence[str] | None = None,
    float32_mode: str | None = None,
    form: TreeForm = chained_case_form,
) -> ScoringQuery:
    """keys are passed through; the result has keys, raw_score (what a calibrator reads), log_odds and
    probability (= predict_proba[:, 1]). exact_float32=False compares raw doubles with scikit-learn's
    float32 thresholds, as naive translators do; it exists to show the rows that then go wrong."""
    translation = translate(estimator, keys, input_names)
    raw = translation.raw
    mode = float32_mode or ("boundary" if exact_float32 else "naive")
    if mode not in FLOAT32_MODES:
        raise ValueError(f"float32_mode must be one of {FLOAT32_MODES}, got {mode!r}")
    refusal = translation.refusal()
    key_columns = [exp.column(key, quoted=True) for key in keys]

    raw_expression, between, scored_from = form(translation, mode)
    blocks = Blocks()

    def scored_select(raw_sql: exp.Expression) -> exp.Select:
        return exp.select(
            *[k.copy() for k in key_columns],
            raw_sql.as_("raw_score", copy=False),
            *([refusal.copy().as_(REFUSED)] if refusal is not None else []),
        ).from_(scored_from, copy=False)

    scored = scored_select(raw_expression)
    placeholder = blocks.add(raw_expression) if raw.trees and not between else None
    ctes: list[tuple[str, exp.Select]] = [
        ("prepared", translation.prepared_select()),
        *between,
        ("scored", scored),
    ]
    final_select = response_steps(translation, key_columns, refusal is not None)
    skeleton = None
    if placeholder is not None:  # the same query with the trees as one block printed per literal style
        light = [
            (name, scored_select(placeholder) if name == "scored" else body.copy()) for name, body in ctes
        ]
        skeleton = final_select(light)
    return ScoringQuery(
        expression=final_select(ctes),
        feature_names=[column.name for column in translation.inputs],
        feature_sources=[column.source for column in translation.inputs],
        raw_score=raw,
        calibration=translation.decomposed.calibration,
        skeleton=skeleton,
        blocks=blocks,
    )


def response_steps(
    translation: Translation, key_columns: list[exp.Column], refused: bool
) -> Callable[[list[tuple[str, exp.Select]]], exp.Select]:
    """What follows a `scored` CTE (keys, raw_score and, when refused, the refusal flag): the
    model's own probability when a calibrator reads it, then raw_score, log_odds and probability.
    Returns the final SELECT for a list of CTEs ending in `scored`."""
    raw = translation.raw
    carried = [exp.column(REFUSED)] if refused else []
    calibration = translation.decomposed.calibration
    last = "scored"
    extra: list[tuple[str, exp.Select]] = []
    if calibration is not None and not raw.has_decision_function and raw.link in LOGIT_LINKS:
        # The calibrator was fitted on predict_proba: compute the model's probability first.
        if raw.link == "float32_logit":
            model_probability = float32_sigmoid(exp.column("raw_score"))
        else:
            _, model_probability = probability_of(exp.column("raw_score"), -raw.link_scale, 0.0)
        responded = exp.select(
            *[k.copy() for k in key_columns], model_probability.as_("raw_score"), *[c.copy() for c in carried]
        ).from_("scored")
        extra.append(("responded", responded))
        last = "responded"

    score = exp.column("raw_score")
    if calibration is not None:
        log_odds, probability = probability_of(score, *calibration)
    elif raw.link == "logit":
        log_odds, probability = probability_of(score, -raw.link_scale, 0.0)
    elif raw.link == "float32_logit":
        log_odds, probability = score.copy(), float32_sigmoid(score.copy())
    else:  # a forest's averaged leaf shares are the probability
        probability = score.copy()
        inside = exp.and_(
            exp.GT(this=score.copy(), expression=double(0.0)),
            exp.LT(this=score.copy(), expression=double(1.0)),
        )
        odds = exp.Div(
            this=score.copy(), expression=exp.Paren(this=exp.Sub(this=double(1.0), expression=score.copy()))
        )
        log_odds = exp.Case(ifs=[exp.If(this=inside, true=exp.Ln(this=odds))])

    def final_select(with_ctes: list[tuple[str, exp.Select]]) -> exp.Select:
        with_ctes = [*with_ctes, *[(name, body.copy()) for name, body in extra]]
        final = exp.select(
            *[k.copy() for k in key_columns],
            _unless_refused(score.copy(), refused).as_("raw_score"),
            _unless_refused(log_odds.copy(), refused).as_("log_odds"),
            _unless_refused(probability.copy(), refused).as_("probability"),
        ).from_(last)
        for name, body in with_ctes:
            # Materialized where the dialect says so (dialects.py): Postgres otherwise pastes the
            # prepared columns into every tree that reads them.
            final = final.with_(name, as_=body, materialized=name == "prepared", copy=False)
            if name in ("scored", "responded"):
                # Postgres would paste the raw score (every tree) into each of the places the
                # next step reads it: raw_score, and log_odds and probability through the
                # underflow guard (gbm 1000 x 3 on 100,000 rows: 33.4 s pasted, 14.9 s computed once,
                # BENCHMARKS.md's PostgreSQL section).
                final.args["with_"].expressions[-1].meta[COMPUTED_ONCE] = True
        return final

    return final_select


def build_model_query(
    model: object,
    columns: Sequence[str],
    table: str,
    key: str,
    float32_mode: str = "boundary",
    form: TreeForm = chained_case_form,
) -> exp.Select:
    """A fitted classifier (bare, or a pipeline) over columns of a table: key and probability
    (= predict_proba[:, 1]). Used by the benchmarks, where other translators get the same model."""
    query = build_scoring_query(model, [key], input_names=list(columns), float32_mode=float32_mode, form=form)
    final = query.expression.copy()
    final.set("expressions", [e for e in final.expressions if e.alias_or_name in (key, "probability")])
    for table_node in list(final.find_all(exp.Table)):
        if table_node.name == INPUT_PLACEHOLDER:
            table_node.replace(exp.to_table(table).as_(SOURCE_ALIAS))
    return final
