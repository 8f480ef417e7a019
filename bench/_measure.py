"""Run one command in its own child process and measure it: wall time and peak memory of its process tree.

Each engine of a benchmark runs in a child process of its own, so its memory is its own. The sampler reads
``/proc`` every ``interval`` seconds while the child runs and records, over the child and all its descendants
(Morph-KGC forks a pool of workers):

- ``peak_rss_bytes``: the largest sum of ``VmRSS`` seen at one instant, but never less than the largest
  ``VmHWM`` of a single process (the kernel's exact high-water mark, which catches a peak between samples);
- ``peak_pss_bytes``: the largest sum of ``Pss`` (``/proc/<pid>/smaps_rollup``), which divides pages shared
  between forked workers among them instead of counting them once per process;
- ``ru_maxrss_bytes``: ``ru_maxrss`` from ``wait4``, for reference only: Linux carries the *parent's* resident
  set at ``fork`` into the child's ``ru_maxrss`` (the pre-``exec`` image counts), so it is at least the size of
  the benchmark process itself and is not used for the peak. A child that wants its exact peak counted prints
  its own ``VmHWM`` (see :func:`own_peak_rss_bytes`) and the caller takes the larger value.

A time limit, a memory cap on the tree and a floor on the machine's available memory (so a run never drives a
shared machine into the out-of-memory killer, which could pick someone else's process) stop the whole process
group (``SIGKILL``); the measurement then says why. The load average before and after is recorded, because
other work on the machine slows every engine. Linux only (``/proc``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

Stopped = Literal["time-limit", "memory-cap", "low-memory"]


@dataclass(frozen=True)
class Measurement:
    """What one measured child process did."""

    argv: tuple[str, ...]
    returncode: int
    wall_seconds: float
    peak_rss_bytes: int
    peak_pss_bytes: int
    ru_maxrss_bytes: int
    processes_seen: int
    load_before: float
    load_after: float
    stopped: Stopped | None
    stdout: str
    stderr_tail: str

    @property
    def ok(self) -> bool:
        """Finished by itself with exit code 0."""
        return self.stopped is None and self.returncode == 0


def _read_status(pid: int) -> tuple[int, int, int] | None:
    """(ppid, VmRSS bytes, VmHWM bytes) of a process, or None if it is gone or not readable."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    ppid = rss = hwm = 0
    for line in text.splitlines():
        if line.startswith("PPid:"):
            ppid = int(line.split()[1])
        elif line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) * 1024
    return ppid, rss, hwm


def own_peak_rss_bytes() -> int:
    """This process's ``VmHWM`` (peak resident set since ``exec``), for a child to report just before it exits."""
    status = _read_status(os.getpid())
    return 0 if status is None else status[2]


def _read_pss(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (``/proc/<pid>/task/<tid>/children``, one file per thread)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _tree(root: int) -> dict[int, tuple[int, int]]:
    """{pid: (VmRSS, VmHWM)} of ``root`` and its descendants now."""
    memory: dict[int, tuple[int, int]] = {}
    pending = [root]
    while pending:
        pid = pending.pop()
        status = _read_status(pid)
        if status is None or pid in memory:
            continue
        memory[pid] = (status[1], status[2])
        pending += _children(pid)
    return memory


def available_memory_bytes() -> int:
    """``MemAvailable`` of the machine (other users' processes included)."""
    with Path("/proc/meminfo").open() as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    time_limit: float | None = None,
    memory_cap_bytes: int | None = None,
    min_available_bytes: int | None = 1024**3,
    interval: float = 0.1,
    pss_interval: float = 0.5,
) -> Measurement:
    """Run ``argv`` to completion (or until a limit stops it) and measure it.

    ``stdout`` is captured whole (the children print one JSON line or nothing); stderr is kept to its last
    4,000 characters. ``Pss`` is read every ``pss_interval`` seconds only (the kernel walks the page tables
    for it, which costs CPU the engines would otherwise have). Raises ``OSError`` if the command cannot start.
    """
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so a limit can stop the workers too
    )
    # Drain the pipes in threads so a chatty child can never block on a full pipe.
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def drain(name: str, stream: IO[bytes]) -> None:
        while block := stream.read(65536):
            chunks[name].append(block)

    readers = [
        threading.Thread(target=drain, args=("out", process.stdout), daemon=True),
        threading.Thread(target=drain, args=("err", process.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()

    # A thread blocks in wait4, so the exit time is exact rather than rounded up to the sampling interval.
    exit_info: dict[str, Any] = {}
    exited = threading.Event()

    def wait() -> None:
        _, status, rusage = os.wait4(process.pid, 0)
        exit_info.update(at=time.perf_counter(), status=status, maxrss=rusage.ru_maxrss * 1024)
        exited.set()

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()

    peak_rss = peak_pss = 0
    hwm_by_pid: dict[int, int] = {}
    stopped: Stopped | None = None
    next_pss = 0.0
    while not exited.is_set():
        tree = _tree(process.pid)
        rss_now = sum(rss for rss, _ in tree.values())
        for pid, (_, hwm) in tree.items():
            hwm_by_pid[pid] = max(hwm_by_pid.get(pid, 0), hwm)
        peak_rss = max(peak_rss, rss_now)
        elapsed = time.perf_counter() - started
        if elapsed >= next_pss:
            peak_pss = max(peak_pss, sum(_read_pss(pid) for pid in tree))
            next_pss = elapsed + pss_interval
        if time_limit is not None and elapsed > time_limit:
            stopped = "time-limit"
        elif memory_cap_bytes is not None and rss_now > memory_cap_bytes:
            stopped = "memory-cap"
        elif min_available_bytes is not None and available_memory_bytes() < min_available_bytes:
            stopped = "low-memory"
        if stopped is not None:
            with contextlib.suppress(ProcessLookupError):  # it may have finished in the meantime
                os.killpg(process.pid, signal.SIGKILL)  # the group this function created, by its id
            break
        exited.wait(interval)
    waiter.join()
    wall = exit_info["at"] - started
    returncode = os.waitstatus_to_exitcode(exit_info["status"])
    rusage_maxrss = int(exit_info["maxrss"])
    process.returncode = returncode  # already reaped by wait4; tell Popen so it does not try again
    for reader in readers:
        reader.join(timeout=10)
    largest_hwm = max(hwm_by_pid.values(), default=0)
    return Measurement(
        argv=tuple(argv),
        returncode=returncode,
        wall_seconds=wall,
        peak_rss_bytes=max(peak_rss, largest_hwm),
        peak_pss_bytes=max(peak_pss, 0),
        ru_maxrss_bytes=rusage_maxrss,
        processes_seen=len(hwm_by_pid),
        load_before=load_before,
        load_after=os.getloadavg()[0],
        stopped=stopped,
        stdout=b"".join(chunks["out"]).decode("utf-8", "replace"),
        stderr_tail=b"".join(chunks["err"]).decode("utf-8", "replace")[-4000:],
    )
