"""The model families trained side by side, one process each, when the machine has the cores and the
memory; one after the other otherwise.

Why processes and one thread each: the families are independent (each tunes, backtests and fits on
its own), but much of a family's time is single-threaded Python (preprocessing, the AUC of every
tree count), so two families on one core each finish sooner than one family at a time on two. The
fits are the same bytes at any thread count (LightGBM deterministic, HistGradientBoosting, XGBoost
and the one-thread logistic model: checked in tests/python/modeling/test_side_by_side.py), so the
served models and every figure are those of the sequential run. Two multi-threaded fits are never
run side by side (threads.py): each process gets its share of the cores.

The processes are started fresh ("spawn"), not forked: a process forked after OpenMP has run can
hang in its next parallel region (GNU libgomp). Their messages and progress come back on a queue and
are shown by this process, one progress bar per family.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import TYPE_CHECKING

from leadscore.progress import console, progress_bar
from leadscore.threads import thread_count

if TYPE_CHECKING:
    from leadscore.modeling.train import FamilyJob, TrainedModel

# Side by side needs, per extra process, about this many times the training frame's memory (its copy,
# the fold matrices and the fits), plus a fixed allowance for the interpreter and the libraries.
MEMORY_PER_PROCESS_FACTOR = 4
PROCESS_BASE_BYTES = 600 * 2**20
SIDE_BY_SIDE_ENV = "LEADSCORE_SIDE_BY_SIDE"  # "0": always one family at a time


class Reporter:
    """How a family says what it is doing: lines, and stages with a progress bar."""

    def say(self, text: str) -> None:
        console.print(text)

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        with progress_bar() as progress:
            task = progress.add_task(description, total=total)
            yield lambda: progress.advance(task)


class _QueueReporter(Reporter):
    """In a worker process: every line and step goes to the parent, which shows them."""

    def __init__(self, messages) -> None:
        self.messages = messages

    def say(self, text: str) -> None:
        self.messages.put(("say", text, 0))

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        self.messages.put(("stage", description, total))
        yield lambda: self.messages.put(("advance", description, 1))


_WORKER_MESSAGES = None


def _start_worker(messages, threads: int) -> None:
    global _WORKER_MESSAGES
    _WORKER_MESSAGES = messages
    os.environ["LEADSCORE_THREADS"] = str(threads)


def _train_in_worker(job: FamilyJob, kind: str) -> TrainedModel:
    from leadscore.modeling.train import train_family

    return train_family(job, kind, _QueueReporter(_WORKER_MESSAGES))


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def side_by_side_processes(job: FamilyJob, families: int) -> int:
    """How many families train at once: 1 unless there are 2+ cores, 2+ families and the memory."""
    if os.environ.get(SIDE_BY_SIDE_ENV, "").strip() == "0" or families < 2:
        return 1
    processes = min(families, thread_count())
    if processes < 2:
        return 1
    available = _available_memory()
    if available is not None:
        frame_bytes = int(job.data.frame.memory_usage(deep=True).sum())
        per_process = MEMORY_PER_PROCESS_FACTOR * frame_bytes + PROCESS_BASE_BYTES
        processes = min(processes, max(1, available // per_process))
    return processes


def train_families(
    job: FamilyJob, kinds: tuple[str, ...], finished: Callable[[str, TrainedModel], None] = lambda k, t: None
) -> dict[str, TrainedModel]:
    """Every family trained (in `kinds` order in the result); finished(kind, model) is called as each
    one completes, in this process (a check that fails there stops the others)."""
    from leadscore.modeling.train import train_family

    processes = side_by_side_processes(job, len(kinds))
    if processes < 2:
        trained = {}
        for kind in kinds:
            trained[kind] = train_family(job, kind, Reporter())
            finished(kind, trained[kind])
        return trained
    threads = max(1, thread_count() // processes)
    console.print(
        f"Training {len(kinds)} families side by side: {processes} processes, "
        f"{threads} thread(s) each ({SIDE_BY_SIDE_ENV}=0: one at a time)"
    )
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    trained: dict[str, TrainedModel] = {}
    executor = ProcessPoolExecutor(
        processes, context, initializer=_start_worker, initargs=(messages, threads)
    )
    try:
        with progress_bar() as progress:
            tasks: dict[str, int] = {}
            pending = {executor.submit(_train_in_worker, job, kind): kind for kind in kinds}
            while pending:
                done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                _relay(messages, progress, tasks)
                for future in done:
                    kind = pending.pop(future)
                    trained[kind] = future.result()
                    finished(kind, trained[kind])
            _relay(messages, progress, tasks)
    except BaseException:
        _stop(executor)  # a failed family, or Ctrl-C: the others stop too
        raise
    executor.shutdown()
    return {kind: trained[kind] for kind in kinds}


def _stop(executor: ProcessPoolExecutor) -> None:
    workers = list((getattr(executor, "_processes", None) or {}).values())
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
    executor.shutdown(wait=True, cancel_futures=True)


def _relay(messages, progress, tasks: dict[str, int]) -> None:
    while True:
        try:
            what, text, amount = messages.get_nowait()
        except queues.Empty:
            return
        if what == "say":
            progress.console.print(text)
        elif what == "stage":
            tasks[text] = progress.add_task(text, total=amount)
        elif text in tasks:
            progress.advance(tasks[text], amount)
