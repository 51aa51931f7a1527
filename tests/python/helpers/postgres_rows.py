"""Test rows written to PostgreSQL as the translator's tests read them."""

from __future__ import annotations

import numpy as np
import pandas as pd


def write_rows(warehouse, name: str, frame: pd.DataFrame, columns: list[str], nan_cells: dict) -> None:
    """The rows as table public.<name> keyed by row_id (b0 boolean, c0 text, the rest doubles), with
    the cells nan_cells marks holding a NaN double (pandas writes NaN as NULL)."""
    table = frame.copy()
    table.insert(0, "row_id", np.arange(len(table), dtype=np.int64))
    types = {"row_id": "bigint"}
    types |= {c: "boolean" if c == "b0" else "varchar" if c == "c0" else "double precision" for c in columns}
    warehouse.write_frame("public", name, table, types, append=False)
    for (row, column), _ in nan_cells.items():
        warehouse.execute(f"update {name} set \"{column}\" = 'NaN'::double precision where row_id = {row}")
