"""What `leadscore --help`, `--version` and `retrain --help` promise: the options a user looks for."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

LEADSCORE = str(Path(sys.executable).parent / "leadscore")


def _run(*arguments: str, columns: int = 200) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [LEADSCORE, *arguments], capture_output=True, text=True, env=environment, timeout=120
    )


def test_version_prints_the_installed_version():
    for arguments in (["--version"], ["--debug", "--version"]):
        result = _run(*arguments)
        assert result.returncode == 0
        assert result.stdout.strip() == f"leadscore {version('leadscore')}"


def test_help_lists_debug_and_version():
    result = _run("--help")
    assert result.returncode == 0
    text = result.stdout + result.stderr
    assert "--debug" in text and "--version" in text
    # The developers' benchmarks (they rewrite this repository's BENCHMARKS.md) are not listed.
    assert "bench" not in text
    assert _run("bench", "--help").returncode == 0  # still there for `make bench`


def test_retrain_takes_what_train_takes():
    def options(command: str) -> set[str]:
        text = _run(command, "--help").stdout + _run(command, "--help").stderr
        return {word.strip("│ ,") for word in text.split() if word.startswith("--")}

    shared = {"--families", "--backtest-periods", "--window-months", "--half-life-months", "--feedback"}
    assert shared <= options("train") and shared <= options("retrain")


def test_feedback_is_a_choice():
    result = _run("train", "--feedback", "sometimes")
    assert result.returncode != 0
    assert "exclude" in result.stdout + result.stderr


def test_tables_off_a_terminal_are_not_cut_at_80_columns():
    """In a pipe or a scheduler log both consoles are 200 wide (rich's default there is 80), unless
    $COLUMNS says otherwise."""
    probe = "from leadscore.progress import console, results; print(console.width, results.width)"
    environment = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    piped = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment)
    assert piped.stdout.split() == ["200", "200"]
    narrow = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**environment, "COLUMNS": "100"}
    )
    assert narrow.stdout.split() == ["100", "100"]


def test_help_reads_well_on_an_80_column_terminal():
    """No `<bool>` after a flag, and every command's summary wraps to the terminal: a line followed
    by its continuation is filled (a docstring's own line break used to leave "the" alone on a line)."""
    for command in ([], ["models"], ["train"]):
        text = _run(*command, "--help", columns=80).stdout
        assert "<bool>" not in text and "--help" in text
    text = _run("--help", columns=80).stdout
    panel = text[text.index("Commands") :].splitlines()[1:]
    rows = [line[1:-1] for line in panel if line.startswith("│")]
    assert len(rows) > 12
    for line, following in itertools.pairwise(rows):
        continues = following[:11].strip() == ""
        if continues:
            assert len(line.rstrip()) > 55, f"a short line before its continuation: {line!r}"


def test_tree_reasons_are_shapley_unless_told_otherwise(capsys):
    """The served default is TreeSHAP, except on the warehouses that run its statement row by row or
    plan it for minutes (Saabas there, and training says why); --reasons beats leadscore.yml's
    `training: reasons:`, which beats the method a retrain keeps from the served models, which beats
    the warehouse's default."""
    from leadscore.modeling.job import default_tree_reasons, resolve_tree_reasons
    from leadscore.steps import TrainingOptions

    assert TrainingOptions().reasons_method() is None
    assert TrainingOptions().reasons_method({"reasons": None}) is None
    assert TrainingOptions(default_reasons="saabas").reasons_method() == "saabas"
    assert TrainingOptions(default_reasons="saabas").reasons_method({"reasons": "shapley"}) == "shapley"
    assert TrainingOptions(reasons="saabas").reasons_method({"reasons": "shapley"}) == "saabas"
    assert default_tree_reasons("duckdb") == "shapley"
    assert [default_tree_reasons(d) for d in ("postgres", "spark")] == ["saabas", "saabas"]
    assert resolve_tree_reasons(None, "duckdb") == "shapley"
    assert capsys.readouterr().err == ""
    assert resolve_tree_reasons(None, "postgres") == "saabas"
    said = " ".join(capsys.readouterr().err.split())
    assert "Saabas path contributions, the default on postgres" in said and "--reasons shapley" in said
    assert resolve_tree_reasons("shapley", "postgres") == "shapley"
    assert "the default on DuckDB" in " ".join(_run("train", "--help").stdout.split())
