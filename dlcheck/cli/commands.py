"""The command line. Each command is a few lines calling the library.

Exit codes: 0 all good, 1 some answer is not right, 2 a usage or input error. Errors
are one line (``file:line:col: what is wrong``); ``--debug`` (or ``DLCHECK_DEBUG=1``)
shows tracebacks, a failed check's included.

Every import of the library below is inside the command that needs it, on purpose:
the library pulls in sympy, numpy and pydantic, and ``dlcheck --help`` must not pay
for them (a test checks that importing this module loads neither sympy nor numpy).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# typer >= 0.20 vendors click; older typer uses the click package. Both raise this for usage errors.
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_CLICK_USAGE = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
try:
    from typer._types import TyperChoice as _Choice  # typer >= 0.20: the choice type of its own click
except ImportError:  # older typer
    from click import Choice as _Choice  # type: ignore[no-redef]
_NUMBERISH = re.compile(r"^-(?![-\s])")  # -0.0766, -x^2, -.5: an argument, not an option, when no option has the name


def examples(*lines: str) -> str:
    """A command's epilog: ``Examples:`` then each line as written (see :func:`_write_epilog`). A line is
    ``command  # what it does``; the comment goes on its own line above the command."""
    out = ["Examples:"]
    for line in lines:
        cmd, _, note = line.partition("  # ")
        if note:
            out.append(f"  # {note}")
        out.append(f"  {cmd}")
    return "\n".join(out)


def _write_epilog(command: Any, formatter: Any) -> None:
    """The examples as written, under a heading at the margin like ``Options:`` (click would indent
    and rewrap them)."""
    if command.epilog:
        formatter.write_paragraph()
        for line in command.epilog.splitlines():
            formatter.write(f"{line}\n")


EXAMPLES = {
    "dlcheck": examples("dlcheck list  # the problem sets and problems",
                        "dlcheck show backprop/q1 --template > answers.yaml  # a file to fill in",
                        "dlcheck solve backprop/q1  # answer it part by part, checked at once",
                        "dlcheck grade answers.yaml  # grade a whole answers file",
                        "dlcheck COMMAND --help  # a command's options and examples"),
    "list": examples("dlcheck list", "dlcheck list --problems course/problems  # a course's bank too"),
    "show": examples("dlcheck show backprop/q1",
                     "dlcheck show q1 --set backprop  # the same problem",
                     "dlcheck show rnn/q2 --student 99521469  # that student's numbers",
                     "dlcheck show backprop/q1 --template > answers.yaml  # an answers file to fill in"),
    "grade": examples("dlcheck grade answers.yaml  # your own answers",
                      "dlcheck grade answers.yaml --part loss  # one part only",
                      "dlcheck grade submissions/ --format csv > grades.csv  # a class into a gradebook",
                      "dlcheck grade submissions/ --feedback-dir feedback/  # one report per student",
                      "cat answers.yaml | dlcheck grade -  # from stdin"),
    "compare": examples("dlcheck compare 0.25 0.2501 --rtol 0.01",
                        "dlcheck compare 'sigmoid(x)*(1-sigmoid(x))' \"sigmoid'(x)\"",
                        "dlcheck compare 0.2 0.20 --sigfigs 2"),
    "explain": examples("dlcheck explain backprop/q1",
                        "dlcheck explain backprop/q1 --part loss --part dE_dw5",
                        "dlcheck explain rnn/q2 --format latex > rnn-q2.tex  # for pdflatex"),
    "solve": examples("dlcheck solve  # choose a problem from a menu",
                      "dlcheck solve backprop/q1 --student 99521469",
                      "dlcheck solve backprop/q1 --retry  # ask again the parts that are wrong",
                      "dlcheck show backprop/q1 --template > answers.yaml  # start from a skeleton",
                      "dlcheck solve backprop/q1"),
    "validate": examples("dlcheck validate  # the whole bank",
                         "dlcheck validate problems/week3/q1.yaml  # one spec you are writing",
                         "dlcheck validate --problems course/problems"),
    "new": examples("dlcheck new week3/q1  # then edit problems/week3/q1.yaml",
                    "dlcheck new week3/q1 --problems course/problems"),
    "schema": examples("dlcheck schema > dlcheck-schema.json  # point your editor's YAML support at it"),
    "gradescope": examples("dlcheck gradescope build --problems course/problems -o autograder.zip"),
    "gradescope build": examples("dlcheck gradescope build -o autograder.zip",
                                 "dlcheck gradescope build --problems course/problems --hide-expected"),
}


class Command(TyperCommand):
    """Reads ``dlcheck compare 0.0766 -0.0766`` without ``--``: a word that starts with '-' and is no
    option of the command is an argument (options and their values keep their places). An option whose
    choices are a registry's (``grade --format``) has its help read from the registry when help is drawn."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _arguments_apart(self, ctx, args))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if isinstance(param.type, Registered):
                param.help = param.type.help()  # type: ignore[attr-defined]  # an Option: it has help
        super().format_help(ctx, formatter)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        _write_epilog(self, formatter)


class Registered(_Choice):
    """An option's choices read from a registry whenever the command line is (``grade --format``: the
    names in :data:`dlcheck.report.formats.FORMATS`): one put in the registry is a choice at once, in the
    help, in the error for a mistyped one (which names every choice and the nearest) and in shell
    completion. ``names`` and ``help`` import the registry when called: ``--help`` stays light."""

    def __init__(self, names: Callable[[], list[str]], help: Callable[[], str]) -> None:
        super().__init__([])
        self._names = names
        self.help = help

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, _value: Any) -> None:  # the base class sets its own list: the registry's is used
        pass

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if str(value) not in self.choices:
            from dlcheck.core.suggest import did_you_mean  # lazy: start-up

            listed = ", ".join(map(repr, self.choices))
            self.fail(f"{value!r} is not one of {listed}{did_you_mean(str(value), self.choices)}", param, ctx)
        return super().convert(value, param, ctx)


def _format_names() -> list[str]:
    from dlcheck.report.formats import names  # lazy: start-up (light: no format's module is imported)

    return names()


def _format_help() -> str:
    from dlcheck.report.formats import help_text  # lazy: start-up

    return help_text()


def _arguments_apart(command: Any, ctx: Any, args: list[str]) -> list[str]:
    takes_value: dict[str, bool] = {}
    for param in command.get_params(ctx):
        if getattr(param, "param_type_name", "") == "option":
            for name in [*param.opts, *param.secondary_opts]:
                takes_value[name] = not (param.is_flag or param.count)
    options: list[str] = []
    positional: list[str] = []
    dashed = False
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            positional += args[i + 1:]
            dashed = dashed or any(a.startswith("-") for a in args[i + 1:])
            break
        if word.startswith("-") and len(word) > 1 and os.path.lexists(word):
            raise _CLICK_USAGE(f"'{word}' is a file here, and a name that starts with '-' is read as an option; "
                               f"write ./*.yaml (or ./{word}) so that no file name is taken for an option", ctx=ctx)
        name = word.split("=", 1)[0]
        if name in takes_value or (word.startswith("--") and len(word) > 2):
            options.append(word)
            if takes_value.get(name) and "=" not in word and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
        elif _NUMBERISH.match(word) and len(word) > 1:
            positional.append(word)
            dashed = True
        else:
            positional.append(word)
        i += 1
    return options + ["--"] + positional if dashed else args


class Group(TyperGroup):
    """The application: a usage mistake (a bad --format value, an unknown option) is one line, exit 2."""

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        _write_epilog(self, formatter)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **kwargs: Any) -> Any:
        plain = {"args": args, "prog_name": prog_name, "complete_var": complete_var,
                 "windows_expand_args": windows_expand_args, **kwargs}
        if not standalone_mode:
            return super().main(standalone_mode=False, **plain)
        try:
            code = super().main(standalone_mode=False, **plain)
        except _CLICK_ERROR as exc:  # type: ignore[misc]
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare 'dlcheck': its help, not an error
                typer.echo(exc.format_message())
                sys.exit(0)
            from dlcheck.core.visible import visible  # lazy: start-up (a usage error may quote any text)

            typer.echo(f"error: {visible(_usage_message(exc))}", err=True)
            sys.exit(2)
        except typer.Abort:
            typer.echo("stopped", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_message(exc: Any) -> str:
    message = exc.format_message().replace("Value error, ", "").rstrip(".")
    message = message[:1].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "dlcheck"
    return f"{message}; see '{command} -h'"


app = typer.Typer(cls=Group, add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Check hand-worked deep-learning homework, part by part.", epilog=EXAMPLES["dlcheck"])
command = functools.partial(app.command, cls=Command)
_state = {"debug": False}
_AHEAD: dict[str, Any] = {}   # a child started before the command line was read (compare's checker)


class Format(str, Enum):
    table = "table"
    json = "json"


def _complete_problem(incomplete: str) -> list[str]:
    """Shell completion of problem ids (``backprop/q1``), from the bank's folders only."""
    from dlcheck.spec import bank  # lazy: start-up

    return [i for i in bank.all_ids() if i.startswith(incomplete) or i.split("/", 1)[1].startswith(incomplete)]


def _version(value: bool) -> None:
    if value:
        from dlcheck import __version__  # lazy: start-up

        typer.echo(f"dlcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
          version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    from dlcheck.core import debug as debugging  # lazy: start-up

    debugging.set_flag(debug)  # the grading workers (forked) see it too
    _state["debug"] = debugging.enabled()


def _console():
    from rich.console import Console  # lazy: start-up

    return Console()


def _resolve(problem: str, set_name: str | None, answers: Path | None = None) -> str:
    """A full id: qN alone resolves in --set, else in the answers file's set (when it names a real set)."""
    from dlcheck.spec import bank  # lazy: start-up
    from dlcheck.spec.answers import answers_set

    if set_name is not None:
        bank.check_set(set_name)
    elif "/" not in problem:
        set_name = answers_set(answers or Path("answers.yaml"))
        if set_name not in bank.set_names():
            set_name = None
    return bank.resolve(problem, set_name)


def _print_traces(results) -> None:
    """Under --debug, the traceback behind every internal error, on stderr."""
    if not _state["debug"]:
        return
    for r in results:
        for v in r.verdicts:
            if v.trace:
                typer.echo(f"--- {r.id} {v.part}: traceback from the check ---\n{v.trace}", err=True)


def guarded(fn: Callable) -> Callable:
    """Turn dlcheck's errors into a message on stderr (the line quoted, a caret under the place) and
    exit code 2; with ``--format json`` the errors are also a JSON document on stdout."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from dlcheck.core.errors import DlcheckError  # lazy: start-up

        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except DlcheckError as exc:
            if _state["debug"]:
                raise
            from dlcheck.report.errors import error_json, error_text

            if _value(kwargs.get("fmt")) == "json" and not getattr(exc, "stdout_gone", False):
                typer.echo(error_json(exc))
            typer.echo(error_text(exc), err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - never a traceback without --debug
            if _state["debug"]:
                raise
            from dlcheck.core.visible import visible

            typer.echo(f"error: internal error ({type(exc).__name__}: {visible(str(exc))}); rerun with --debug "
                       "and report it", err=True)
            raise typer.Exit(2) from None
    return wrapper


def _value(option: Any) -> Any:
    return option.value if isinstance(option, Enum) else option


def _problems_option() -> Any:
    return typer.Option(None, "--problems", metavar="DIR",
                        help="A course's problem bank, beside the built-in one (repeatable; also "
                             "DLCHECK_PROBLEMS and problems = in ./dlcheck.toml).")


def _assignment_option() -> Any:
    return typer.Option(None, "--assignment", metavar="ID[,ID...]",
                        help="The problems the grade is out of (repeatable; ID=POINTS sets a problem's points; "
                             "also [assignment] in ./dlcheck.toml): one not answered scores 0, others are ignored.")


def _use_banks(problems: list[Path] | None) -> None:
    """The course banks of --problems, and every other bank setting checked now: an error in
    DLCHECK_PROBLEMS or ./dlcheck.toml is its own, not a puzzle about a problem id later. A bank
    found through either is said on stderr."""
    from dlcheck.spec import bank  # lazy: start-up

    bank.use_course_banks(problems or [])  # this command's, never an earlier command's in the same process
    for line in bank.announced():
        typer.echo(f"note: {line}", err=True)


@command("list", epilog=EXAMPLES["list"])
@guarded
def list_cmd(problems: list[Path] | None = _problems_option()) -> None:
    """List the problem sets and problems, with their topics and parts."""
    from dlcheck.report.catalog import bank_table  # lazy: start-up
    from dlcheck.spec import bank

    _use_banks(problems)
    _console().print(bank_table(bank.all_ids()))


@command(epilog=EXAMPLES["show"])
@guarded
def show(problem: str = typer.Argument(..., metavar="PROBLEM", autocompletion=_complete_problem,
                                       help="A problem id: set/qN, or qN (in --set or answers.yaml's set)."),
         set_name: str | None = typer.Option(None, "--set", help="The set to look qN up in."),
         student: str | None = typer.Option(None, "--student", metavar="ID",
                                            help="That student's numbers, when the problem varies per student "
                                                 "(default: the answers file's student:)."),
         answers: Path | None = typer.Option(None, "--answers", metavar="FILE",
                                             help="Your answers file: its student: and set: (default: "
                                                  "./answers.yaml when there is one)."),
         template: bool = typer.Option(False, "--template",
                                       help="Print an answers file to fill in instead: every part, empty, "
                                            "under a comment with its prompt and the shape it takes."),
         problems: list[Path] | None = _problems_option()) -> None:
    """Show a problem's statement and the ids of its parts."""
    from dlcheck.explain.command import student_of  # lazy: start-up
    from dlcheck.report.catalog import problem_listing, show_problem
    from dlcheck.spec.bank import UnknownProblem

    _use_banks(problems)
    try:
        pid = _resolve(problem, set_name, answers)
    except UnknownProblem as exc:
        if not exc.choices:
            raise
        raise UnknownProblem(f"{exc.message}\n{problem_listing(exc.choices)}") from None
    source = None
    if student is None and (answers is not None or not template):  # '> answers.yaml' has just emptied it
        student, source = student_of(answers)
    if template:
        from dlcheck.core.visible import visible
        from dlcheck.report.template import answers_template

        typer.echo(visible(answers_template(pid, student)), nl=False)
        return
    show_problem(pid, _console(), student, source if student is not None else None)


@command(epilog=EXAMPLES["grade"])
@guarded
def grade(answers: list[str] = typer.Argument(..., metavar="ANSWERS...",
                                              help="Answers files, folders (every *.yaml under them), quoted "
                                                   "globs, or - for stdin."),
          fmt: str = typer.Option("table", "--format", click_type=Registered(_format_names, _format_help)),
          timeout: float = typer.Option(5.0, "--timeout", help="Seconds allowed per part (0.5 to 3600)."),
          jobs: int | None = typer.Option(None, "--jobs", "-j", min=1,
                                          help="Worker processes (default: the cores)."),
          feedback_dir: Path | None = typer.Option(None, "--feedback-dir", metavar="DIR",
                                                   help="Also write one Markdown report per student there."),
          hide_expected: bool = typer.Option(False, "--hide-expected",
                                             help="Keep expected answers and hints out of what students see."),
          instructor: bool = typer.Option(False, "--instructor",
                                          help="Show everything, whatever the problems' reveal policy."),
          student: str | None = typer.Option(None, "--student", metavar="ID",
                                             help="Grade as this student (their numbers, when a problem "
                                                  "varies), whatever the files' student: says."),
          only_wrong: bool = typer.Option(False, "--only-wrong", help="Hide the parts that are right or missing."),
          quiet: bool = typer.Option(False, "-q", "--quiet", help="Only the summary: what to fix and the score."),
          verbose: bool = typer.Option(False, "-v", "--verbose",
                                       help="Everything: sampling points, errors, tolerances, long answers."),
          part: list[str] | None = typer.Option(None, "--part", metavar="PART",
                                                help="Only this part (repeatable): loss, q1/loss or "
                                                     "backprop/q1/loss."),
          report: Path | None = typer.Option(None, "--report", metavar="FILE",
                                             help="Also write the class report there: one HTML page (score "
                                                  "distribution, each part's results, common mistakes, "
                                                  "who may need help)."),
          roster: Path | None = typer.Option(None, "--roster", metavar="EXPORT.csv",
                                             help="--format canvas: the gradebook exported from Canvas."),
          column: str | None = typer.Option(None, "--column", metavar="NAME (ID)",
                                            help="--format canvas: the assignment column to fill; moodle: the "
                                                 "grade column's name."),
          excel: bool = typer.Option(False, "--excel", help="CSV with a UTF-8 byte-order mark (for Excel)."),
          set_name: str | None = typer.Option(None, "--set", metavar="SET",
                                              help="Grade write-ups (.md, .tex, .txt: worked solutions, "
                                                   "question by question) against this set."),
          assignment: list[str] | None = _assignment_option(),
          output: Path | None = typer.Option(None, "--output", metavar="FILE",
                                             help="Write the report to FILE, whole or not at all (a temporary "
                                                  "file renamed), instead of stdout."),
          problems: list[Path] | None = _problems_option()) -> None:
    """Grade answers files; exit 0 when every answered part is right, 1 when not (or nothing to grade),
    2 when a file cannot be read."""
    from dlcheck.cli.grading import Lms, Options, distrust_config  # lazy: start-up
    from dlcheck.cli.grading import grade as run
    from dlcheck.report.terminal import View

    distrust_config(answers)
    _use_banks(problems)
    options = Options(fmt, timeout, jobs, feedback_dir, hide_expected, instructor,
                      View(only_wrong, quiet, verbose), part, _state["debug"], student, set_name=set_name,
                      report=report, lms=Lms(roster, column, excel), assignment=assignment, output=output)
    raise typer.Exit(run(answers, options, _console()))


@command(epilog=EXAMPLES["compare"])
@guarded
def compare(expected: str = typer.Argument(..., help="The expected expression or number."),
            answer: str = typer.Argument(..., help="The answer to check."),
            rtol: str | None = typer.Option(None, "--rtol", help="Relative tolerance: |a - e| <= rtol*|e| "
                                               "(exact decimals; default: none, the values must be equal)."),
            atol: str | None = typer.Option(None, "--atol", help="Absolute tolerance: |a - e| <= atol."),
            sigfigs: str | None = typer.Option(None, "--sigfigs", help="N or N,M: STACK's NumSigFigs test (the "
                                                  "answer written to N significant figures, accurate to M; "
                                                  "M = 0 only counts figures, M = -1 asks for at least N)."),
            fmt: Format = typer.Option(Format.table, "--format", help="table or json.")) -> None:
    """Check one answer against one expected value or formula.

    Exit 0 equivalent (or within the tolerance), 1 not (a wrong shape included, or not
    decided), 2 when either text or an option cannot be read.
    """
    from dlcheck.check.tolerance import read_options  # lazy: start-up
    from dlcheck.core.errors import DlcheckError, ParseError

    try:
        read_options(rtol, atol, sigfigs)
    except ParseError as exc:
        raise DlcheckError(f"{exc} (usage: --rtol 0.01, --atol 5e-5, --sigfigs 3 or --sigfigs 4,3)") from None
    from dlcheck.core.verdict import ProblemResult
    from dlcheck.grade.guarded import compare_bounded, exit_code

    # this process stays light: the bounded child (started by main before the arguments were
    # read) loads sympy and the checker, and meanwhile this one loads what prints the verdict
    verdict = compare_bounded(expected, answer, rtol, atol, sigfigs, meanwhile=_load_printer(fmt),
                              ahead=_AHEAD.pop("compare", None))
    _print_traces([ProblemResult("compare", "", [verdict])])
    if fmt is Format.json:
        from dlcheck.core.visible import json_text

        typer.echo(json_text({"status": verdict.status.value, "message": verdict.message}, indent=None))
    else:
        from dlcheck.report.terminal import verdict_line

        _console().print(verdict_line(verdict))
    raise typer.Exit(exit_code(verdict.status))


def _load_printer(fmt: Format) -> Callable[[], None]:
    def load() -> None:
        if fmt is Format.json:
            from dlcheck.core import visible  # noqa: F401  # lazy: start-up (imported while the child checks)
        else:
            from dlcheck.report import terminal  # noqa: F401  # lazy: start-up (imported while the child checks)
    return load


class ExplainFormat(str, Enum):
    text = "text"
    md = "md"
    latex = "latex"


@command(epilog=EXAMPLES["explain"])
@guarded
def explain(problem: str = typer.Argument(..., metavar="PROBLEM", autocompletion=_complete_problem,
                                          help="A problem id: set/qN, or qN with --set."),
            set_name: str | None = typer.Option(None, "--set", help="The set to look qN up in."),
            part: list[str] | None = typer.Option(None, "--part", help="Only these parts (repeatable)."),
            fmt: ExplainFormat = typer.Option(ExplainFormat.text, "--format", help="text, md or latex."),
            answers: Path | None = typer.Option(None, "--answers", metavar="FILE",
                                                help="Your answers file: attempted parts are unlocked "
                                                     "(default: ./answers.yaml when there is one)."),
            student: str | None = typer.Option(None, "--student", metavar="ID",
                                               help="That student's numbers (default: the answers file's "
                                                    "student:), when the problem varies."),
            instructor: bool = typer.Option(False, "--instructor",
                                            help="Show every part, whatever the problem's reveal policy."),
            problems: list[Path] | None = _problems_option()) -> None:
    """Show the worked solution, step by step, with the numbers substituted."""
    from dlcheck.core.visible import visible  # lazy: start-up
    from dlcheck.explain.command import explain_problem

    _use_banks(problems)
    pid = _resolve(problem, set_name, answers)
    typer.echo(visible(explain_problem(pid, part, fmt.value, answers, _console(), student, instructor)), nl=False)


@command(epilog=EXAMPLES["solve"])
@guarded
def solve(problem: str | None = typer.Argument(None, metavar="[PROBLEM]", autocompletion=_complete_problem,
                                              help="A problem id; without one, a menu."),
          set_name: str | None = typer.Option(None, "--set", help="The set to look qN up in."),
          answers: Path = typer.Option(Path("answers.yaml"), "--answers", metavar="FILE",
                                       help="Where answers are saved."),
          retry: bool = typer.Option(False, "--retry",
                                     help="Ask again the parts whose saved answer is wrong."),
          student: str | None = typer.Option(None, "--student", metavar="ID",
                                             help="Your student id, whose numbers a varied problem uses "
                                                  "(default: the answers file's student:); written into a "
                                                  "file that has none, refused when it names another."),
          problems: list[Path] | None = _problems_option()) -> None:
    """Answer interactively: each part is checked at once and saved as you go."""
    from dlcheck.cli.solve import solve as run  # lazy: start-up

    _use_banks(problems)
    pid = _resolve(problem, set_name, answers) if problem else None
    raise typer.Exit(run(pid, answers, _console(), retry=retry, student=student))


@command(epilog=EXAMPLES["validate"])
@guarded
def validate(paths: list[Path] | None = typer.Argument(None, help="Problem files (default: the whole bank)."),
             problems: list[Path] | None = _problems_option()) -> None:
    """Load every problem, derive every reference, check known solutions and every variant.

    Every problem is checked, and every error of a problem's fields reported, in one run; exit 2 when
    any problem has one.
    """
    from dlcheck.check.registry import get_spec, read_spec_file  # lazy: start-up
    from dlcheck.core.errors import DlcheckError
    from dlcheck.engine.variants import possible_variants
    from dlcheck.grade.derive import validated
    from dlcheck.report.errors import error_text
    from dlcheck.spec import bank

    _use_banks(problems)
    loads: list[tuple[str, Callable[[], Any]]] = [
        (str(p), functools.partial(read_spec_file, p, _problem_id(p))) for p in paths] if paths else [
        (i, functools.partial(get_spec, i)) for i in bank.all_ids()]
    failed = []
    for name, load in loads:
        try:
            spec = load()
            checked = validated(spec)  # derived in a bounded child: a costly define is an error, not a hang
        except DlcheckError as exc:
            if _state["debug"]:
                raise
            typer.echo(error_text(exc), err=True)
            failed.append(name)
            continue
        note = f"; {possible_variants(spec.problem.vary)} variants, {checked} of them checked" if checked else ""
        parts = len(spec.problem.parts)
        typer.echo(f"ok  {spec.id}  ({parts} part{'s' if parts != 1 else ''}{note})")
    if failed and len(loads) > 1:
        typer.echo(f"{len(failed)} of {len(loads)} problems have errors: {', '.join(failed)}", err=True)
    if failed:
        raise typer.Exit(2)


def _problem_id(path: Path) -> str:
    """``set/qN`` of a spec file in a bank's layout (its folder and name), else its name."""
    return f"{path.parent.name}/{path.stem}" if path.parent.name else path.stem


@command(epilog=EXAMPLES["new"])
@guarded
def new(problem: str = typer.Argument(..., metavar="SET/qN", help="The id of the new problem, e.g. week3/q1."),
        problems: Path | None = typer.Option(None, "--problems", metavar="DIR",
                                             help="The course bank to write into (default: the first course "
                                                  "bank configured, else ./problems)."),
        replace: bool = typer.Option(False, "--replace", help="Allow the id of a built-in problem (the course's "
                                                              "spec then replaces it).")) -> None:
    """Write a new problem spec to start from: every field, with comments saying what it does."""
    from dlcheck.cli.course import new_problem  # lazy: start-up

    path = new_problem(problem, problems, replace)
    typer.echo(f"wrote {path}; edit it, then check it with: dlcheck validate {path}")


@command(epilog=EXAMPLES["schema"])
@guarded
def schema() -> None:
    """Print the JSON Schema of a problem spec (for editors: completion and checks as you type)."""
    from dlcheck.cli.course import schema_json  # lazy: start-up

    typer.echo(schema_json())


gradescope_app = typer.Typer(cls=Group, no_args_is_help=True, rich_markup_mode=None,
                             context_settings={"help_option_names": ["-h", "--help"]},
                             help="Grade on Gradescope: build an autograder for a course.",
                             epilog=EXAMPLES["gradescope"])
app.add_typer(gradescope_app, name="gradescope")


@gradescope_app.command("build", cls=Command, epilog=EXAMPLES["gradescope build"])
@guarded
def gradescope_build(problems: list[Path] | None = _problems_option(),
                     output: Path = typer.Option(Path("autograder.zip"), "--output", "-o", metavar="ZIP",
                                                 help="Where to write the autograder."),
                     timeout: float = typer.Option(5.0, "--timeout", help="Seconds allowed per part."),
                     hide_expected: bool = typer.Option(False, "--hide-expected",
                                                        help="Keep expected answers and hints from students."),
                     assignment: list[str] | None = _assignment_option()) -> None:
    """Write a Gradescope autograder (setup.sh, run_autograder, dlcheck and the course's bank) as a zip."""
    from dlcheck.cli.autograder import build  # lazy: start-up
    from dlcheck.grade.work import check_seconds
    from dlcheck.spec.assignment import from_config, parse_option

    check_seconds(timeout)
    _use_banks(problems)
    chosen = parse_option(assignment) if assignment else from_config()
    summary = build(output, list(problems or []), timeout, hide_expected, chosen,
                    warn=lambda line: typer.echo(line, err=True))
    typer.echo(summary)


def run(ahead: Any = None) -> None:
    """Run the application; ``ahead`` is compare's checker child when :func:`dlcheck.cli.main` started one."""
    if ahead is not None:
        _AHEAD["compare"] = ahead
    try:
        app(prog_name="dlcheck")
    finally:
        for child in _AHEAD.values():  # not used (a usage error, --help): gone with us
            child.close()
        _AHEAD.clear()
