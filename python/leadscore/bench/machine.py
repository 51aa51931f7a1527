"""What the benchmark ran on, written next to its numbers."""

from __future__ import annotations

import os
import platform
from importlib import metadata


def _first_line_value(path: str, key: str) -> str | None:
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine_description() -> dict[str, str]:
    cpu = _first_line_value("/proc/cpuinfo", "model name") or "unknown"
    kilobytes = _first_line_value("/proc/meminfo", "MemTotal")
    memory = f"{int(kilobytes.split()[0]) / 1024**2:.0f} GiB" if kilobytes else "unknown"
    versions = {}
    for package in ("duckdb", "scikit-learn", "sqlglot", "orbital", "psycopg2-binary", "dbt-core"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def machine_line(machine: dict[str, str]) -> str:
    """The line every BENCHMARKS.md section carries, so its numbers can be compared."""
    return "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()) + "."
