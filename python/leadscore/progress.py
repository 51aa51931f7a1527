"""Where the CLI writes: progress, logs and messages on stderr (`console`); a command's result
(the tables `models list` and `models show` print, `models verify`'s verdicts) on stdout (`results`),
so `leadscore models list > versions.txt` holds the table.

Off a terminal (a pipe, a log, CI) rich would cut tables at 80 columns; there they get
NOT_A_TERMINAL_WIDTH unless $COLUMNS says otherwise."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

NOT_A_TERMINAL_WIDTH = 200


def _width(stream) -> int | None:
    interactive = hasattr(stream, "isatty") and stream.isatty()
    return None if interactive or os.environ.get("COLUMNS") else NOT_A_TERMINAL_WIDTH


console = Console(stderr=True, width=_width(sys.stderr))
results = Console(width=_width(sys.stdout))


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
