"""A fitted, calibrated pipeline -> one SELECT that scores any relation with the feature mart's columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlglot.expressions as exp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline

from leadscore.transpile.assemblers import RawScore, UnsupportedModelError, assemble_raw_score
from leadscore.transpile.dialects import dialect as sql_dialect
from leadscore.transpile.interpreter import SqlInterpreter, balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.preprocessing import prepared_columns

INPUT_PLACEHOLDER = "__input_relation__"
# exp() of more than ~709 overflows a double (Postgres raises); the probability is 0 or 1 there anyway.
EXP_CLAMP = 700.0
DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino")


def unwrap(calibrated: CalibratedClassifierCV) -> tuple[Pipeline, float, float]:
    """(pipeline, a, b) of a Platt-calibrated pipeline: probability = 1 / (1 + exp(a * raw + b))."""
    if calibrated.method != "sigmoid" or len(calibrated.calibrated_classifiers_) != 1:
        raise UnsupportedModelError("expected one sigmoid (Platt) calibrator over a frozen pipeline")
    inner = calibrated.calibrated_classifiers_[0]
    pipeline = inner.estimator
    pipeline = getattr(pipeline, "estimator", pipeline)  # FrozenEstimator
    calibrator = inner.calibrators[0]
    return pipeline, float(calibrator.a_), float(calibrator.b_)


@dataclass
class ScoringQuery:
    expression: exp.Select
    feature_names: list[str]  # the prepared columns f0, f1, ... in scikit-learn's names
    feature_sources: list[str]  # the input feature each prepared column comes from
    raw_score: RawScore
    calibration: tuple[float, float]

    def sql(self, dialect: str = "duckdb", relation: str | None = None, pretty: bool | None = None) -> str:
        """The query for a dialect; relation (already quoted) replaces the input placeholder.
        Tree ensembles print compactly by default: indenting hundreds of nested CASEs only adds bytes."""
        if pretty is None:
            pretty = len(self.raw_score.terms) <= 1
        text = self.expression.sql(dialect=sql_dialect(dialect), pretty=pretty)
        if relation is not None:
            text = text.replace(INPUT_PLACEHOLDER, relation)
        return text


def probability_of(
    raw_score: exp.Expression, slope: float = -1.0, intercept: float = 0.0
) -> tuple[exp.Expression, exp.Expression]:
    """(calibrated log-odds, probability) of a raw score *column*: 1 / (1 + exp(a * raw + b)).
    The argument must be a column: some dialects expand LEAST/GREATEST into CASE, repeating it."""
    exponent = exp.Paren(
        this=exp.Add(this=exp.Mul(this=double(slope), expression=raw_score), expression=double(intercept))
    )
    clamped = exp.Least(
        this=exp.Greatest(this=exponent, expressions=[double(-EXP_CLAMP)]), expressions=[double(EXP_CLAMP)]
    )
    probability = exp.Div(
        this=double(1.0),
        expression=exp.Paren(this=exp.Add(this=double(1.0), expression=exp.Exp(this=clamped))),
    )
    return exp.Neg(this=exponent.copy()), probability


def build_model_query(
    model: object, columns: Sequence[str], table: str, key: str, float32_mode: str = "boundary"
) -> exp.Select:
    """A bare fitted classifier over numeric columns of a table: key and probability (expit of the
    raw score, which is predict_proba for binary gradient boosting and logistic regression). Same
    shape as the product's query; used by the benchmarks, where other translators get the same model."""
    raw = assemble_raw_score(model)
    interpreter = SqlInterpreter(
        [exp.column(c, quoted=True) for c in columns], raw.float32_inputs, float32_mode
    )
    terms = [interpreter(term) for term in raw.terms]
    if raw.constant != 0.0:
        terms.insert(0, double(raw.constant))
    scored = exp.select(exp.column(key, quoted=True), balanced_sum(terms).as_("raw_score")).from_(
        exp.to_table(table)
    )
    return probability_select(scored, key)


def probability_select(scored: exp.Select, key: str, *ctes: tuple[str, exp.Select]) -> exp.Select:
    """key and probability from a SELECT of (key, raw_score) named `scored`, after any `ctes` it reads;
    the benchmark's other SQL forms end the same way, so they pay the same for the sigmoid."""
    _, probability = probability_of(exp.column("raw_score"))
    query = exp.select(exp.column(key, quoted=True), probability.as_("probability")).from_("scored")
    for name, body in ctes:
        query = query.with_(name, as_=body)
    return query.with_("scored", as_=scored)


def build_scoring_query(
    calibrated: CalibratedClassifierCV, keys: Sequence[str], exact_float32: bool = True
) -> ScoringQuery:
    """exact_float32=False compares raw doubles with the thresholds, as naive translators do; it
    exists to show (in tests and benchmarks) the rows that go wrong without the rewrite."""
    pipeline, slope, intercept = unwrap(calibrated)
    source_alias = "source"

    def source(name: str) -> exp.Expression:
        return exp.column(name, table=source_alias, quoted=True)

    prepared = prepared_columns(pipeline.named_steps["prepare"], source)
    raw = assemble_raw_score(pipeline.named_steps["model"])
    features = [exp.column(f"f{i}") for i in range(len(prepared))]
    interpreter = SqlInterpreter(features, raw.float32_inputs, "boundary" if exact_float32 else "naive")
    terms = [interpreter(term) for term in raw.terms]
    if raw.constant != 0.0:
        terms.insert(0, double(raw.constant))
    raw_score = balanced_sum(terms)

    key_columns = [exp.column(key, quoted=True) for key in keys]
    prepared_select = exp.select(
        *[exp.column(key, table=source_alias, quoted=True) for key in keys],
        *[column.sql.as_(f"f{i}") for i, column in enumerate(prepared)],
    ).from_(exp.to_table(INPUT_PLACEHOLDER).as_(source_alias))
    scored_select = exp.select(*[k.copy() for k in key_columns], raw_score.as_("raw_score")).from_("prepared")

    # scikit-learn: probability = expit(-(a * raw + b)).
    log_odds, probability = probability_of(exp.column("raw_score"), slope, intercept)
    final = (
        exp.select(
            *[k.copy() for k in key_columns],
            exp.column("raw_score"),
            log_odds.as_("log_odds"),
            probability.as_("probability"),
        )
        .from_("scored")
        .with_("prepared", as_=prepared_select)
        .with_("scored", as_=scored_select)
    )
    return ScoringQuery(
        expression=final,
        feature_names=[column.name for column in prepared],
        feature_sources=[column.source for column in prepared],
        raw_score=raw,
        calibration=(slope, intercept),
    )
