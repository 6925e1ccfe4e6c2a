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
from collections.abc import Callable
from enum import Enum
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Check hand-worked deep-learning homework, part by part.")
_state = {"debug": False}
COMPARE_SECONDS = 10.0


class Format(str, Enum):
    table = "table"
    json = "json"


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    from dlcheck.core import debug as debugging  # lazy: start-up

    _state["debug"] = debug or debugging.enabled()


def _console():
    from rich.console import Console  # lazy: start-up

    return Console()


def _resolve(problem: str, set_name: str | None, answers: Path | None = None) -> str:
    """A full id: qN alone resolves in --set, else in the answers file's set."""
    from dlcheck.spec import bank  # lazy: start-up
    from dlcheck.spec.answers import answers_set

    if set_name is None and "/" not in problem:
        set_name = answers_set(answers or Path("answers.yaml"))
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
    """Turn dlcheck's errors into one line on stderr and exit code 2."""
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
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - never a traceback without --debug
            if _state["debug"]:
                raise
            typer.echo(f"error: internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
                       err=True)
            raise typer.Exit(2) from None
    return wrapper


@app.command("list")
@guarded
def list_cmd() -> None:
    """List the problem sets and problems, with their topics and parts."""
    from dlcheck.report.catalog import bank_table  # lazy: start-up
    from dlcheck.spec import bank

    _console().print(bank_table(bank.all_ids()))


@app.command()
@guarded
def show(problem: str = typer.Argument(..., help="A problem id: set/qN, or qN (in --set or answers.yaml's set)."),
         set_name: str | None = typer.Option(None, "--set", help="The set to look qN up in.")) -> None:
    """Show a problem's statement and the ids of its parts."""
    from dlcheck.report.catalog import show_problem  # lazy: start-up

    show_problem(_resolve(problem, set_name), _console())


@app.command()
@guarded
def grade(answers: Path = typer.Argument(..., help="An answers YAML file (see examples/)."),
          fmt: Format = typer.Option(Format.table, "--format", help="table (for people) or json."),
          timeout: float = typer.Option(5.0, "--timeout", min=0.5, help="Seconds allowed per part.")) -> None:
    """Grade a file of answers; exit 0 when every answered part is right, 1 when not."""
    from dlcheck.check.registry import read_answers_file  # lazy: start-up
    from dlcheck.grade.run import grade_file

    results = grade_file(read_answers_file(answers), timeout)
    if fmt is Format.json:
        from dlcheck.report.jsonout import results_json

        typer.echo(results_json(results))
    else:
        from dlcheck.report.terminal import print_results

        print_results(results, _console())
    _print_traces(results)
    raise typer.Exit(0 if all(v.ok for r in results for v in r.verdicts) else 1)


@app.command()
@guarded
def compare(expected: str = typer.Argument(..., help="The expected expression or number."),
            answer: str = typer.Argument(..., help="The answer to check."),
            rtol: float | None = typer.Option(None, "--rtol", min=0, help="Relative tolerance (default 1e-2)."),
            atol: float | None = typer.Option(None, "--atol", min=0, help="Absolute tolerance."),
            fmt: Format = typer.Option(Format.table, "--format", help="table or json.")) -> None:
    """Check one answer against one expected value or formula; exit 0 equal, 1 not, 2 invalid."""
    from dlcheck.core.verdict import ProblemResult, Status  # lazy: start-up
    from dlcheck.grade.run import compare_texts, run_bounded

    verdict = run_bounded(compare_texts, (expected, answer, rtol, atol), "compare", 1.0, answer, COMPARE_SECONDS)
    _print_traces([ProblemResult("compare", "", [verdict])])
    if fmt is Format.json:
        import json

        typer.echo(json.dumps({"status": verdict.status.value, "message": verdict.message}))
    else:
        from dlcheck.report.terminal import verdict_line

        _console().print(verdict_line(verdict))
    raise typer.Exit({Status.CORRECT: 0, Status.INCORRECT: 1, Status.PARTIAL: 1}.get(verdict.status, 2))


class ExplainFormat(str, Enum):
    text = "text"
    md = "md"
    latex = "latex"


@app.command()
@guarded
def explain(problem: str = typer.Argument(..., help="A problem id: set/qN, or qN with --set."),
            set_name: str | None = typer.Option(None, "--set", help="The set to look qN up in."),
            part: list[str] | None = typer.Option(None, "--part", help="Only these parts (repeatable)."),
            fmt: ExplainFormat = typer.Option(ExplainFormat.text, "--format", help="text, md or latex."),
            answers: Path | None = typer.Option(None, "--answers",
                                                   help="Your answers file: attempted parts are unlocked.")) -> None:
    """Show the worked solution, step by step, with the numbers substituted."""
    from dlcheck.explain.command import explain_problem  # lazy: start-up

    pid = _resolve(problem, set_name, answers)
    typer.echo(explain_problem(pid, part, fmt.value, answers, _console()), nl=False)


@app.command()
@guarded
def solve(problem: str | None = typer.Argument(None, help="A problem id; without one, a menu."),
          set_name: str | None = typer.Option(None, "--set", help="The set to look qN up in."),
          answers: Path = typer.Option(Path("answers.yaml"), "--answers", help="Where answers are saved.")) -> None:
    """Answer interactively: each part is checked at once and saved as you go."""
    from dlcheck.cli.solve import solve as run  # lazy: start-up

    pid = _resolve(problem, set_name, answers) if problem else None
    raise typer.Exit(run(pid, answers, _console()))


@app.command()
@guarded
def validate(paths: list[Path] | None = typer.Argument(None, help="Problem files (default: the whole bank).")) -> None:
    """Load every problem, derive every reference and check known solutions."""
    from dlcheck.check.registry import build_instance, get_spec, read_spec_file  # lazy: start-up
    from dlcheck.spec import bank

    specs = [read_spec_file(p, p.stem) for p in paths] if paths else [get_spec(i) for i in bank.all_ids()]
    for spec in specs:
        build_instance(spec)
        typer.echo(f"ok  {spec.id}  ({len(spec.problem.parts)} parts)")


def main() -> None:
    app(prog_name="dlcheck")

