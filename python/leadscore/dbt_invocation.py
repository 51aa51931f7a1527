"""Runs dbt as a subprocess (its own DuckDB connection, its own logging) with a progress bar fed
by dbt's JSON log, and turns failures into a short, readable report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from leadscore.paths import dbt_environment, dbt_target_dir, project_dir
from leadscore.progress import console, progress_bar


class DbtError(RuntimeError):
    pass


@dataclass
class DbtOutcome:
    counts: dict[str, int] = field(default_factory=dict)  # status -> nodes
    problems: list[str] = field(default_factory=list)  # warn and error messages


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else "dbt"


def run_dbt(
    arguments: list[str], description: str, target: str | None = None, check: bool = True
) -> DbtOutcome:
    # JSON events, read below into a progress bar and a short report; no ANSI codes in them
    command = [dbt_executable(), *arguments, "--log-format", "json", "--no-use-colors"]
    if target:
        command += ["--target", target]
    if os.environ.get("LEADSCORE_DBT_VARS") and "--vars" not in arguments:
        command += ["--vars", os.environ["LEADSCORE_DBT_VARS"]]  # set by `leadscore --config`
    environment = dbt_environment()
    outcome = DbtOutcome()
    with progress_bar() as progress:
        task = progress.add_task(description, total=None)
        process = subprocess.Popen(
            command,
            cwd=project_dir(),
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            _read_event(line, outcome, lambda done, total: progress.update(task, completed=done, total=total))
        return_code = process.wait()
    if outcome.problems:
        for problem in outcome.problems[:20]:
            console.print(problem, markup=False, highlight=False)
    if return_code != 0 and check:
        from leadscore.dbt_failures import describe_failures

        details = describe_failures(dbt_target_dir(), target)
        raise DbtError(
            f"`dbt {' '.join(arguments)}` failed (exit {return_code})"
            + (f":\n{details}" if details else "; see the messages above.")
        )
    return outcome


def _read_event(line: str, outcome: DbtOutcome, advance) -> None:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        if line.strip():
            outcome.problems.append(line.rstrip())
        return
    info, data = event.get("info", {}), event.get("data", {})
    name = info.get("name", "")
    total = data.get("total", data.get("num_models"))
    if name.endswith("Result") and "index" in data and total:
        advance(int(data["index"]), int(total))
        status = _status_word(str(data.get("status", "")))
        outcome.counts[status] = outcome.counts.get(status, 0) + 1
    if info.get("level") in ("warn", "error") and info.get("msg"):
        outcome.problems.append(_plain(info["msg"]))


# What an adapter reports for a built model: DuckDB "OK", Postgres "SELECT 104" or "INSERT 0 12",
# Spark "OK". Counted as one "ok", so the summary reads "47 ok, 171 pass" on every adapter.
BUILT_STATUSES = ("ok", "select", "insert", "create", "update", "delete", "merge", "copy")


def _status_word(status: str) -> str:
    word = status.strip().split(" ")[0].lower()
    return "ok" if word in BUILT_STATUSES else word


def _plain(message: str) -> str:
    """dbt's messages carry ANSI colour codes."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", message)
