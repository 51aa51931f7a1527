"""Where a training run's time went, printed after `leadscore train` and read by the benchmarks.

Two kinds of figure, because the families' work runs in a pool of processes (side_by_side.py):
the wall time of each step in this process (families, transpile, score parity, reasons, saving,
report), and the summed time of work done beside those steps, per kind: the families' tasks
(tuning, backtest, final fits, plain baseline), which can exceed the families step's wall time when
they ran side by side, and the other dialects' SQL, fitted on a thread during the warehouse checks.
Timings are printed and written beside the training report (reports/training_times.json), never
saved with a model: a version's files stay the same bytes run to run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StageTimes:
    wall: dict[str, float] = field(default_factory=dict)  # step -> seconds, in order
    tasks: dict[str, float] = field(default_factory=dict)  # kind of task -> summed seconds

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - began

    def add_task(self, kind: str, seconds: float) -> None:
        self.tasks[kind] = self.tasks.get(kind, 0.0) + seconds

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {"wall_seconds": dict(self.wall), "task_seconds": dict(self.tasks)}

    def write(self, path: Path) -> None:
        """Beside the training report (reports/training_times.json), for the pipeline benchmark."""
        path.write_text(json.dumps(self.to_dict(), indent=2))

    def line(self) -> str:
        steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.wall.items())
        line = f"Training time: {steps}; total {sum(self.wall.values()):.1f}s"
        if self.tasks:
            work = ", ".join(f"{kind} {seconds:.1f}s" for kind, seconds in self.tasks.items())
            line += f". The families' tasks, summed over processes: {work}"
        return line
