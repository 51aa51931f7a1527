"""Writes the generated demo CRM into the warehouse of the active profile."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from leadscore.demo_data.dirt import DirtLog
from leadscore.demo_data.generator import GeneratorConfig, generate
from leadscore.progress import progress_bar
from leadscore.warehouse import Warehouse


def load_demo_data(
    warehouse: Warehouse, config: GeneratorConfig, manifest_path: Path | None = None, shape: str = "native"
) -> DirtLog:
    """Generates and loads the CRM's tables in the given shape (raw.* natively, salesforce.* or
    hubspot.* as those connectors land them) and oracle.*; writes the injected-dirt counts to manifest_path."""
    with progress_bar() as progress:
        task = progress.add_task(f"Generating {config.leads:,} leads", total=config.leads)

        def write(
            schema: str, table: str, frame: pd.DataFrame, columns: dict[str, str], append: bool
        ) -> None:
            warehouse.write_frame(schema, table, frame, columns, append)

        log = generate(
            config, write, on_progress=lambda made, _total: progress.update(task, completed=made), shape=shape
        )
    if manifest_path:
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(
            json.dumps(
                {"config": _config_dict(config), "shape": shape, "dirt": dict(sorted(log.items()))}, indent=2
            )
        )
    return log


def _config_dict(config: GeneratorConfig) -> dict[str, object]:
    return {
        "leads": config.leads,
        "seed": config.seed,
        "end_date": config.end_date.isoformat(),
        "history_months": config.history_months,
        "drift_months": config.drift_months,
    }
