"""``grade``'s table (``--format table``, for people): each file's report, then a class's table and summary."""

from __future__ import annotations

from dlcheck.core.visible import visible
from dlcheck.grade.batch import FileResult
from dlcheck.report.errors import error_text, ignored_text
from dlcheck.report.formats import Run
from dlcheck.report.terminal import header, print_results


def render(files: list[FileResult], run: Run) -> None:
    """Drawn on ``run.console`` (a terminal's width and colours), not returned as text."""
    console = run.console
    for k, f in enumerate(files):
        if k:
            console.print()
        if f.error is not None:
            console.print(error_text(f.error), markup=False, highlight=False)
            continue
        if run.batch and run.view.quiet:  # the full report heads itself; a quiet one needs the name too
            console.print(header(f.path, f.student))
        print_results(f.results, console, run.view, path=f.path, student=f.student, working=f.working)
        if f.ignored:
            console.print(ignored_text(f.ignored), markup=False, highlight=False)
        if f.nothing_to_grade and not run.batch:
            run.say(f"nothing to grade: {visible(f.path)} has no answered part that dlcheck checks "
                    "(essays wait for a marker); answer a part and run again")
    if run.batch:
        from dlcheck.grade.summary import summarize  # lazy: a class only
        from dlcheck.report.glance import class_summary
        from dlcheck.report.gradebook import class_table

        console.print()
        console.print(class_table(files))
        console.print(*class_summary(summarize(files)), sep="\n")
