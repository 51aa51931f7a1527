"""One command of a kind at a time. Two lifecycle commands (train, retrain, promote, rollback,
clean) would interleave writes to the registry and the generated macros; two syncs would send the
same records twice. An advisory lock on a file in the artifacts folder, released by the operating
system if the process dies, so a crash never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from leadscore.paths import artifacts_dir
from leadscore.registry.errors import RegistryError

LIFECYCLE_LOCK = ".lifecycle.lock"
SYNC_LOCK = ".sync.lock"


@contextmanager
def exclusive_lock(file_name: str, command: str, refusal: Callable[[str], Exception]) -> Iterator[None]:
    """refusal: the error to raise, given who holds the lock (as written by that holder)."""
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / file_name, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise refusal(handle.read().strip() or "another leadscore command") from None
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


def lifecycle_lock(command: str):
    return exclusive_lock(
        LIFECYCLE_LOCK,
        command,
        lambda holder: RegistryError(
            f"{holder} is changing the model registry in {artifacts_dir()}, so `leadscore {command}` did "
            "not start and nothing was changed. Wait for that command to finish, then run this one again."
        ),
    )


def sync_lock():
    from leadscore.sync.client import CrmSyncError

    return exclusive_lock(
        SYNC_LOCK,
        "sync",
        lambda holder: CrmSyncError(
            f"another sync is running: {holder}. This one sent nothing; wait for it to finish, then run "
            "`leadscore sync` again (it sends only what is still missing)."
        ),
    )
