"""BENCHMARKS.md is made of sections; each benchmark command rewrites its own."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = "# Benchmarks\n\nProduced by `leadscore bench training`, `scoring`, `postgres` and `pipeline` (see `make bench`); do not edit by hand.\n"


def write_section(path: Path, name: str, body: str) -> None:
    text = path.read_text() if path.exists() else HEADER
    block = f"<!-- {name}:start -->\n{body}<!-- {name}:end -->\n"
    pattern = re.compile(rf"<!-- {name}:start -->.*?<!-- {name}:end -->\n", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
