"""`leadscore models verify`: is a saved version still what was trained and checked? Its files
against the checksums recorded at save time, its metadata and fitted model readable, and its SQL,
run in the warehouse on a sample of the training mart, equal to predict_proba on the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leadscore.registry.artifacts import load_model_version
from leadscore.registry.errors import RegistryError
from leadscore.relations import model_relation
from leadscore.transpile.query import INPUT_PLACEHOLDER
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import quoted

EXACT = 1e-9  # the same bound training enforces before it saves a version
SAMPLE_ROWS = 500


@dataclass
class VersionCheck:
    model_id: str
    problems: list[str] = field(default_factory=list)
    parity: float | None = None  # max |SQL - predict_proba| on the sample
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_version(model_id: str, warehouse: Warehouse | None, rows: int = SAMPLE_ROWS) -> VersionCheck:
    check = VersionCheck(model_id)
    try:
        version = load_model_version(model_id, verify=False)
        check.problems.extend(version.problems())
        metadata = version.metadata
        version.metrics  # noqa: B018 - read to prove it parses
        estimator = version.load_estimator()
    except RegistryError as error:
        check.problems.append(str(error))
        return check
    if warehouse is None:
        return check
    try:
        _check_sql(check, version, metadata, estimator, warehouse, rows)
    except Exception as error:  # a warehouse error is a finding about this version, not a crash
        check.problems.append(
            f"the SQL could not be checked in the warehouse: {type(error).__name__}: {error}"
        )
    return check


def _check_sql(
    check: VersionCheck, version, metadata: dict, estimator, warehouse: Warehouse, rows: int
) -> None:
    from leadscore.modeling.feature_spec import FeatureSpec

    spec = FeatureSpec.from_dict(metadata["feature_spec"])
    dialect = warehouse.target.sql_dialect
    columns = ", ".join(quoted(column, dialect) for column in dict.fromkeys([*spec.keys, *spec.features]))
    first_key = quoted(spec.keys[0], dialect)
    sample = (
        f"(select {columns} from {model_relation(spec.training_model, dialect)} "
        f"order by length({first_key}), {first_key}, {quoted(spec.keys[1], dialect)} limit {int(rows)})"
    )
    frame = warehouse.query(f"select * from {sample} as verify_sample")
    if frame.empty:
        check.problems.append(
            f"the training mart {spec.training_model} is empty: nothing to check the SQL on"
        )
        return check
    sql = version.sql(dialect).split("\n", 1)[1].replace(INPUT_PLACEHOLDER, sample)
    scored = warehouse.query(sql)
    merged = frame.merge(scored, on=list(spec.keys), how="left", validate="one_to_one")
    expected = estimator.predict_proba(merged[list(spec.features)])[:, 1]
    actual = merged["probability"].to_numpy(dtype=float)
    unscored = int(np.isnan(actual).sum())
    check.rows = len(merged)
    if unscored:
        check.problems.append(f"the SQL gave no probability for {unscored:,} of {len(merged):,} rows")
    difference = np.abs(actual - expected)
    check.parity = float(np.nanmax(difference)) if unscored < len(merged) else None
    if check.parity is not None and not check.parity <= EXACT:
        check.problems.append(
            f"the {dialect} SQL differs from predict_proba by up to {check.parity:.3g} on {len(merged):,} rows "
            f"of {spec.training_model} (allowed {EXACT:g})"
        )
