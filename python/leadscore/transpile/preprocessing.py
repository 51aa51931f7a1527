"""The fitted preprocessing (coercion, imputation, scaling, one-hot) as one SQL expression per
column of the matrix the model sees, in the model's column order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import sqlglot.expressions as exp
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from leadscore.modeling.frame import FeatureFrameCoercer
from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.literals import double, text


class Column(NamedTuple):
    name: str  # the name scikit-learn gives the prepared column
    sql: exp.Expression
    source: str  # the input feature it comes from


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _coerce(
    coercer: FeatureFrameCoercer, source: Callable[[str], exp.Expression]
) -> dict[str, exp.Expression]:
    columns: dict[str, exp.Expression] = {}
    for name in coercer.numeric:
        columns[name] = exp.Cast(this=source(name), to=exp.DataType.build("double"))
    for name in coercer.boolean:
        value = source(name)
        columns[name] = exp.Case(
            ifs=[
                exp.If(this=value.copy(), true=double(1.0)),
                exp.If(this=exp.Not(this=value.copy()), true=double(0.0)),
            ]
        )
    for name in coercer.categorical:
        columns[name] = exp.Cast(this=source(name), to=exp.DataType.build("varchar"))
    return columns


def _impute(imputer: SimpleImputer, columns: Sequence[Column]) -> list[Column]:
    statistics = list(imputer.statistics_)
    kept = [
        i
        for i, statistic in enumerate(statistics)
        if imputer.keep_empty_features or not _is_missing(statistic)
    ]
    out: list[Column] = []
    for i in kept:
        name, value, source = columns[i]
        statistic = statistics[i]
        fill = text(statistic) if isinstance(statistic, str) else double(float(statistic))
        out.append(Column(name, exp.Coalesce(this=value.copy(), expressions=[fill]), source))
    if imputer.add_indicator and imputer.indicator_ is not None:
        for i in imputer.indicator_.features_:
            name, value, source = columns[i]
            is_missing = exp.Is(this=value.copy(), expression=exp.Null())
            indicator = exp.Case(ifs=[exp.If(this=is_missing, true=double(1.0))], default=double(0.0))
            out.append(Column(f"missingindicator_{name}", indicator, source))
    return out


def _scale(scaler: StandardScaler, columns: Sequence[Column]) -> list[Column]:
    out: list[Column] = []
    for i, (name, value, source) in enumerate(columns):
        scaled: exp.Expression = value.copy()
        if scaler.with_mean:
            scaled = exp.Paren(this=exp.Sub(this=scaled, expression=double(scaler.mean_[i])))
        if scaler.with_std:
            scaled = exp.Paren(this=exp.Div(this=scaled, expression=double(scaler.scale_[i])))
        out.append(Column(name, scaled, source))
    return out


def _one_hot(encoder: OneHotEncoder, columns: Sequence[Column]) -> list[Column]:
    if encoder.drop_idx_ is not None:
        raise UnsupportedModelError("OneHotEncoder(drop=...) is not supported")
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(columns))
    out: list[Column] = []
    for i, (name, value, source) in enumerate(columns):
        rare = set() if infrequent[i] is None else {str(c) for c in infrequent[i]}
        frequent = [str(c) for c in encoder.categories_[i] if str(c) not in rare]
        for category in frequent:
            matches = exp.EQ(this=value.copy(), expression=text(category))
            indicator = exp.Case(ifs=[exp.If(this=matches, true=double(1.0))], default=double(0.0))
            out.append(Column(f"{name}_{category}", indicator, source))
        if rare:
            # Infrequent in training or never seen: everything that is not a frequent category.
            known = (
                exp.In(this=value.copy(), expressions=[text(c) for c in frequent])
                if frequent
                else exp.false()
            )
            other = exp.Case(ifs=[exp.If(this=known, true=double(0.0))], default=double(1.0))
            out.append(Column(f"{name}_infrequent_sklearn", other, source))
    return out


def _apply(step: object, columns: list[Column]) -> list[Column]:
    if isinstance(step, Pipeline):
        for _, inner in step.steps:
            columns = _apply(inner, columns)
        return columns
    if isinstance(step, SimpleImputer):
        return _impute(step, columns)
    if isinstance(step, StandardScaler):
        return _scale(step, columns)
    if isinstance(step, OneHotEncoder):
        return _one_hot(step, columns)
    raise UnsupportedModelError(f"no SQL for preprocessing step {type(step).__name__}")


def prepared_columns(prepare: Pipeline, source: Callable[[str], exp.Expression]) -> list[Column]:
    """source(name) is the SQL for an input column of the feature mart."""
    coercer = prepare.named_steps["coerce"]
    transformer: ColumnTransformer = prepare.named_steps["columns"]
    coerced = _coerce(coercer, source)
    out: list[Column] = []
    for block, step, names in transformer.transformers_:
        if step == "drop" or block == "remainder":
            continue
        out.extend(_apply(step, [Column(name, coerced[name], name) for name in names]))
    expected = len(transformer.get_feature_names_out())
    if len(out) != expected:
        raise UnsupportedModelError(f"translated {len(out)} columns but the pipeline produces {expected}")
    return out
