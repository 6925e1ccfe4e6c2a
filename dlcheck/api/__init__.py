"""dlcheck from Python: ``check`` one value, ``grade`` a dict or a file, ``compare`` two, ``explain`` one.

The functions are re-exported as ``dlcheck.check``, ``dlcheck.grade``, ``dlcheck.compare`` and
``dlcheck.explain``; see the README's "From Python and Jupyter". Every answer, whatever its
Python type, becomes the text a student would have typed (:mod:`dlcheck.api.answers`) and
is checked the way ``dlcheck grade`` checks a file: by a warm worker of a grading pool kept
for the life of the process (:mod:`dlcheck.grade.pool`), within the part's time bound, so a
hostile or runaway answer is a verdict and never a hang. The pool's workers are forked where
that is safe and spawned elsewhere (Windows, macOS, a Jupyter kernel: a threaded process).

A mistake in a call (an unknown problem or part, an answer of no usable type, a file that
cannot be read) raises a :class:`dlcheck.DlcheckError` with the CLI's message and its
"did you mean". Course banks (``problems=``) hold for the one call: the process's own
(``--problems``, ``DLCHECK_PROBLEMS``, ``dlcheck.toml``) are put back afterwards.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dlcheck.api.answers import AnswerTypeError, answer_text
from dlcheck.api.results import Explanation, Report, Verdict
from dlcheck.check import fast
from dlcheck.core.errors import AnswerFileError, DlcheckError
from dlcheck.core.suggest import did_you_mean
from dlcheck.core.verdict import ProblemResult, Status
from dlcheck.core.visible import clip
from dlcheck.grade import numeric
from dlcheck.grade.reveal import view
from dlcheck.spec import bank
from dlcheck.spec.bank import UnknownProblem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dlcheck.grade.pool import Job, Outcome, Pool
    from dlcheck.grade.work import FilePlan, ProblemPlan

# What checks a literal number against a derived problem's card (dlcheck.check.fast) is all a correct
# numeric answer needs: sympy, numpy, the grading pool and the spec models load on the first call that
# needs more (a formula, a wrong value to diagnose, a student's variant, a problem never derived here).

__all__ = ["AnswerTypeError", "DlcheckError", "Explanation", "Report", "Status", "UnknownPart", "UnknownProblem",
           "Verdict", "check", "compare", "explain", "grade"]

Banks = str | os.PathLike | Sequence[str | os.PathLike] | None


class UnknownPart(DlcheckError):
    """A part id the problem does not have (``choices``: its parts)."""

    def __init__(self, message: str, choices: list[str] | None = None) -> None:
        super().__init__(message)
        self.choices = choices or []


# -- the process's warm pool, and the banks of one call ---------------------------------------
_LOCK = threading.RLock()          # one call at a time: the pool and the banks are the process's
_POOLS: dict[tuple[str, ...], Pool] = {}
POOLS_KEPT = 2                     # pools (one per set of course banks) kept warm at once


@contextlib.contextmanager
def _banks(problems: Banks) -> Iterator[None]:
    """The banks of this call (``problems``, else the process's own), put back afterwards whatever happens."""
    folders = _folders(problems)
    with _LOCK:
        saved = bank.course_banks()
        try:
            if folders is not None:
                bank.use_course_banks(folders)
            yield
        finally:
            bank.use_course_banks(saved)


def _pool() -> Pool:
    """The warm pool that grades with the banks in use (started on the first call that needs one)."""
    from dlcheck.grade.pool import Pool, default_jobs  # lazy: the numeric path never needs a pool
    from dlcheck.grade.work import PART_SECONDS  # lazy: as above

    key = tuple(str(f) for f in bank.course_banks())
    pool = _POOLS.get(key)
    if pool is None:
        while len(_POOLS) >= POOLS_KEPT:
            _POOLS.pop(next(iter(_POOLS))).close()
        pool = _POOLS[key] = Pool(default_jobs(), PART_SECONDS)
    return pool


def _folders(problems: Banks) -> list[Path] | None:
    if problems is None:
        return None
    items = [problems] if isinstance(problems, (str, os.PathLike)) else list(problems)
    folders = [Path(p) for p in items]
    for folder in folders:
        if not folder.is_dir():
            raise DlcheckError(f"problems={str(folder)!r}: no such folder; give a folder of SET/qN.yaml files "
                               "(a course bank)")
    return folders


def _run(pool: Pool, jobs: list[Job]) -> dict[Any, Outcome]:
    try:
        return pool.run(jobs)
    except BaseException:
        close()  # a call interrupted (Ctrl-C in a notebook) leaves no worker half-way through a job
        raise


def close() -> None:
    """Stop the warm workers now (they also stop when the process ends); the next call starts others."""
    with _LOCK:
        while _POOLS:
            _POOLS.popitem()[1].close()


def _student(student: Any) -> str | None:
    return None if student is None else str(student)


def _part(problem_id: str, part: Any, card: fast.Card | None = None) -> str:
    if card is not None:
        known = list(card.parts)
    else:
        from dlcheck.check.registry import parts_of  # lazy: a carded problem knows its parts

        known = parts_of(problem_id)
    part = str(part)
    if part not in known:
        hint = did_you_mean(part, known) or f"; its parts are {', '.join(known)}"
        raise UnknownPart(f"{problem_id} has no part '{clip(part)}'{hint}", known)
    return part


def _results(plans: list[ProblemPlan], outcomes: dict[Any, Outcome]) -> list[ProblemResult]:
    return [ProblemResult(p.problem_id, p.title, outcomes[k].verdicts.get(p.problem_id, []), p.variant, p.varies)
            for k, p in enumerate(plans)]


# -- the calls ---------------------------------------------------------------------------------
def check(problem: str, part: str, answer: Any, *, student: Any = None, problems: Banks = None) -> Verdict:
    """Check one answer to one part, as ``dlcheck grade`` would in a file.

    ``answer`` may be text (``"0.5945"``, ``"[0.1, -0.2]"``, ``"σ(z)*(1 - σ(z))"``), an ``int``,
    ``float``, ``Fraction`` or ``Decimal``, a numpy scalar or array, anything with ``tolist()`` or
    ``__array__`` (a torch tensor), nested lists, a sympy expression, or a mapping for a construction
    part. It is turned into text and read by dlcheck's safe parser within the part's time bound.
    ``student``: whose numbers a problem that varies per student uses. ``problems``: a course bank
    folder (or several) for this call.

    >>> dlcheck.check("backprop/q1", "out_h1", 0.5945)          # doctest: +SKIP
    <Verdict backprop/q1/out_h1: correct 1/1>
    """
    with _banks(problems):
        problem_id = bank.resolve(str(problem))
        card = fast.load_card(problem_id)
        pid = _part(problem_id, part, card)
        text = answer_text(answer, f"the answer to {problem_id}/{pid}")
        who = _student(student)
        decided = None if card is None else numeric.decide(card, pid, text, who)
        if decided is not None and card is not None:  # a literal number: no sympy, no pool (grade/numeric.py)
            return Verdict.of(view(decided, card.reveal[pid]), problem_id)
        from dlcheck.check.registry import get_spec, instance_for, variant_of  # lazy: the full path
        from dlcheck.grade.pool import Job  # lazy: as above
        from dlcheck.grade.reveal import student_view  # lazy: as above
        from dlcheck.grade.work import ProblemPlan  # lazy: as above

        spec = get_spec(problem_id)
        instance_for(problem_id, who)  # derived (or loaded) here once: the derivation cache serves the workers
        plan = ProblemPlan(problem_id, spec.problem.title, who, [(pid, text)], variant_of(problem_id, who))
        result = student_view(_results([plan], _run(_pool(), [Job(0, None, [plan])])))[0]
    if not result.verdicts:
        raise DlcheckError(f"{problem_id}/{pid} was not checked; try again")
    return Verdict.of(result.verdicts[0], problem_id)


def grade(answers: Mapping[str, Mapping[str, Any]] | str | os.PathLike, *, student: Any = None,
          problems: Banks = None, assignment: str | Sequence[str] | None = None) -> Report:
    """Grade many answers at once: every part of each problem, later parts seeing earlier ones (error
    carried forward), each within its time bound.

    ``answers``: a mapping ``{problem_id: {part: answer}}`` (answers of any type :func:`check` takes; a
    problem id may be ``q1`` alone when one set has it, or when ``assignment`` is a set), the path of an
    answers file, or an answers file's YAML text. ``student`` grades them as that student's (their
    numbers), whatever a file says.
    ``assignment``: a set name (``"backprop"``) or a list of problem ids; the report then covers exactly
    those problems (the ones not answered are missing) and an answer to any other is an error.
    """
    from dlcheck.grade.reveal import student_view

    with _banks(problems):
        who = _student(student)
        quick = _quick(answers, who) if isinstance(answers, Mapping) and assignment is None else None
        if quick is not None:  # literal numbers from the cards, or answers judged before (grade/quick.py)
            return Report(tuple(student_view(quick)), who, None)
        from dlcheck.check.registry import instance_for  # lazy: many answers, the full path's tools
        from dlcheck.grade.pool import Job  # lazy: as above

        path: str | None = None
        in_set = assignment if isinstance(assignment, str) and assignment in bank.set_names() else None
        if isinstance(answers, Mapping):
            plans = _mapping_plans(answers, who, in_set)
        else:
            read = _file_plan(answers, who)
            path, plans, who = read.path, read.problems, read.student
        if assignment is not None:
            plans = _assigned(plans, _assignment(assignment), who)
        for plan in plans:
            instance_for(plan.problem_id, plan.student)
        # each problem's result kept for the same answers' next call (grade/judged.py)
        outcomes = _run(_pool(), [Job(k, None, [plan], remember=True) for k, plan in enumerate(plans)])
        results = student_view(_results(plans, outcomes))
    return Report(tuple(results), who, path)


def _quick(answers: Mapping[str, Any], student: str | None) -> list[ProblemResult] | None:
    """A mapping of answers graded from the problems' cards or as the same answers were before, or None
    (anything odd: the full path, which also says what is wrong with a call)."""
    from dlcheck.grade.quick import decided  # lazy: as the pool

    results: list[ProblemResult] = []
    try:
        for raw_id, parts in answers.items():
            problem_id = bank.resolve(str(raw_id))
            card = fast.load_card(problem_id)
            if card is None or not isinstance(parts, Mapping) or any(r.id == problem_id for r in results) or \
                    any(str(p) not in card.parts for p in parts):
                return None
            typed = {str(p): answer_text(v, f"the answer to {problem_id}/{p}") for p, v in parts.items()}
            result = decided(problem_id, typed, student)
            if result is None:
                return None
            results.append(result)
    except DlcheckError:
        return None
    return results or None


def _mapping_plans(answers: Mapping[str, Any], student: str | None, set_name: str | None) -> list[ProblemPlan]:
    from dlcheck.check.registry import get_spec, parts_of, variant_of  # lazy: the full path
    from dlcheck.grade.work import ProblemPlan  # lazy: as above

    plans: list[ProblemPlan] = []
    for raw_id, parts in answers.items():
        problem_id = bank.resolve(str(raw_id), set_name)
        if any(p.problem_id == problem_id for p in plans):
            raise DlcheckError(f"{problem_id} appears twice ({raw_id!r}); merge the two")
        if parts is None:
            parts = {}
        if not isinstance(parts, Mapping):
            known = parts_of(problem_id)
            raise AnswerFileError(f"answers[{raw_id!r}] must be a mapping of part ids to answers, "
                                  f"e.g. {{'{known[0]}': ...}}")
        typed = {}
        for part, value in parts.items():
            pid = _part(problem_id, part)
            typed[pid] = answer_text(value, f"the answer to {problem_id}/{pid}")
        spec = get_spec(problem_id)
        plans.append(ProblemPlan(problem_id, spec.problem.title, student,
                                 [(pid, typed.get(pid)) for pid in spec.problem.parts],
                                 variant_of(problem_id, student), bool(spec.problem.vary)))
    return plans


def _file_plan(answers: str | os.PathLike, student: str | None) -> FilePlan:
    """An answers file (a path) or its YAML text, read and checked as ``dlcheck grade`` reads it."""
    from dlcheck.check.registry import parts_of  # lazy: the full path
    from dlcheck.grade.work import plan_file  # lazy: as above
    from dlcheck.spec.answers import read_answers  # lazy: as above

    if isinstance(answers, str) and ("\n" in answers or (":" in answers and not Path(answers).is_file())):
        read = read_answers("<answers>", parts_of, text=answers)
    else:
        if not isinstance(answers, (str, os.PathLike)):
            raise AnswerTypeError(f"answers is a {type(answers).__name__}; give a mapping "
                                  "{problem_id: {part: answer}}, a path or YAML text")
        if not Path(answers).is_file():
            raise AnswerFileError(f"{os.fspath(answers)}: no such file; give the path of an answers file "
                                  "(or a mapping, or YAML text)")
        read = read_answers(os.fspath(answers), parts_of)
    if student is not None:
        read.student = student
    return plan_file(read)


def _assignment(assignment: str | Sequence[str]) -> list[str]:
    if isinstance(assignment, str):
        if "/" not in assignment and assignment in bank.set_names():
            return [i for i in bank.all_ids() if i.startswith(assignment + "/")]
        return [bank.resolve(assignment)]
    return [bank.resolve(str(a)) for a in assignment]


def _assigned(plans: list[ProblemPlan], ids: list[str], student: str | None) -> list[ProblemPlan]:
    from dlcheck.check.registry import get_spec, variant_of  # lazy: the full path
    from dlcheck.grade.work import ProblemPlan  # lazy: as above

    extra = [p.problem_id for p in plans if p.problem_id not in ids]
    if extra:
        raise DlcheckError(f"{extra[0]} is not in the assignment ({', '.join(ids)}); take it out or add it")
    given = {p.problem_id: p for p in plans}
    out = []
    for problem_id in ids:
        if problem_id in given:
            out.append(given[problem_id])
            continue
        spec = get_spec(problem_id)
        out.append(ProblemPlan(problem_id, spec.problem.title, student, [(pid, None) for pid in spec.problem.parts],
                               variant_of(problem_id, student), bool(spec.problem.vary)))
    return out


def compare(expected: Any, answer: Any, *, rtol: Any = None, atol: Any = None, sigfigs: Any = None) -> Verdict:
    """``answer`` against ``expected`` with no problem file, as ``dlcheck compare`` does: numbers within a
    tolerance (``rtol``, ``atol``, ``sigfigs``: exact by default for exact numbers), vectors and matrices
    entry by entry, formulas by equivalence. Both may be any answer :func:`check` takes."""
    want = answer_text(expected, "expected")
    got = answer_text(answer, "the answer")
    if isinstance(want, dict) or isinstance(got, dict) or want is None or got is None:
        raise AnswerTypeError("compare takes two values (text, numbers, arrays or formulas), not a mapping or None")
    options = [None if o is None else answer_text(o, name) for o, name in ((rtol, "rtol"), (atol, "atol"),
                                                                           (sigfigs, "sigfigs"))]
    from dlcheck.grade.guarded import compare_bounded  # lazy: a bounded child of its own

    with _LOCK:
        verdict = compare_bounded(want, got, *options)  # type: ignore[arg-type]
    if verdict.status is Status.INVALID and verdict.part == "compare" and verdict.message.startswith("--"):
        raise DlcheckError(verdict.message)
    return Verdict.of(verdict, None)


def explain(problem: str, part: str | Sequence[str] | None = None, *, student: Any = None,
            problems: Banks = None) -> Explanation:
    """The worked solution of a problem (or of some of its parts), with ``student``'s numbers when it
    varies. Parts whose policy is ``explain: after_attempt`` are withheld, as ``dlcheck explain`` withholds
    them without an answers file."""
    from dlcheck.check.registry import instance_for  # lazy: the worked solution needs the derivation
    from dlcheck.explain import render  # lazy: the worked solution loads sympy's printers
    from dlcheck.explain.steps import solution  # lazy: as above

    with _banks(problems):
        problem_id = bank.resolve(str(problem))
        chosen = None if part is None else [_part(problem_id, p) for p in ([part] if isinstance(part, str) else part)]
        inst = instance_for(problem_id, _student(student))
        steps = solution(inst, chosen, set())
        for step in steps:
            if step.kind == "withheld":
                step.notes.append(f"shown once you have attempted it: dlcheck explain {problem_id} --answers FILE "
                                  "(your answers file)")
        title = f"{problem_id} — {inst.spec.problem.title}"
        return Explanation(problem_id, inst.spec.problem.title, render.to_markdown(title, steps),
                           render.to_latex(title, steps), tuple(chosen or ()))
