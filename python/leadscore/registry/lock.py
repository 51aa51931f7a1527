"""One lifecycle command at a time (train, retrain, promote, rollback, clean): two at once would
interleave writes to the registry and the generated macros. An advisory lock on a file in the
artifacts folder, released by the operating system if the process dies, so a crash never leaves a
stale lock behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from leadscore.paths import artifacts_dir
from leadscore.registry.errors import RegistryError

LOCK_FILE = ".lifecycle.lock"


@contextmanager
def lifecycle_lock(command: str) -> Iterator[None]:
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another leadscore command"
            raise RegistryError(
                f"{holder} is changing the model registry in {folder}, so `leadscore {command}` did not "
                "start and nothing was changed. Wait for that command to finish, then run this one again."
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"`leadscore {command}` (process {os.getpid()}, started {started})")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
