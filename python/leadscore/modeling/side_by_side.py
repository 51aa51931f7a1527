"""The model families trained side by side: their work cut into tasks (each family's tuning fold
by fold, then its finish; the plain baseline's backtest) that a pool of processes takes in order of
importance, when the machine has the cores and the memory; one task after the other otherwise.

Why processes with one thread each: much of a family's time is single-threaded Python
(preprocessing, the AUC of every tree count), so two tasks on one core each finish sooner than one
task on two. Why tasks rather than a process per family: the families are not the same size (the
demo's LightGBM tunes three times as long as its logistic model), and a process per family left one
core idle for most of the run. The fits are the same bytes at any thread count and in any process
(LightGBM deterministic, HistGradientBoosting, XGBoost and the one-thread logistic model: checked in
tests/python/modeling/test_side_by_side.py), so the served models and every figure are those of the
sequential run. Two multi-threaded fits are never run side by side (threads.py): each process gets
its share of the cores.

The processes are started fresh ("spawn"), not forked: a process forked after OpenMP has run can
hang in its next parallel region (GNU libgomp). Each gets the training job once, when it starts.
Their messages and progress come back on a queue and are shown by this process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from leadscore.progress import progress_bar
from leadscore.threads import thread_count

if TYPE_CHECKING:
    from leadscore.modeling.stage_times import StageTimes
    from leadscore.modeling.train import FamilyJob, TrainedModel

# Side by side needs, per extra process, about this many times the training frame's memory (its copy,
# the fold matrices and the fits), plus a fixed allowance for the interpreter and the libraries.
MEMORY_PER_PROCESS_FACTOR = 4
PROCESS_BASE_BYTES = 600 * 2**20
SIDE_BY_SIDE_ENV = "LEADSCORE_SIDE_BY_SIDE"  # "0": always one family at a time


class Reporter(Protocol):
    """How a task says what it is doing: lines, stages with a progress bar, and steps of a bar the
    scheduler opened (train_families' tuning bars). In this process (_ProgressReporter) or in a
    worker, through the queue (_QueueReporter)."""

    def say(self, text: str) -> None: ...

    def stage(self, description: str, total: int) -> AbstractContextManager[Callable[[], None]]: ...

    def step(self, description: str) -> None: ...


class _ProgressReporter:
    """In this process, under the scheduler's progress display (one live display at a time)."""

    def __init__(self, progress, bars: dict[str, int]) -> None:
        self.progress, self.bars = progress, bars

    def say(self, text: str) -> None:
        self.progress.console.print(text)

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        self.bars[description] = self.progress.add_task(description, total=total)
        yield lambda: self.step(description)

    def step(self, description: str) -> None:
        self.progress.advance(self.bars[description])


class _QueueReporter:
    """In a worker process: every line and step goes to the parent, which shows them."""

    def __init__(self, messages) -> None:
        self.messages = messages

    def say(self, text: str) -> None:
        self.messages.put(("say", text, 0))

    @contextmanager
    def stage(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        self.messages.put(("stage", description, total))
        yield lambda: self.step(description)

    def step(self, description: str) -> None:
        self.messages.put(("advance", description, 1))


_WORKER_MESSAGES = None
_WORKER_JOB = None


def _start_worker(messages, threads: int, job: FamilyJob) -> None:
    """The job (the training frame and its folds) crosses to each worker once, not with every task."""
    global _WORKER_MESSAGES, _WORKER_JOB
    _WORKER_MESSAGES = messages
    os.environ["LEADSCORE_THREADS"] = str(threads)
    _WORKER_JOB = job


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


@dataclass
class _Task:
    """One unit of work: function(job, *args, report) -> result, in a worker or in this process."""

    stage: str  # "tune", "finish" or "extra"
    key: str  # the family (or the extra's name)
    name: str  # the fold (tune), the finish task's name, or the extra's name
    function: Callable
    args: tuple
    priority: tuple  # lowest first


def _timed(function: Callable, job: FamilyJob, args: tuple, report: Reporter) -> tuple[object, float]:
    began = time.perf_counter()
    result = function(job, *args, report)
    return result, time.perf_counter() - began


def _worker_call(function: Callable, args: tuple) -> tuple[object, float]:
    return _timed(function, _WORKER_JOB, args, _QueueReporter(_WORKER_MESSAGES))


# What each kind of task adds to in StageTimes.
_TASK_KINDS = {"tune": "tuning", "extra": "plain baseline"}


def train_families(
    job: FamilyJob,
    kinds: tuple[str, ...],
    finished: Callable[[str, TrainedModel], None] = lambda k, t: None,
    extras: dict[str, Callable] | None = None,
    times: StageTimes | None = None,
) -> tuple[dict[str, TrainedModel], dict[str, object]]:
    """Every family trained (in `kinds` order in the result), and each extra(job, report) run (its
    result under its name). finished(kind, model) is called as each family completes, in this process
    (a check that fails there stops the others).

    The work is cut into tasks: each family's tuning fold by fold (the bulk of the time), then, once
    its folds are in, its finish (train.finish_tasks: the backtest fold by fold and the final fits),
    and the extras. A free process takes the waiting task that matters most: a family's finish, then
    the largest tuning folds of the slowest families, then the extras. So a fast family's process
    does not sit idle while a slow one tunes. Task functions and extras are module-level (pickled by
    name). times: where the tasks' durations are added up."""
    from leadscore.modeling import tuning
    from leadscore.modeling.pipelines import TREE_KINDS
    from leadscore.modeling.train import finish_family, finish_tasks, tune_fold

    extras = extras or {}
    processes = side_by_side_processes(job, len(kinds))
    folds = job.folds
    cost = {kind: (0 if kind in TREE_KINDS else 1) for kind in kinds}  # trees tune longest
    waiting = [
        _Task("tune", kind, str(index), tune_fold, (kind, index), (1, cost[kind], -index))
        for kind in kinds
        for index in range(len(folds))
    ]
    waiting += [
        _Task("extra", name, name, function, (), (2, order, 0))
        for order, (name, function) in enumerate(extras.items())
    ]
    tuned_folds: dict[str, dict[int, tuning.FoldTuning]] = {kind: {} for kind in kinds}
    tuned: dict[str, tuning.TuningResult] = {}
    finishing: dict[str, dict[str, object]] = {kind: {} for kind in kinds}
    expected: dict[str, int] = {}
    trained: dict[str, TrainedModel] = {}
    extra_results: dict[str, object] = {}

    with progress_bar() as progress:
        bars: dict[str, int] = {}
        report = _ProgressReporter(progress, bars)
        periods = ", ".join(fold.period.label for fold in folds)
        for kind in kinds:
            report.say(f"[bold]{kind}[/]: tuning on {len(folds)} walk-forward periods ({periods})")
            bars[f"{kind}: tuning"] = progress.add_task(
                f"{kind}: tuning", total=tuning.fit_count(kind, len(folds))
            )

        def completed(task: _Task, outcome: tuple[object, float]) -> None:
            result, seconds = outcome
            if times is not None:
                finish = "backtest" if task.name.startswith("backtest") else "final fits"
                times.add_task(_TASK_KINDS.get(task.stage, finish), seconds)
            kind = task.key
            if task.stage == "extra":
                extra_results[kind] = result
            elif task.stage == "tune":
                tuned_folds[kind][int(task.name)] = result
                if len(tuned_folds[kind]) == len(folds):
                    tuned[kind] = tuning.tuning_result(
                        kind, [tuned_folds[kind][i] for i in range(len(folds))]
                    )
                    del tuned_folds[kind]
                    report.say(f"[bold]{kind}[/]: backtesting the served procedure with {tuned[kind].params}")
                    bars[f"{kind}: backtesting"] = progress.add_task(f"{kind}: backtesting", total=len(folds))
                    tasks = finish_tasks(job, kind, tuned[kind])
                    expected[kind] = len(tasks)
                    for order, (name, (function, args)) in enumerate(tasks.items()):
                        waiting.append(_Task("finish", kind, name, function, args, (0, cost[kind], order)))
            else:
                finishing[kind][task.name] = result
                if task.name.startswith("backtest"):
                    report.step(f"{kind}: backtesting")
                if len(finishing[kind]) == expected[kind]:
                    trained[kind] = finish_family(job, kind, tuned.pop(kind), finishing.pop(kind))
                    finished(kind, trained[kind])

        def next_task() -> _Task:
            waiting.sort(key=lambda task: task.priority)
            return waiting.pop(0)

        if processes < 2:
            while waiting:
                task = next_task()
                completed(task, _timed(task.function, job, task.args, report))
        else:
            _run_in_processes(job, processes, waiting, next_task, completed, progress, bars)
    return {kind: trained[kind] for kind in kinds}, extra_results


def _run_in_processes(job, processes, waiting, next_task, completed, progress, bars) -> None:
    threads = max(1, thread_count() // processes)
    progress.console.print(
        f"Training side by side: {processes} processes, {threads} thread(s) each "
        f"({SIDE_BY_SIDE_ENV}=0: one at a time)"
    )
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    executor = ProcessPoolExecutor(
        processes, context, initializer=_start_worker, initargs=(messages, threads, job)
    )
    try:
        running: dict = {}
        while waiting or running:
            while waiting and len(running) < processes:
                task = next_task()
                running[executor.submit(_worker_call, task.function, task.args)] = task
            done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            _relay(messages, progress, bars)
            for future in done:
                completed(running.pop(future), future.result())
        _relay(messages, progress, bars)
    except BaseException:
        _stop(executor)  # a failed family, or Ctrl-C: the others stop too
        raise
    executor.shutdown()


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
