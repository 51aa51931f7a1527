"""Fitted preprocessing steps -> one SQL expression per column of the matrix the model sees.

Every column carries what is known about its values (a number that is never NaN or infinite, never
NULL, within [-1, 1], an ordinal code) and the conditions under which scikit-learn would have
raised instead of transforming the row (`refuse_when`): the query returns NULL for those rows
rather than a number scikit-learn never computes. Steps we cannot translate exactly are refused
with an `UnsupportedModelError` that names the supported ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import sqlglot.expressions as exp
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)

from leadscore.feature_frame import FeatureFrameCoercer
from leadscore.transpile.assemblers import UnsupportedModelError
from leadscore.transpile.dialects import RAW_TO_DOUBLE
from leadscore.transpile.literals import double, text
from leadscore.transpile.trees import LARGEST_DOUBLE, is_null

INTEGER_TEXT = re.compile(r"-?[0-9]+")
SUPPORTED_STEPS = (
    "FeatureFrameCoercer, ColumnTransformer, Pipeline, SimpleImputer, StandardScaler, MinMaxScaler, "
    "OneHotEncoder, OrdinalEncoder, FunctionTransformer() without a function, 'passthrough'"
)


@dataclass(frozen=True)
class Column:
    name: str  # the name scikit-learn gives the column (set at the end, from get_feature_names_out)
    sql: exp.Expression
    source: str  # the input feature it comes from
    kind: str = "raw"  # raw (an input as the table holds it) | number | text
    finite: bool = False  # number: NULL or a finite double (never NaN or +-inf)
    not_null: bool = False
    bounded: bool = False  # within [-1, 1]: indicators, flags
    code: bool = False  # NULL or a non-negative whole number (an ordinal code we wrote)
    category_kind: str = "text"  # text columns: what the coercer turned into text (text|boolean|number)
    verbatim: frozenset[str] = frozenset()  # strings the SQL writes exactly as Python does (fill values)
    refuse_when: tuple[exp.Expression, ...] = field(default_factory=tuple)


def is_missing_value(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value))


def _indicator(condition: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=condition, true=double(1.0))], default=double(0.0))


def not_finite(value: exp.Expression) -> exp.Expression:
    """True for +-inf (and NaN), NULL for NULL: works whether NaN sorts above everything
    (DuckDB, Postgres, Snowflake) or compares false (IEEE: BigQuery, Trino, Spark)."""
    return exp.Not(
        this=exp.Between(this=value.copy(), low=double(-LARGEST_DOUBLE), high=double(LARGEST_DOUBLE))
    )


def nan_as_null(value: exp.Expression) -> exp.Expression:
    """A double with NaN made NULL (scikit-learn's missing value is NaN; SQL's is NULL, and
    COALESCE or IS NULL would let a NaN through)."""
    return exp.Case(ifs=[exp.If(this=exp.IsNan(this=value.copy()), true=exp.Null())], default=value.copy())


def finite_or_null(value: exp.Expression) -> exp.Expression:
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.Between(this=value.copy(), low=double(-LARGEST_DOUBLE), high=double(LARGEST_DOUBLE)),
                true=value.copy(),
            )
        ]
    )


def as_number(column: Column) -> Column:
    """The column as a double with NaN made NULL (what a numeric step of scikit-learn reads)."""
    if column.kind == "number":
        return column
    cast = exp.Cast(this=column.sql.copy(), to=exp.DataType.build("double"))
    cast.meta[RAW_TO_DOUBLE] = True  # Postgres spells it through text (dialects.py): booleans too
    return replace(column, sql=nan_as_null(cast), kind="number")


def literal_for(column: Column, category: object) -> exp.Expression:
    """A fitted category as a literal comparable with the column."""
    if column.kind == "text" or isinstance(category, str):
        return text(str(category))
    if isinstance(category, bool | np.bool_):
        return exp.Boolean(this=bool(category))
    if isinstance(category, int | float | np.integer | np.floating):
        return double(float(category))
    raise UnsupportedModelError(f"cannot compare column {column.source!r} with category {category!r}")


def _with_refusals(columns: Sequence[Column], extra: Sequence[exp.Expression]) -> tuple[exp.Expression, ...]:
    seen: dict[str, exp.Expression] = {}
    for condition in [*(c for column in columns for c in column.refuse_when), *extra]:
        seen.setdefault(condition.sql(), condition)
    return tuple(seen.values())


# --- the coercer ---------------------------------------------------------------------------------


def _canonical_number_text(value: exp.Expression) -> exp.Expression:
    """FeatureFrameCoercer's spelling of a number: whole numbers below 2**53 without a decimal point.
    Other numbers get the warehouse's own text; the encoders refuse categories that need them."""
    whole = exp.and_(
        exp.EQ(this=value.copy(), expression=exp.Floor(this=value.copy())),
        exp.LT(this=exp.Abs(this=value.copy()), expression=double(2.0**53)),
    )
    as_integer = exp.Cast(
        this=exp.Cast(this=value.copy(), to=exp.DataType.build("bigint")), to=exp.DataType.build("varchar")
    )
    return exp.Case(
        ifs=[
            exp.If(this=not_finite(value), true=exp.Null()),
            exp.If(this=whole, true=as_integer),
        ],
        default=exp.Cast(this=value.copy(), to=exp.DataType.build("varchar")),
    )


def _coerce(coercer: FeatureFrameCoercer, columns: Sequence[Column]) -> list[Column]:
    by_name = {column.source: column for column in columns}
    kinds = getattr(coercer, "categorical_kinds_", {})
    out: list[Column] = []
    for name in coercer.numeric:
        value = exp.Cast(this=by_name[name].sql.copy(), to=exp.DataType.build("double"))
        out.append(Column(name, finite_or_null(value), name, kind="number", finite=True))
    for name in coercer.boolean:
        value = by_name[name].sql
        flag = exp.Case(
            ifs=[
                exp.If(this=value.copy(), true=double(1.0)),
                exp.If(this=exp.Not(this=value.copy()), true=double(0.0)),
            ]
        )
        out.append(Column(name, flag, name, kind="number", finite=True, bounded=True))
    for name in coercer.categorical:
        value, kind = by_name[name].sql, kinds.get(name, "text")
        if kind == "boolean":
            spelled: exp.Expression = exp.Case(
                ifs=[
                    exp.If(this=value.copy(), true=text("true")),
                    exp.If(this=exp.Not(this=value.copy()), true=text("false")),
                ]
            )
        elif kind == "number":
            spelled = _canonical_number_text(exp.Cast(this=value.copy(), to=exp.DataType.build("double")))
        else:
            spelled = exp.Cast(this=value.copy(), to=exp.DataType.build("varchar"))
        out.append(Column(name, spelled, name, kind="text", category_kind=kind))
    return out


# --- imputation, scaling ---------------------------------------------------------------------------


def _missing_test(imputer: SimpleImputer, column: Column) -> exp.Expression:
    if is_missing_value(imputer.missing_values):
        return is_null(column.sql)
    return exp.EQ(this=column.sql.copy(), expression=literal_for(column, imputer.missing_values))


def _impute(imputer: SimpleImputer, columns: Sequence[Column]) -> list[Column]:
    statistics = list(imputer.statistics_)
    numeric = not any(isinstance(s, str) for s in statistics) and all(c.kind != "text" for c in columns)
    if numeric:
        columns = [as_number(c) for c in columns]
    nan_is_missing = is_missing_value(imputer.missing_values)
    refusals: dict[int, list[exp.Expression]] = {}
    for i, column in enumerate(columns):
        reasons = []
        if numeric and not column.finite:
            reasons.append(not_finite(column.sql))  # SimpleImputer rejects +-inf
        if numeric and not nan_is_missing and not column.not_null:
            reasons.append(is_null(column.sql))  # ... and NaN when another value marks missing
        refusals[i] = reasons
    out: list[Column] = []
    for i, statistic in enumerate(statistics):
        if is_missing_value(statistic):
            if imputer.keep_empty_features:
                raise UnsupportedModelError("SimpleImputer(keep_empty_features=True) with an empty feature")
            continue  # scikit-learn drops features with no observed value
        column = columns[i]
        fill = text(statistic) if isinstance(statistic, str) else literal_for(column, statistic)
        if nan_is_missing:
            filled: exp.Expression = exp.Coalesce(this=column.sql.copy(), expressions=[fill])
        else:
            filled = exp.Case(
                ifs=[exp.If(this=_missing_test(imputer, column), true=fill)], default=column.sql.copy()
            )
        is_finite_fill = not isinstance(statistic, str) and math.isfinite(float(statistic))
        out.append(
            replace(
                column,
                sql=filled,
                not_null=nan_is_missing or column.not_null,
                finite=numeric and is_finite_fill,
                bounded=column.bounded and is_finite_fill and abs(float(statistic)) <= 1.0
                if numeric
                else False,
                verbatim=column.verbatim | ({statistic} if isinstance(statistic, str) else set()),
                refuse_when=_with_refusals([column], refusals[i]),
            )
        )
    if imputer.add_indicator and imputer.indicator_ is not None:
        for i in imputer.indicator_.features_:
            column = columns[i]
            out.append(
                Column(
                    f"missingindicator_{column.name}",
                    _indicator(_missing_test(imputer, column)),
                    column.source,
                    kind="number",
                    finite=True,
                    not_null=True,
                    bounded=True,
                    refuse_when=_with_refusals([column], refusals[i]),
                )
            )
    return out


def _scaled(column: Column, refusal_needed: bool, sql: exp.Expression, bounded: bool = False) -> Column:
    refusals = [not_finite(column.sql)] if refusal_needed and not column.finite else []
    return replace(
        column, sql=sql, bounded=bounded, refuse_when=_with_refusals([column], refusals), kind="number"
    )


def _standard_scale(scaler: StandardScaler, columns: Sequence[Column]) -> list[Column]:
    out: list[Column] = []
    for i, column in enumerate(as_number(c) for c in columns):
        value: exp.Expression = column.sql.copy()
        if scaler.with_mean:
            value = exp.Paren(this=exp.Sub(this=value, expression=double(scaler.mean_[i])))
        if scaler.with_std:
            value = exp.Paren(this=exp.Div(this=value, expression=double(scaler.scale_[i])))
        out.append(_scaled(column, True, value))
    return out


def _min_max_scale(scaler: MinMaxScaler, columns: Sequence[Column]) -> list[Column]:
    if scaler.clip:
        raise UnsupportedModelError("MinMaxScaler(clip=True) is not supported")
    out: list[Column] = []
    for i, column in enumerate(as_number(c) for c in columns):
        scaled = exp.Mul(
            this=column.sql.copy(), expression=double(scaler.scale_[i])
        )  # X *= scale_; X += min_
        out.append(
            _scaled(column, True, exp.Paren(this=exp.Add(this=scaled, expression=double(scaler.min_[i]))))
        )
    return out


# --- encoders --------------------------------------------------------------------------------------


def _check_spelling(column: Column, categories: Sequence[object], encoder: str) -> None:
    """The coercer spells booleans and whole numbers as the SQL does; other numbers it spells the
    way Python prints them, which warehouses do not reproduce. Refuse rather than guess."""
    if column.kind != "text" or column.category_kind != "number":
        return
    odd = [
        c
        for c in categories
        if not is_missing_value(c) and not INTEGER_TEXT.fullmatch(str(c)) and str(c) not in column.verbatim
    ]
    if odd:
        raise UnsupportedModelError(
            f"{encoder} on column {column.source!r}: it holds numbers that are not whole ({odd[:3]}), whose "
            "text differs between Python and SQL; cast the column to text in the mart, or treat it as numeric"
        )


def _matches(column: Column, categories: Sequence[object]) -> exp.Expression:
    """True when the value is one of the categories (NaN among them matches NULL); never NULL."""
    present = [c for c in categories if not is_missing_value(c)]
    parts: list[exp.Expression] = []
    if present:
        parts.append(exp.In(this=column.sql.copy(), expressions=[literal_for(column, c) for c in present]))
    if len(present) < len(categories):
        parts.append(is_null(column.sql))
    if not parts:
        return exp.false()
    return exp.Coalesce(this=exp.or_(*parts), expressions=[exp.false()])


def _one_hot(encoder: OneHotEncoder, columns: Sequence[Column]) -> list[Column]:
    infrequent = getattr(encoder, "infrequent_categories_", None) or [None] * len(columns)
    drop_index = encoder.drop_idx_
    out: list[Column] = []
    for i, column in enumerate(columns):
        categories = list(encoder.categories_[i])
        _check_spelling(column, categories, "OneHotEncoder")
        rare = [] if infrequent[i] is None else list(infrequent[i])
        if rare and drop_index is not None and drop_index[i] is not None:
            raise UnsupportedModelError(
                "OneHotEncoder with both drop and infrequent categories is not supported"
            )
        rare_keys = {repr(c) for c in rare}
        frequent = [c for c in categories if repr(c) not in rare_keys]
        dropped = None if drop_index is None or drop_index[i] is None else categories[int(drop_index[i])]
        refusals = []
        if encoder.handle_unknown == "error":
            refusals.append(exp.Not(this=_matches(column, categories)))  # scikit-learn raises on unknown
        refuse_when = _with_refusals([column], refusals)

        def flag(condition: exp.Expression, column: Column = column, refuse_when=refuse_when) -> Column:
            return Column(
                column.name,
                _indicator(condition),
                column.source,
                kind="number",
                finite=True,
                not_null=True,
                bounded=True,
                refuse_when=refuse_when,
            )

        for category in frequent:
            if dropped is not None and repr(category) == repr(dropped):
                continue
            out.append(flag(_matches(column, [category])))
        if rare:
            # "warn" (scikit-learn 1.6+) transforms as "infrequent_if_exist" does, with a warning.
            if encoder.handle_unknown in ("infrequent_if_exist", "warn"):
                # Infrequent in training, never seen, or missing when missing is no frequent category.
                out.append(flag(exp.Not(this=_matches(column, frequent))))
            else:  # unknown categories are all zeros
                out.append(flag(_matches(column, rare)))
    return out


def _ordinal_codes(encoder: OrdinalEncoder, column_index: int, count: int) -> list[object]:
    """The code scikit-learn gives each fitted category of one column (infrequent ones share one)."""
    categories = list(encoder.categories_[column_index])
    probe = np.empty((len(categories), count), dtype=object)
    for j in range(count):
        probe[:, j] = encoder.categories_[j][0]
    probe[:, column_index] = categories
    names = getattr(encoder, "feature_names_in_", None)
    frame = pd.DataFrame(probe, columns=list(names)) if names is not None else probe
    return list(np.asarray(encoder.transform(frame))[:, column_index])


def _ordinal(encoder: OrdinalEncoder, columns: Sequence[Column]) -> list[Column]:
    out: list[Column] = []
    for i, column in enumerate(columns):
        categories = list(encoder.categories_[i])
        _check_spelling(column, categories, "OrdinalEncoder")
        codes = _ordinal_codes(encoder, i, len(columns))
        ifs, produced = [], []
        missing_code: object = None
        for category, code in zip(categories, codes, strict=True):
            if is_missing_value(category):
                missing_code = code
                continue
            ifs.append(
                exp.If(
                    this=exp.EQ(this=column.sql.copy(), expression=literal_for(column, category)),
                    true=double(float(code)),
                )
            )
            produced.append(float(code))
        refusals = []
        if encoder.handle_unknown == "use_encoded_value":
            unknown = encoder.unknown_value
        else:
            unknown = None
            refusals.append(exp.Not(this=_matches(column, categories)))
        if missing_code is None:
            missing_code = unknown  # NaN never seen in training is an unknown category
        ifs.insert(
            0,
            exp.If(
                this=is_null(column.sql),
                true=exp.Null() if is_missing_value(missing_code) else double(float(missing_code)),
            ),
        )
        default = None if is_missing_value(unknown) else double(float(unknown))
        produced += [float(v) for v in (missing_code, unknown) if not is_missing_value(v)]
        out.append(
            Column(
                column.name,
                exp.Case(ifs=ifs, default=default),
                column.source,
                kind="number",
                finite=True,
                code=all(v >= 0 and v == math.floor(v) for v in produced),
                refuse_when=_with_refusals([column], refusals),
            )
        )
    return out


# --- composition -----------------------------------------------------------------------------------


def _column_transformer(transformer: ColumnTransformer, columns: Sequence[Column]) -> list[Column]:
    indices = getattr(transformer, "_transformer_to_input_indices", None)
    if indices is None:
        raise UnsupportedModelError("this ColumnTransformer does not record its input columns")
    out: list[Column] = []
    for name, step, _ in transformer.transformers_:
        if step == "drop":
            continue
        selected = [columns[int(i)] for i in indices.get(name, [])]
        if not selected:
            continue
        out.extend(selected if step == "passthrough" else apply_step(step, selected))
    expected = max((s.stop for s in transformer.output_indices_.values()), default=0)
    if len(out) != expected:
        raise UnsupportedModelError(
            f"translated {len(out)} columns but the ColumnTransformer produces {expected}: one of its "
            f"transformers is not translated exactly (supported: {SUPPORTED_STEPS})"
        )
    return out


def apply_step(step: object, columns: list[Column]) -> list[Column]:
    if step is None or step == "passthrough":
        return columns
    if isinstance(step, Pipeline):
        for _, inner in step.steps:
            columns = apply_step(inner, columns)
        return columns
    handlers: list[tuple[type, Callable]] = [
        (FeatureFrameCoercer, _coerce),
        (ColumnTransformer, _column_transformer),
        (SimpleImputer, _impute),
        (StandardScaler, _standard_scale),
        (MinMaxScaler, _min_max_scale),
        (OneHotEncoder, _one_hot),
        (OrdinalEncoder, _ordinal),
    ]
    for cls, handler in handlers:
        if isinstance(step, cls):
            return handler(step, columns)
    if isinstance(step, FunctionTransformer) and step.func is None and step.inverse_func is None:
        return columns
    raise UnsupportedModelError(
        f"no SQL for preprocessing step {type(step).__name__}; supported: {SUPPORTED_STEPS}"
    )


def prepared_columns(
    steps: Sequence[object], input_names: Sequence[str], source: Callable[[str], exp.Expression]
) -> list[Column]:
    """The columns after every step; source(name) is the SQL of an input column."""
    columns = [Column(name, source(name), name) for name in input_names]
    for step in steps:
        columns = apply_step(step, columns)
    names = _output_names(steps, len(columns)) if steps else list(input_names)
    return [replace(column, name=name) for column, name in zip(columns, names, strict=True)]


def _output_names(steps: Sequence[object], count: int) -> list[str]:
    for step in reversed(steps):
        try:
            names = [str(n) for n in step.get_feature_names_out()]
        except Exception:  # not every step names its output
            continue
        if len(names) == count:
            return names
        break
    return [f"x{i}" for i in range(count)]
