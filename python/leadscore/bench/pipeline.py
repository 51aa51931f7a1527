"""The whole pipeline at scale: wall time and peak memory of each stage, run as separate processes,
the slowest dbt nodes of each build (and what the monitoring models cost), and where training's
time went, to see which stages grow faster than the data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from leadscore.bench.machine import machine_line
from leadscore.paths import INTEGRATION_GENERATED, copy_project, profiles_dir, project_dir
from leadscore.warehouse.sql_names import quoted


@dataclass
class StageResult:
    leads: int
    stage: str
    seconds: float
    peak_memory_mb: float
    exit_code: int
    breakdown: dict | None = None  # train: reports/training_times.json (modeling/stage_times.py)
    nodes: list[tuple[str, float]] | None = None  # dbt stages: every node's time, slowest first
    scored_leads: int | None = None  # score: leads the champion explained (int_lead_score_contributions)


def _node_times(target: Path) -> list[tuple[str, float]] | None:
    """Every node of the dbt invocation that wrote `target`, slowest first."""
    results = target / "run_results.json"
    if not results.exists():
        return None
    timings = [
        (_node_name(r["unique_id"]), float(r["execution_time"]))
        for r in json.loads(results.read_text())["results"]
    ]
    return sorted(timings, key=lambda item: item[1], reverse=True)


def _run(
    leads: int,
    stage: str,
    command: list[str],
    environment: dict[str, str],
    log: Path,
    cwd: Path | None = None,
) -> StageResult:
    started = time.perf_counter()
    with log.open("a") as out:
        out.write(f"\n### {stage}: {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(
            command, cwd=cwd or project_dir(), env=environment, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
    return StageResult(
        leads, stage, time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)
    )


def _node_name(unique_id: str) -> str:
    # "model.lead_scoring.lead_scores" / "test.lead_scoring.not_null_x_y.3e7a08e5fb": the name, not the hash
    return unique_id.split(".")[2]


def run_pipeline(leads: int, folder: Path, memory_limit: str | None = None) -> list[StageResult]:
    """Generate `leads` leads into their own DuckDB file, `dbt build` everything (no model is
    trained yet, so the scoring models build empty), train on it, and rebuild the scores with the
    new champion (checked to have explained some leads: scored_leads).

    memory_limit: DuckDB's cap in every stage (LEADSCORE_DUCKDB_MEMORY_LIMIT, read by the profile
    for dbt and for training's own connection); None leaves DuckDB its default, 80% of RAM, which it
    keeps once it has it, so that peak overstates what a smaller machine needs."""
    folder = folder.resolve()  # stages run from other folders
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"scale_{leads}.duckdb"
    database.unlink(missing_ok=True)
    target = folder / f"target_{leads}"
    environment = {
        **os.environ,
        "LEADSCORE_TARGET": "duckdb",
        "LEADSCORE_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(profiles_dir()),
        "DBT_TARGET_PATH": str(target),
    }
    if memory_limit:
        environment["LEADSCORE_DUCKDB_MEMORY_LIMIT"] = memory_limit
    executables = Path(sys.executable).parent
    log = folder / f"scale_{leads}.log"
    log.unlink(missing_ok=True)
    stages = [
        _run(
            leads,
            "generate",
            [str(executables / "leadscore"), "generate", "--leads", str(leads)],
            environment,
            log,
        ),
        _run(
            leads,
            "dbt build",
            [str(executables / "dbt"), "build", "--target-path", str(target)],
            environment,
            log,
        ),
    ]
    stages[-1].nodes = _node_times(target)  # before the score stage writes to the same target
    # Train on this warehouse (its own artifacts folder, so the repository's shipped models stay
    # untouched), then rebuild what reads the generated SQL: the scores the new champion gives.
    project = folder / f"project_{leads}"
    shutil.rmtree(project, ignore_errors=True)
    copy_project(project)
    trained = {
        **environment,
        "LEADSCORE_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project / "profiles"),
        # Where `leadscore train` writes the champion's macros in this repository, and what the
        # package's macro-paths read: without it the score stage builds the scoring models empty.
        "LEADSCORE_GENERATED_MACROS": str(project / INTEGRATION_GENERATED),
    }
    stages.append(
        _run(
            leads,
            "train",
            [str(executables / "leadscore"), "train", "--manifest", str(target / "manifest.json")],
            trained,
            log,
        )
    )
    times = project / "reports" / "training_times.json"
    if times.exists():
        stages[-1].breakdown = json.loads(times.read_text())
    stages.append(
        _run(
            leads,
            "score",
            [str(executables / "dbt"), "build", "--selector", "scores", "--target-path", str(target)],
            {**trained, "DBT_PROJECT_DIR": str(project)},
            log,
            cwd=project,
        )
    )
    stages[-1].nodes = _node_times(target)
    stages[-1].scored_leads = scored_leads(database)
    if stages[-1].exit_code == 0 and not stages[-1].scored_leads:
        raise RuntimeError(
            f"the score stage at {leads:,} leads explained no lead (int_lead_score_contributions is empty "
            f"in {database}): the champion's macros were not on dbt's macro path; see {log}"
        )
    return stages


def scored_leads(database: Path) -> int:
    """Rows of int_lead_score_contributions (the champion's reasons): 0 when the scoring models were
    built without a champion, which would make the score stage's time meaningless."""
    with duckdb.connect(str(database), read_only=True) as connection:
        schemas = connection.execute(
            "select table_schema from information_schema.tables where table_name = 'int_lead_score_contributions'"
        ).fetchall()
        if not schemas:
            return 0
        return int(
            connection.execute(
                f"select count(*) from {quoted(schemas[0][0])}.int_lead_score_contributions"
            ).fetchone()[0]
        )


def render_pipeline_section(
    stages: list[StageResult], command: str, machine: dict[str, str], memory_limit: str | None = None
) -> str:
    sizes = sorted({s.leads for s in stages})
    lines = [
        "## The whole pipeline at scale",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}`: each stage a separate process on the same machine; peak memory is",
        "the stage's maximum resident set (DuckDB runs inside the dbt process). `dbt build` covers seeds,",
        "staging, features, the training mart, snapshots and every test (no model is trained yet: the",
        "scoring models build empty). `train` is `leadscore train` on that warehouse (logistic and",
        "LightGBM: settings searched on at most 300,000 of the most recent training rows, then fitted on all;",
        "calibration, SQL for 7 dialects, parity and reasons (exact TreeSHAP, the default) checked in the",
        "warehouse, report); `score` rebuilds the scoring models with the new champion, its TreeSHAP reasons",
        "for every scored lead included (`dbt build --selector scores`). "
        + (
            f"Every stage ran with `LEADSCORE_DUCKDB_MEMORY_LIMIT={memory_limit}` (the dbt builds and "
            "training's own DuckDB connection; DuckDB spills to disk beyond it): what a smaller machine "
            "would see. The cap bounds DuckDB, not the Python processes' frames and models."
            if memory_limit
            else "DuckDB ran with its default memory limit, 80% of RAM, and keeps what it is allowed."
        ),
        machine_line(machine),
        "",
        "| leads | stage | wall s | peak memory MB | exit |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for stage in stages:
        lines.append(
            f"| {stage.leads:,} | {stage.stage} | {stage.seconds:.0f} | {stage.peak_memory_mb:,.0f} | {stage.exit_code} |"
        )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"Growth from {small:,} to {large:,} leads ({large / small:.0f}x the data):", ""]
        pipeline = ("generate", "dbt build", "train", "score")
        for size in (small, large):
            total = sum(s.seconds for s in stages if s.leads == size and s.stage in pipeline)
            peak = max(
                (s.peak_memory_mb for s in stages if s.leads == size and s.stage in pipeline), default=0
            )
            lines.append(
                f"- {size:,} leads: generate + dbt build + train + score = {total:.0f} s ({total / 60:.1f} min), "
                f"peak memory {peak:,.0f} MB"
            )
        for name in pipeline:
            a = next(s for s in stages if s.leads == small and s.stage == name)
            b = next(s for s in stages if s.leads == large and s.stage == name)
            lines.append(
                f"- {name}: {b.seconds / a.seconds:.1f}x the time, {b.peak_memory_mb / a.peak_memory_mb:.1f}x the memory"
            )
    for stage in stages:
        if stage.breakdown:
            wall = ", ".join(
                f"{name} {seconds:.0f} s" for name, seconds in stage.breakdown["wall_seconds"].items()
            )
            tasks = ", ".join(
                f"{name} {seconds:.0f} s" for name, seconds in stage.breakdown["task_seconds"].items()
            )
            lines += [
                "",
                f"`train` at {stage.leads:,} leads, step by step: {wall}. Within `families`, the tasks' time "
                f"summed over the processes that ran them side by side: {tasks}.",
            ]
    for stage in stages:
        build = stage.stage.startswith("dbt build")
        if not stage.nodes or not (build or stage.stage == "score"):
            continue
        explained = (
            f" It wrote the champion's reasons for {stage.scored_leads:,} leads."
            if stage.scored_leads is not None
            else ""
        )
        lines += [
            "",
            f"Slowest dbt nodes of the `{stage.stage}` stage at {stage.leads:,} leads: "
            + ", ".join(f"{name} {seconds:.0f}s" for name, seconds in stage.nodes[:8])
            + "."
            + explained,
        ]
        monitoring = [(name, seconds) for name, seconds in stage.nodes if name.startswith("monitoring_")]
        if build and monitoring:
            lines.append(
                f"The {len(monitoring)} monitoring models in it took {sum(s for _, s in monitoring):.0f} s "
                f"together (slowest: {monitoring[0][0]} {monitoring[0][1]:.0f}s)."
            )
    return "\n".join(lines) + "\n"
