"""The shape of leadscore.yml, checked by pydantic before anything reads it: unknown keys are refused
with the nearest valid key, types are checked, and YAML's yes/no-to-boolean conversion cannot turn a
label value into something the file does not say (label values are text; quote them)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError


def _text(value: object) -> object:
    """Numbers read as text (1 -> "1"); booleans are refused, since YAML made them from yes/no/on/off."""
    if isinstance(value, bool):
        raise ValueError(
            f"YAML read this as {str(value).lower()} (from yes/no/true/false/on/off): quote the value "
            "as it is written in your data, e.g. 'yes'"
        )
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_text)]
Name = Annotated[str, BeforeValidator(_text), Field(min_length=1)]  # a column or table name: not empty


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceSection(Strict):
    table: Name
    schema_name: Text = Field("raw", alias="schema")
    csv: Text | None = None
    delimiter: Text | None = None
    encoding: Text | None = None


class LabelSection(Strict):
    column: Name
    positive: list[Text] = Field(min_length=1)
    negative: list[Text] = Field(min_length=1)


class BooleanSection(Strict):
    columns: list[Text] = []
    true_values: list[Text] = Field(min_length=1)
    false_values: list[Text] = Field(min_length=1)


class FeaturesSection(Strict):
    numeric: list[Text] = []
    categorical: list[Text] = []
    date: list[Text] = []  # each becomes <name>_days_since, <name>_month, <name>_weekday
    boolean: BooleanSection | None = None


class SplitSection(Strict):
    train: float = 0.7
    validation: float = 0.15


class EconomicsSection(Strict):
    value_per_conversion_usd: float = 1000.0


class LeakageSection(Strict):
    max_single_feature_auc: float = 0.85
    max_fill_rate_ratio: float = 1.8
    max_model_auc: float = 0.97
    allow: list[Text] = []


class TrainingSection(Strict):
    backtest_periods: int | None = Field(None, ge=2)
    window_months: int | None = Field(None, gt=0)
    half_life_months: float | None = Field(None, gt=0)
    reasons: Literal["saabas", "shapley"] | None = None


class LeadScoreFile(Strict):
    name: Name
    source: SourceSection
    key: Name
    order_by: Text | None = None
    created_at: Text | None = None
    label: LabelSection
    missing_values: list[Text] = [""]
    features: FeaturesSection
    exclude: list[Text] = []
    split: SplitSection = SplitSection()
    economics: EconomicsSection = EconomicsSection()
    leakage: LeakageSection = LeakageSection()
    training: TrainingSection = TrainingSection()
    max_categories: int = Field(200, gt=1)
    min_rows: int = Field(500, gt=0)


def _section_fields(location: tuple) -> list[str]:
    """The valid keys at the level where an unknown key was found."""
    model: type[BaseModel] = LeadScoreFile
    for part in location[:-1]:
        field = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        annotation = getattr(field, "annotation", None)
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if nested is None:
            return []
        model = nested
    return [field.alias or name for name, field in model.model_fields.items()]


def _message(error: dict) -> str:
    location = tuple(error["loc"])
    where = ".".join(str(part) for part in location)
    if error["type"] == "extra_forbidden":
        valid = _section_fields(location)
        near = difflib.get_close_matches(str(location[-1]), valid, n=1, cutoff=0.6)
        hint = f"; did you mean `{near[0]}`?" if near else f"; valid keys here: {', '.join(valid)}"
        return f"unknown key `{where}`{hint}"
    if error["type"] in ("missing", "string_too_short", "too_short") and not error.get("input"):
        return f"`{where}` is required"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"`{where}`: {message} (got {error.get('input')!r})"


def validate_file(data: object, path: Path) -> LeadScoreFile:
    """The parsed file, or a ConfigError listing every problem with its key."""
    from leadscore.byo.config import ConfigError

    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys (name, source, key, label, features, ...)")
    try:
        return LeadScoreFile.model_validate(data)
    except ValidationError as error:
        problems = [_message(item) for item in error.errors()]
        raise ConfigError(f"{path}: " + "; ".join(problems)) from None
