"""A pool of long-lived grading workers: forked warm, every part bounded, replaced when one fails.

The parent derives the problems first (or loads them from the derivation cache), then
forks at most ``jobs`` workers, which inherit them: no worker imports sympy or derives
a problem again. A *job* is a file to read and grade, or problems whose answers are
known; a worker runs one job at a time and reports each verdict as soon as it is
decided, so the parent always knows which part is being checked.

Bounds, kept by the parent alone (a worker cannot be trusted to stop itself):

- each part that does real work has ``seconds``: the clock starts when the worker takes
  the job (reading the file counts too) and again at each report; a worker past its
  deadline is killed with SIGKILL and replaced, the part it was checking is ``undecided``
  ("took longer than ... s; its worker was stopped"), and the rest of the file goes on in
  a fresh worker with everything decided so far. A hung part in one file of a thousand
  costs that one bound, never a stop;
- a worker that dies (a crash, a C-level abort, the kernel's out-of-memory killer) is
  replaced the same way, and the verdict names how it died;
- memory: each worker's address space is capped (:func:`dlcheck.engine.bounded.limit_memory`)
  and a ``MemoryError`` is a "too large to check" verdict, after which the worker retires;
- lifetime: workers sit in a process group of their own (Ctrl-C reaches only the parent,
  which then kills them), die with the parent however it dies (PR_SET_PDEATHSIG), and the
  whole group is killed when the pool closes, on every way out of ``with Pool(...)``.

Missing, choice and essay parts are decided at once inside the worker and reported in
a batch with the next part that needs a bound: they cost no fork, no round trip and no
deadline of their own.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import os
import signal
import socket
import time
import traceback
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from dlcheck.check.registry import get_spec, instance_for, read_answers_file
from dlcheck.core import debug
from dlcheck.core.errors import DlcheckError
from dlcheck.core.verdict import ProblemResult, Verdict
from dlcheck.engine import spawned
from dlcheck.engine.bounded import die_with_parent, limit_memory
from dlcheck.grade import work
from dlcheck.grade.failures import crashed, timed_out
from dlcheck.grade.guarded import load_checker
from dlcheck.grade.work import PART_SECONDS, FilePlan, ProblemPlan, plan_file
from dlcheck.grade.writeup import plan_writeup
from dlcheck.spec import bank
from dlcheck.spec.answers import student_of
from dlcheck.spec.writeup import is_writeup

FLUSH_EVERY = 64          # verdicts a worker may hold before reporting them, whatever they are


@dataclass
class Job:
    """A file to read and grade (``path``), or problems whose answers are known. ``earlier`` are the
    verdicts already decided for the first problem's earlier parts (a job resumed after a kill)."""

    key: Hashable
    path: str | None = None
    problems: list[ProblemPlan] = field(default_factory=list)
    earlier: dict[str, Verdict] = field(default_factory=dict)
    student: str | None = None        # read the file as this student's, whatever its student: says
    set_name: str | None = None       # the set a write-up's questions are in (--set)
    remember: bool = False            # keep each problem's result for the same answers' next grading


@dataclass
class Outcome:
    """What became of one key's jobs: the plan, every verdict by problem, or the file's error."""

    plan: FilePlan | None = None
    error: DlcheckError | None = None
    student: str | None = None       # with an error: the file's student: when its YAML could be read
    verdicts: dict[str, list[Verdict]] = field(default_factory=dict)

    def results(self) -> list[ProblemResult]:
        if self.plan is None:
            return []
        return [ProblemResult(p.problem_id, p.title, self.verdicts.get(p.problem_id, []), p.variant, p.varies)
                for p in self.plan.problems]


# -- inside a worker -------------------------------------------------------------------------
class _Reporter:
    """Sends a job's verdicts to the parent: at once before a part that needs a bound, else in batches."""

    def __init__(self, conn: Connection, key: Hashable) -> None:
        self.conn, self.key = conn, key
        self.pending: list[tuple[str, Verdict]] = []

    def starting(self, bounded: bool) -> None:
        if bounded or len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def decided(self, problem_id: str, verdict: Verdict) -> None:
        self.pending.append((problem_id, verdict))

    def amended(self, problem_id: str, verdict: Verdict) -> None:
        self.flush()
        self.conn.send(("amend", self.key, problem_id, verdict))

    def flush(self) -> None:
        if self.pending:
            self.conn.send(("verdicts", self.key, self.pending))
            self.pending = []


def run_job(job: Job, conn: Connection) -> bool:
    """A job, in a worker: report the plan (when the job reads a file), then every verdict in order.
    Returns whether this worker should retire (a MemoryError left its state untrusted)."""
    report = _Reporter(conn, job.key)
    problems, earlier = job.problems, job.earlier
    if job.path is not None:
        try:
            if is_writeup(job.path, job.set_name is not None):
                plan = plan_writeup(job.path, job.set_name, job.student)
            else:
                answers = read_answers_file(job.path)
                if job.student is not None:
                    answers.student = job.student
                plan = plan_file(answers)
        except DlcheckError as exc:
            conn.send(("error", job.key, exc, job.student or student_of(exc)))
            return False
        conn.send(("plan", job.key, plan))
        problems, earlier = plan.problems, {}
    retire = False
    for index, problem in enumerate(problems):
        # nothing is kept after a MemoryError: the worker's state is not trusted (it retires after the job)
        _, stop = work.check_problem(problem, earlier if index == 0 else None, report, job.remember and not retire)
        retire = retire or stop
    report.flush()
    return retire


def _serve(conn: Connection) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        retire = run_job(job, conn)
        conn.send(("done", job.key, retire))  # a retiring worker takes no further job
        if retire:
            return


# -- in the parent ---------------------------------------------------------------------------
@dataclass
class _Worker:
    pid: int
    conn: Connection
    job: Job | None = None
    deadline: float = 0.0
    plan: list[ProblemPlan] = field(default_factory=list)     # the job's problems, once known
    seen: list[int] = field(default_factory=list)             # verdicts received, per problem
    started: bool = False                                     # the job's plan is known
    process: Any = None                                       # a spawned worker's process (None: forked)


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"signal {signal.Signals(number).name}"
        except ValueError:
            return f"signal {number}"
    return f"exit code {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else "it stopped"


_OPEN: set[Pool] = set()


@atexit.register
def _close_all() -> None:
    for pool in list(_OPEN):
        pool.close()


class Pool:
    """``with Pool(jobs, seconds) as pool: outcomes = pool.run(jobs)`` (see the module docstring)."""

    def __init__(self, jobs: int | None = None, seconds: float = PART_SECONDS,
                 on_done: Callable[[Any], None] | None = None) -> None:
        self.size = max(1, jobs or default_jobs())
        self.seconds = seconds
        self.on_done = on_done
        self.workers: list[_Worker] = []
        self.group: int | None = None
        self.replaced = 0
        self.forks = spawned.fork_usable()   # else workers are spawned (Windows, macOS, a threaded host)
        _OPEN.add(self)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- workers ---------------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the parent's code
            code = 0
            try:
                ours.close()
                for other in self.workers:
                    other.conn.close()
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
                faulthandler.disable()  # a crash is reported as a verdict, not as a dump on the screen
                with contextlib.suppress(OSError):
                    os.setpgid(0, self.group or 0)
                die_with_parent(parent)
                limit_memory()
                _serve(Connection(theirs.detach()))
            except BaseException:  # noqa: BLE001 - a worker's own failure ends it; the parent sees how
                code = 70
                if debug.enabled():  # the parent's row says what happened; the traceback is for --debug
                    with contextlib.suppress(BaseException):
                        traceback.print_exc()
            finally:
                os._exit(code)
        theirs.close()
        with contextlib.suppress(OSError):
            os.setpgid(pid, self.group or pid)
        if self.group is None:
            self.group = pid
        worker = _Worker(pid, Connection(ours.detach()))
        self.workers.append(worker)
        return worker

    def _start_spawned(self, count: int) -> _Worker:
        """Without fork: ``count`` workers spawned at once, each loading the checker (their imports overlap),
        then waited for until each is ready; the first of them. Nothing is inherited: the course banks and
        --debug are passed, the problems come from the derivation cache the parent filled."""
        started = []
        for _ in range(max(1, count)):
            process, conn = spawned.start(_spawned_worker, (bank.course_banks(), debug.enabled()))
            worker = _Worker(process.pid or 0, conn, process=process)
            self.workers.append(worker)
            started.append(worker)
        for worker in started:
            try:
                spawned.wait_ready(worker.conn, worker.process)
            except spawned.CannotFork as exc:
                for other in started:
                    self._reap(other, kill=True)
                raise DlcheckError(f"cannot start a grading worker: {exc}; try again, or with fewer --jobs") from None
        return started[0]

    def _reap(self, worker: _Worker, kill: bool) -> str:
        """Stop (when ``kill``) and collect a worker; how it ended."""
        if worker.process is not None:  # spawned: killed (or collected) through its process handle
            with contextlib.suppress(OSError):
                worker.conn.close()
            how = spawned.kill(worker.process)
            if worker in self.workers:
                self.workers.remove(worker)
            return how
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            worker.conn.close()
        how = "it stopped"
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(worker.pid, 0)
            how = _death(status)
        if worker in self.workers:
            self.workers.remove(worker)
        return how

    def close(self) -> None:
        """Kill every worker (and anything in their process group) and collect them."""
        if self.group is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.group, signal.SIGKILL)
        for worker in list(self.workers):
            self._reap(worker, kill=True)
        _OPEN.discard(self)

    # -- running jobs ------------------------------------------------------------------------
    def run(self, jobs: list[Job]) -> dict[Hashable, Outcome]:
        queue = deque(jobs)
        outcomes: dict[Hashable, Outcome] = {}
        open_jobs: dict[Hashable, int] = {}
        for job in jobs:
            outcome = outcomes.setdefault(job.key, Outcome())
            open_jobs[job.key] = open_jobs.get(job.key, 0) + 1
            if job.path is None:  # the answers are known: so is the plan
                if outcome.plan is None:
                    outcome.plan = FilePlan("", None, [])
                outcome.plan.problems.extend(job.problems)
        self._outcomes, self._open_jobs, self._queue = outcomes, open_jobs, queue
        while queue or any(w.job is not None for w in self.workers):
            self._assign()
            busy = [w for w in self.workers if w.job is not None]
            if not busy:
                continue
            left = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            for conn in wait([w.conn for w in busy], left):
                worker = next(w for w in busy if w.conn is conn)
                self._receive(worker)
            now = time.monotonic()
            for worker in [w for w in self.workers if w.job is not None and w.deadline <= now]:
                self._fail(worker, None)
        return outcomes

    def _assign(self) -> None:
        while self._queue:
            idle = next((w for w in self.workers if w.job is None), None)
            if idle is None:
                if len(self.workers) >= self.size:
                    return
                idle = self._spawn() if self.forks else self._start_spawned(
                    min(self.size - len(self.workers), len(self._queue)))
            job = self._queue.popleft()
            try:
                idle.conn.send(job)
            except OSError:  # it died while idle: no part to blame; the job waits for another worker
                self._queue.appendleft(job)
                self._reap(idle, kill=True)
                continue
            idle.job, idle.deadline = job, time.monotonic() + self.seconds
            idle.plan, idle.started = list(job.problems), job.path is None
            idle.seen = [0] * len(idle.plan)

    def _receive(self, worker: _Worker) -> None:
        try:
            while True:
                self._handle(worker, worker.conn.recv())
                if worker.job is None or worker not in self.workers or not worker.conn.poll():
                    return
        except (EOFError, OSError):
            if worker.job is None:
                self._reap(worker, kill=False)  # it retired between jobs
            else:
                self._fail(worker, self._reap(worker, kill=False))

    def _handle(self, worker: _Worker, message: tuple) -> None:
        kind, key = message[0], message[1]
        outcome = self._outcomes[key]
        worker.deadline = time.monotonic() + self.seconds
        if kind == "plan":
            plan: FilePlan = message[2]
            outcome.plan = plan
            worker.plan, worker.started, worker.seen = list(plan.problems), True, [0] * len(plan.problems)
        elif kind == "error":
            outcome.error, outcome.student = message[2], message[3]
        elif kind == "verdicts":
            for problem_id, verdict in message[2]:
                outcome.verdicts.setdefault(problem_id, []).append(verdict)
                index = next(i for i, p in enumerate(worker.plan) if p.problem_id == problem_id
                             and worker.seen[i] < len(p.parts))
                worker.seen[index] += 1
        elif kind == "amend":
            decided = outcome.verdicts.get(message[2], [])
            for k, old in enumerate(decided):
                if old.part == message[3].part:
                    decided[k] = message[3]
        elif kind == "done":
            worker.job = None
            self._finished(key)
            if message[2]:  # it retires (its state is not trusted after a MemoryError): collect it now
                self._reap(worker, kill=True)

    def _finished(self, key: Hashable) -> None:
        self._open_jobs[key] -= 1
        if self._open_jobs[key] == 0 and self.on_done is not None:
            self.on_done(key)

    def _fail(self, worker: _Worker, died: str | None) -> None:
        """A worker hung (``died`` None: kill it) or died: its current part gets the verdict, the rest of
        its job goes to the front of the queue for a fresh worker."""
        job = worker.job
        assert job is not None
        hung = died is None
        if died is None:
            died = self._reap(worker, kill=True)
        self.replaced += 1
        outcome = self._outcomes[job.key]
        if not worker.started:  # it was reading the file
            why = (f"reading this file took longer than {self.seconds:g} s" if hung
                   else f"reading this file stopped its worker ({died})")
            outcome.error = DlcheckError(f"{why}; check that it is an ordinary answers file", path=job.path)
            self._finished(job.key)
            return
        rest: list[ProblemPlan] = []
        earlier: dict[str, Verdict] = {}
        for index, problem in enumerate(worker.plan):
            done = worker.seen[index]
            if rest:  # problems after the one that failed: untouched, all still to do
                rest.append(problem)
                continue
            if done >= len(problem.parts):
                continue
            decided = outcome.verdicts.setdefault(problem.problem_id, [])
            pid, answer = problem.parts[done]
            points = get_spec(problem.problem_id).problem.parts[pid].points  # read, never derived again here
            decided.append(timed_out(pid, points, answer, self.seconds, replaced=True) if hung
                           else crashed(pid, points, answer, died))
            earlier = {v.part: v for v in decided}
            rest.append(ProblemPlan(problem.problem_id, problem.title, problem.student, problem.parts[done + 1:],
                                    problem.variant, problem.varies))
        if rest and not rest[0].parts:
            rest, earlier = rest[1:], {}
        if rest:
            self._queue.appendleft(Job(job.key, None, rest, earlier))
            self._open_jobs[job.key] += 1
        self._finished(job.key)


def _spawned_worker(conn: Connection, parent: int, state: tuple[list, bool]) -> None:
    """A worker started without fork (:mod:`dlcheck.engine.spawned`): given the parent's course banks and
    --debug, it loads the checker once, caps its memory, says it is ready and serves jobs like a forked one."""
    spawned.settle(parent)
    if os.name == "posix":
        die_with_parent(parent)
    banks, debugging = state
    bank.use_course_banks(banks)
    debug.set_flag(debugging)
    load_checker()
    limit_memory()
    conn.send(("ready",))
    _serve(conn)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def warm(problem_ids: list[str], students: list[str | None] | None = None) -> None:
    """Derive (or load) these problems in this process before workers are forked from it."""
    for problem_id in problem_ids:
        for student in students or [None]:
            instance_for(problem_id, student)


def grade_plans(plans: list[ProblemPlan], seconds: float = PART_SECONDS,
                jobs: int | None = None) -> list[ProblemResult]:
    """Problems whose answers are known, each a job of its own (so they spread over the workers)."""
    if not plans:
        return []
    for plan in plans:
        instance_for(plan.problem_id, plan.student)
    size = min(jobs or default_jobs(), len(plans))
    with Pool(size, seconds) as pool:
        outcomes = pool.run([Job(k, None, [plan]) for k, plan in enumerate(plans)])
    return [ProblemResult(plan.problem_id, plan.title, outcomes[k].verdicts.get(plan.problem_id, []), plan.variant,
                          plan.varies) for k, plan in enumerate(plans)]
