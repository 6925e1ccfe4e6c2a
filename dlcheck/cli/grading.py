"""``dlcheck grade``: one file as before, or a whole class into a gradebook.

One answers file is graded and drawn exactly as it always was (its errors are errors,
exit 2). Several files, a folder or a glob are a *batch*: each file is a student, a file
that cannot be read is a row with its error, and the output is the format asked for
(a report per file and a class table, a JSON list, a CSV gradebook, JUnit XML, or one
Gradescope ``results.json`` for all of them as one submission): each format is an entry of
:mod:`dlcheck.report.formats`, which says all that ``grade`` does differently for it. Every output that shows a
reference (the table, JSON, feedback files, JUnit, Gradescope) holds back what the reveal
policy says; ``--instructor`` shows everything (the CSV and LMS gradebooks hold points only).

Exit codes: 0 every answered part right, 1 some part not right (or nothing to grade in a
single file), 2 a usage error, or a file of the batch that could not be read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import typer
from rich.console import Console

from dlcheck.cli.outputs import Lms, prepare, write_report
from dlcheck.core.errors import DlcheckError
from dlcheck.core.visible import visible
from dlcheck.core.yamlio import links_refused
from dlcheck.grade import assignment as scoring
from dlcheck.grade.batch import FileResult, NoFiles, expand, grade_files
from dlcheck.grade.failures import check_seconds
from dlcheck.grade.reveal import student_view
from dlcheck.report.formats import FORMATS, Format, Run, get
from dlcheck.report.select import only_parts
from dlcheck.report.terminal import View
from dlcheck.spec import bank
from dlcheck.spec.assignment import Assignment, from_config, parse_option

PROGRESS_FROM = 6   # files from which a progress bar is drawn (on a terminal's stderr)


@dataclass
class Options:
    fmt: str = "table"
    seconds: float = 5.0
    jobs: int | None = None
    feedback_dir: Path | None = None
    hide_expected: bool = False
    instructor: bool = False
    view: View = View()
    parts: list[str] | None = None
    debug: bool = False
    student: str | None = None       # grade every file as this student (their variant), whatever it says
    report: Path | None = None       # --report: the class report (HTML) written there
    lms: Lms = field(default_factory=Lms)   # --roster, --column, --excel
    set_name: str | None = None      # the set write-ups are graded against (--set)
    assignment: list[str] | None = None   # --assignment ID[=POINTS][,ID…]: the problems the grade is out of
    output: Path | None = None       # --output FILE: written whole (a temporary file renamed), else stdout


def _progress(total: int):
    """A progress bar on stderr for a batch, or None (a few files, or not a terminal)."""
    err = Console(stderr=True)
    if total < PROGRESS_FROM or not err.is_terminal:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # lazy: batch

    # no refresh thread: the pool forks its workers while the bar is up
    bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                   auto_refresh=False, transient=True, redirect_stdout=False, redirect_stderr=False)
    return bar


def _select(files: list[FileResult], parts: list[str] | None, batch: bool) -> list[FileResult]:
    """``--part`` on every file: an error when no file has the part (for one file: when it does not)."""
    if not parts:
        return files
    out, misses = [], []
    for f in files:
        try:
            out.append(replace(f, results=only_parts(f.results, parts)) if f.error is None else f)
        except DlcheckError as exc:
            if not batch:
                raise
            misses.append(exc)
            out.append(replace(f, results=[]))
    if misses and len(misses) == sum(f.error is None for f in files):
        raise misses[0]
    return out


def _student_facing(files: list[FileResult], options: Options) -> list[FileResult]:
    if options.instructor:
        return files
    return [replace(f, results=student_view(f.results, options.hide_expected)) for f in files]


def distrust_config(args: list[str]) -> None:
    """A class run from inside a folder it grades does not read the ./dlcheck.toml there: a student may
    have put it there to bring their own bank or assignment (call it before the banks are looked at)."""
    here = Path.cwd().resolve()
    for arg in args:
        try:
            folder = Path(arg).resolve()
        except (OSError, RuntimeError):
            continue
        if arg != "-" and folder.is_dir() and (here == folder or folder in here.parents):
            if bank.ignore_config(f"the working folder is inside {arg}, which is graded"):
                _warn(f"warning: ./{bank.CONFIG} is not read: it is inside {visible(arg, newlines=False)}, the "
                      "submissions being graded (a student could have put it there); run from the course "
                      "folder, or give --problems and --assignment")
            return


def _as_data(options: Options, batch: bool) -> bool:
    """Whether the files are read as submissions (a symlink refused, never followed): a class, and any
    output made for someone else (feedback, Gradescope, a gradebook). Only a person grading their own one
    file on their terminal may keep it behind a link."""
    return batch or options.feedback_dir is not None or not get(options.fmt).personal


def _assignment(options: Options) -> Assignment | None:
    if options.assignment:
        return parse_option(options.assignment)
    return from_config()


def grade(args: list[str], options: Options, console: Console) -> int:
    """Grade ``args`` (files, folders, globs, ``-``), print the chosen format; the exit code."""
    check_seconds(options.seconds)
    fmt = get(options.fmt)
    if options.output is not None and not fmt.to_file:  # never taken and then ignored: said before grading
        writes = ", ".join(f.name for f in FORMATS.values() if f.to_file)
        raise DlcheckError(f"--output is for the formats written as one text ({writes}); --format {fmt.name} "
                           f"writes to the terminal: leave --output out and redirect it (> FILE)")
    run = Run(console=console, view=options.view, hide=options.hide_expected and not options.instructor,
              roster=options.lms.roster, column=options.lms.column, excel=options.lms.excel, say=_say, write=_write)
    run.prepared = prepare(fmt, run, options.report)  # before grading: a bad --roster is said at once
    assignment = _assignment(options)
    skipped: list[str] = []
    try:
        sources, batch, empty = expand(args, warn=skipped.append, relative=fmt.submission,
                                       writeups=options.set_name is not None)
    except NoFiles:
        if not fmt.submission:
            _say_skipped(skipped)
            raise
        sources, batch, empty = [], True, []  # a submission without an answers file: its output says so
    run.batch = batch
    if options.student is not None and batch and not fmt.submission:
        raise DlcheckError(f"--student {visible(options.student, newlines=False)} would grade all "
                           f"{len(sources)} files as one student; leave --student out (each file's student: "
                           "is used) or give one file")
    _say_skipped(skipped)
    for nothing in empty:  # a folder or glob with no file among others: not a student, the others are graded
        _warn(f"warning: {visible(str(nothing), newlines=False)}; the other arguments are graded")
    started = time.monotonic()
    bar = _progress(len(sources))
    if bar is not None:
        task = bar.add_task("grading", total=len(sources))
        bar.start()

        def advance(_key: int) -> None:
            bar.advance(task)
            bar.refresh()
    on_done = advance if bar is not None else None
    try:
        if batch and fmt.stream is not None and options.feedback_dir is None and not options.parts \
                and options.report is None:
            return stream_class(sources, options, fmt, run, assignment, on_done)
        with links_refused(_as_data(options, batch)):  # a class's files are data: a link is never read
            files = _numeric(sources, options, batch) or \
                grade_files(sources, options.seconds, options.jobs, on_done, student=options.student, warn=_warn,
                            set_name=options.set_name)
    finally:
        if bar is not None:
            bar.stop()
    if not batch and files and files[0].error is not None and fmt.personal:
        raise files[0].error  # one file that cannot be read: its errors, as always
    if not fmt.submission:
        if assignment is None and batch:
            assignment = scoring.answered(files)
            no_assignment_note(assignment)
        if assignment is not None:
            files = [scoring.apply(f, assignment) for f in files]
    elif assignment is not None:
        files = [scoring.restrict(f, assignment) for f in files]
    files = _select(files, options.parts, batch)
    if not fmt.submission and options.student is None:  # a submission's files are one student
        _same_student(files)
    with links_refused(_as_data(options, batch)):  # an error's line is quoted from its file: never through a link
        return _report(files, options, fmt, run, started, assignment, args, skipped)


def _numeric(sources: list, options: Options, batch: bool) -> list[FileResult] | None:
    """One answers file whose every answer the numeric path decides, graded here without sympy
    (:mod:`dlcheck.grade.quick`); None sends it to the pool."""
    if batch or options.set_name is not None or len(sources) != 1:
        return None
    from dlcheck.grade.quick import quick_file  # lazy: start-up

    done = quick_file(sources[0], options.student)
    return None if done is None else [done]


def _report(files: list[FileResult], options: Options, fmt: Format, run: Run, started: float,
            assignment: Assignment | None, args: list[str], skipped: list[str]) -> int:
    shown = _student_facing(files, options)
    if fmt.submission:
        run.unanswered = scoring.missing(assignment, files, options.student or _one_student(files)) \
            if assignment is not None else []
        run.notes = [_relative_note(line, args) for line in skipped]
    run.seconds = time.monotonic() - started
    _deliver(fmt.render(shown if fmt.student_facing else files, run), fmt, options)
    if options.report is not None:
        write_report(files, options.report, args)
    if options.feedback_dir is not None:
        from dlcheck.report.feedback import write_feedback  # lazy: start-up

        written = write_feedback(shown, options.feedback_dir, options.hide_expected and not options.instructor)
        typer.echo(f"{len(written)} feedback file{'s' if len(written) != 1 else ''} in {options.feedback_dir}",
                   err=True)
    _traces(files, options.debug)
    return _exit_code(files, run.batch)


def _say_skipped(skipped: list[str]) -> None:
    for line in skipped:
        _warn(visible(line if line.startswith("warning: ") else f"warning: {line}", newlines=False))


def _relative_note(line: str, args: list[str]) -> str:
    """A sentence about a submission's file for the student: its name relative to the submission."""
    line = line.removeprefix("warning: ")
    for arg in args:
        folder = str(Path(arg)) + "/"
        if line.startswith(folder):
            return line[len(folder):]
    return line


def _one_student(files: list[FileResult]) -> str | None:
    return next((f.student for f in files if f.student), None)


def _deliver(chunks: Iterable[str] | None, fmt: Format, options: Options) -> None:
    """A format's text written whole (to --output or stdout); nothing when it wrote itself."""
    if chunks is None:
        return
    from dlcheck.cli.output import deliver  # lazy: start-up

    deliver(chunks, options.output, fmt.what)


def _say(text: str) -> None:
    typer.echo(text, err=True)


def _write(data: bytes) -> None:
    typer.echo(data, nl=False)


def _warn(text: str) -> None:
    """A warning on stderr, wrapped between words at the terminal's width (a name or number kept whole)."""
    Console(stderr=True, highlight=False).print(text, markup=False)


def no_assignment_note(assignment: Assignment) -> None:
    count = len(assignment.problems)
    _warn(f"note: no assignment given, so every student is scored on the {count} problem{'s' if count != 1 else ''} "
          f"someone in the class answered ({', '.join(assignment.problems) or 'none'}); give --assignment ID,ID "
          f"or [assignment] in {bank.CONFIG}")


def stream_class(sources: list, options: Options, fmt: Format, run: Run, assignment: Assignment | None,
                 on_done) -> int:
    """A class written file by file as they are graded, by a format that streams (a JSON list, a CSV
    gradebook; memory: a few chunks of files, never the class). Without an assignment the class's problems
    are known only at the end: the results wait in a private temporary file (:mod:`dlcheck.cli.stream`),
    not in memory."""
    from dlcheck.cli.stream import Tally, class_results  # lazy: start-up

    assert fmt.stream is not None
    tally = Tally(options.debug)
    with links_refused(True), class_results(sources, options.seconds, options.jobs, on_done, options.student,
                                            assignment, _warn, options.set_name) as (chosen, results):
        if assignment is None:
            no_assignment_note(chosen)
        rows = (tally.add(scoring.apply(f, chosen)) for f in results)
        if fmt.student_facing:  # each file as the student may see it (--instructor: everything)
            rows = (_student_facing([f], options)[0] for f in rows)
        run.template = scoring.apply(FileResult("", None), chosen)
        run.assigned = assignment is not None
        _deliver(fmt.stream(rows, run), fmt, options)
    if options.student is None:
        _same_student(tally.seen)
    return tally.exit_code()


def _same_student(files: list[FileResult]) -> None:
    """One warning per student id that several files give (two rows in the gradebook for one person), and
    per group of ids that differ only in case, Unicode form or invisible characters (``12345`` and
    ``12345\u200b``: one person, or one student posing as another)."""
    from dlcheck.report.feedback import id_key  # lazy: start-up

    paths: dict[str, list[str]] = {}
    near: dict[str, set[str]] = {}
    for f in files:
        if f.student is not None:
            paths.setdefault(f.student, []).append(f.path)
            near.setdefault(id_key(f.student), set()).add(f.student)
    for student, given in paths.items():
        if len(given) > 1:
            names = sorted(visible(p, newlines=False) for p in given)
            listed = ", ".join(names[:-1]) + f" and {names[-1]}"
            _warn(f"warning: student {visible(student, newlines=False)} is named by {len(names)} files, "
                  f"{listed}; each is graded as a row of its own (merge them or remove one)")
    for ids in near.values():
        if len(ids) > 1:
            shown = sorted(repr(i) for i in ids)
            files_of = sorted(visible(p, newlines=False) for i in ids for p in paths[i])
            _warn(f"warning: the student ids {', '.join(shown)} differ only in case, Unicode form or invisible "
                  f"characters (files {', '.join(files_of)}); check which student each file is")


def _traces(files: list[FileResult], debug: bool) -> None:
    """Under --debug, the traceback behind every check dlcheck failed, on stderr."""
    if not debug:
        return
    for f in files:
        for r in f.results:
            for v in r.verdicts:
                if v.trace:
                    typer.echo(f"--- {f.path} {r.id} {v.part}: traceback from the check ---\n{v.trace}", err=True)


def _exit_code(files: list[FileResult], batch: bool) -> int:
    if not files or any(f.error is not None for f in files):
        return 2
    if not batch and files[0].nothing_to_grade:
        return 1
    return 0 if all(f.ok for f in files) else 1


