"""A command's table as a person or a program reads it: a rich table on a terminal, or CSV or JSON
(`--format csv|json`) for a script, a spreadsheet or a scheduler's log. Always on stdout."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum

from rich.markup import escape

from leadscore.progress import results


class OutputFormat(StrEnum):
    """How a command prints its table."""

    table = "table"
    csv = "csv"
    json = "json"


def emit(columns: Sequence[str], rows: Sequence[Sequence[object]], output: OutputFormat, styles=None) -> None:
    """Print rows under columns. styles (optional, one per row): a rich style for the whole row on
    a terminal; CSV and JSON carry the plain values."""
    if output is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if value is None else value for value in row] for row in rows)
    elif output is OutputFormat.json:
        sys.stdout.write(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], indent=2) + "\n")
    else:
        from rich.table import Table

        table = Table(show_edge=False)
        for column in columns:
            table.add_column(column)
        for index, row in enumerate(rows):
            style = styles[index] if styles else None
            table.add_row(*("" if value is None else escape(str(value)) for value in row), style=style)
        results.print(table)
