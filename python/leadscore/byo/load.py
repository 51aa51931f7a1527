"""Loads a CSV lead export into the warehouse's raw schema, as text columns (dbt types them)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leadscore.byo.config import ConfigError, LeadTableConfig
from leadscore.warehouse import Warehouse


def load_csv(warehouse: Warehouse, config: LeadTableConfig) -> int:
    if config.csv is None:
        raise ConfigError(
            f"{config.path}: source.csv is not set; load {config.source_schema}.{config.source_table} yourself"
        )
    if not Path(config.csv).exists():
        raise ConfigError(f"{config.path}: source.csv {config.csv} does not exist")
    # Text in, types in dbt: the loader never guesses (and never drops) a value.
    frame = pd.read_csv(config.csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.loc[
        :, [c for c in frame.columns if not (c.startswith("Unnamed:") and frame[c].eq("").all())]
    ]
    frame = frame.astype(object).where(frame.ne(""), None)
    columns = {column: "varchar" for column in frame.columns}
    warehouse.write_frame(config.source_schema, config.source_table, frame, columns, append=False)
    return len(frame)
