"""Verdicts drawn with rich: a table per problem, matrices as grids, a summary line."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from dlcheck.core.verdict import ProblemResult, Status, Verdict
from dlcheck.parse.printing import fmt, pretty


def _grid(value: Any, marked: set[tuple[int, int]], style: str) -> Any:
    """A numeric matrix as a small grid with the marked cells highlighted, else None."""
    if not (isinstance(value, list) and value and isinstance(value[0], list) and len(value[0]) > 1):
        return None
    grid = Table.grid(padding=(0, 1))
    for i, row in enumerate(value):
        grid.add_row(*[Text(fmt(x), style=style if (i + 1, j + 1) in marked else "") for j, x in enumerate(row)])
    return grid


def _marked(v: Verdict) -> set[tuple[int, int]]:
    return {(e["row"], e["col"]) for e in v.detail.get("entries", [])}


def _answer_cell(v: Verdict) -> Any:
    """Matrices side by side as grids; formulas pretty-printed; else the text typed."""
    grid = _grid(v.value, _marked(v), "bold red")
    if grid is not None:
        return grid
    if "yours" in v.detail:
        return Text(pretty(v.detail["yours"]))
    text = v.answer if len(v.answer) <= 200 else v.answer[:197] + "..."
    return Text(text) if text else Text("—", style="dim")


def _expected_cell(v: Verdict) -> Any:
    if v.status is Status.MISSING:
        return Text("")
    grid = _grid(v.reference, _marked(v), "bold green")
    if grid is not None:
        return grid
    return Text(pretty(v.expected) if "yours" in v.detail else v.expected, style="dim")


def _detail_cell(v: Verdict) -> Any:
    lines: list[Any] = [Text(v.message)]
    table = v.detail.get("failing_input")
    if table:
        grid = Table("t", "x", "expected", "produced", box=None, padding=(0, 1), show_edge=False)
        for row in table:
            bad = row["expected"] != row["produced"]
            grid.add_row(str(row["t"]), row["x"], str(row["expected"]),
                         Text(str(row["produced"]), style="bold red" if bad else ""))
        lines.append(grid)
    return Group(*lines)


def problem_table(result: ProblemResult) -> Table:
    table = Table(title=f"{result.id} — {result.title}", title_justify="left", show_lines=False,
                  caption=f"{_num(result.score)} / {_num(result.max_score)}", caption_justify="right")
    table.add_column("part", style="bold", no_wrap=True)
    table.add_column("your answer", overflow="fold", max_width=40)
    table.add_column("expected", overflow="fold", max_width=40)
    table.add_column("status", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for v in result.verdicts:
        status = Text(f"{v.status.mark} {v.status}", style=v.status.style)
        table.add_row(v.part, _answer_cell(v), _expected_cell(v), status, _detail_cell(v))
    return table


def verdict_line(v: Verdict) -> Text:
    """One verdict as a line: mark, status, message (the message is never read as markup)."""
    line = Text(f"{v.status.mark} {v.status}", style=v.status.style)
    line.append(f": {v.message}")
    return line


def _num(x: float) -> str:
    return f"{x:g}"


def summary(results: list[ProblemResult]) -> Text:
    score = sum(r.score for r in results)
    total = sum(r.max_score for r in results)
    counts: dict[Status, int] = {}
    for r in results:
        for v in r.verdicts:
            counts[v.status] = counts.get(v.status, 0) + 1
    pct = f" ({score / total:.0%})" if total else ""
    text = Text(f"Score: {_num(round(score, 4))} / {_num(total)}{pct}  ", style="bold")
    text.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return text


def print_results(results: list[ProblemResult], console: Console | None = None) -> None:
    console = console or Console()
    for result in results:
        console.print(problem_table(result))
        console.print()
    console.print(summary(results))
