"""``grade --format canvas --roster EXPORT.csv --column "NAME (ID)"``: a Canvas gradebook export, filled.

Canvas exports a course's gradebook (Grades → Export) as CSV: a header ``Student, ID, SIS User
ID, SIS Login ID, [Integration ID, Root Account,] Section``, any custom columns, one column per
assignment named ``Title (assignment id)``, then read-only totals; sometimes a row saying which
assignments post grades manually; a ``    Points Possible`` row; then one row per student (the
test student ``Student, Test`` among them). Imported back, a column that names an existing
assignment updates its scores, and only cells that changed are applied.

So the export comes back as it was, with one column filled: a student's row gets their dlcheck
total (the score of their answers file, as in the CSV gradebook) in the named column, and every
other byte is the export's own — its byte-order mark, its delimiter (a comma, or the semicolon of
Canvas's "use semicolons" setting, whose decimal separator may be a comma), its quoting and line
endings; the one row that changes keeps its quoting where the export's quoting can be told
(every field quoted, or only those that need it). A student is matched by their answers file's
``student:`` against the SIS User ID, then the SIS Login ID, then Canvas's own ID (spaces around
it and case ignored). What cannot be matched is said on stderr and left as exported: a roster
student with no submission (their cell stays as it was, blank on a new assignment), a file whose
student is in no row or names no student, a file that could not be read, a student with several
files, a student Canvas shows as excused (``EX``) or not assigned the assignment (``N/A``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from dlcheck.core.errors import DlcheckError
from dlcheck.core.suggest import did_you_mean
from dlcheck.core.visible import visible
from dlcheck.grade.batch import FileResult
from dlcheck.grade.summary import Scores, scores
from dlcheck.report.formats import Run
from dlcheck.report.gradebook import number
from dlcheck.report.lms import BOM, deliver, left_out

POINTS = "Points Possible"
IDS = ("SIS User ID", "SIS Login ID", "ID")     # matched in this order
IDENTITY = {"student", "lastname", "firstname", "id", "sis user id", "sis login id", "integration id",
            "root account", "section"}
TEST_STUDENT = "Student, Test"                  # Canvas's "student view" user, in every export
_ASSIGNMENT = re.compile(r"^(.*\S)\s*\((\d+)\)\s*$")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")
_COMMA_DECIMAL = re.compile(r"^\d+,\d+$")


class RosterError(DlcheckError):
    """The Canvas export cannot be used as it is (not CSV, no id column, no such assignment)."""


@dataclass
class Record:
    raw: str            # the record as in the file, its line ending included
    cells: list[str]
    line: int           # where it starts (1-based)

    @property
    def ending(self) -> str:
        return self.raw[len(self.raw.rstrip("\r\n")):]


@dataclass
class Export:
    name: str
    bom: bool
    delimiter: str
    records: list[Record]                     # the header first
    ids: dict[str, int]                       # which of IDS the export has, and where
    points: Record | None                     # the Points Possible row
    students: list[Record]                    # the rows after it (after the header when there is none)
    decimal_comma: bool = False

    @property
    def header(self) -> list[str]:
        return self.records[0].cells

    @property
    def roster(self) -> list[Record]:
        """The students, without Canvas's test student."""
        return [r for r in self.students if _cell(r, 0) != TEST_STUDENT]

    def name_of(self, record: Record) -> str:
        """``Doe, Jane (SIS id)``: how a note names a roster student."""
        head = [h.strip().lower() for h in self.header]
        if "student" in head:
            name = _cell(record, head.index("student"))
        else:
            name = ", ".join(c for c in (_cell(record, head.index(h)) if h in head else "" for h in
                                         ("lastname", "firstname")) if c)
        sid = next((_cell(record, self.ids[k]) for k in IDS if k in self.ids and _cell(record, self.ids[k])), "")
        return visible(f"{name} ({sid})" if name and sid else name or sid or f"line {record.line}", newlines=False)


def _cell(record: Record, k: int) -> str:
    return record.cells[k].strip() if k < len(record.cells) else ""


def _records(text: str, delimiter: str) -> list[Record]:
    """The records of ``text`` with the raw text of each (a quoted cell may hold line breaks)."""
    lines = _LINE.findall(text)
    taken: list[str] = []

    def feed():
        for line in lines:
            taken.append(line)
            yield line

    out, line = [], 1
    reader = csv.reader(feed(), delimiter=delimiter, strict=False)
    for cells in reader:
        raw = "".join(taken)
        taken.clear()
        out.append(Record(raw, cells, line))
        line += len(_LINE.findall(raw)) or 1
    return out


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def read_export(data: bytes, name: str) -> Export:
    """A Canvas gradebook export read whole, or a :class:`RosterError` saying what to do."""
    bom = data.startswith(BOM.encode())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError(f"byte {exc.start + 1} is not UTF-8: this is not Canvas's CSV export; export the "
                          "gradebook again from Canvas (Grades → Export → Export Entire Gradebook), or save "
                          "the file as \"CSV UTF-8\"", path=name) from None
    first = _LINE.findall(text)[:1]
    delimiter = max(",;\t", key=lambda d: (_known(first, d), d == ","))
    try:
        records = _records(text, delimiter)
    except csv.Error as exc:
        raise RosterError(f"not readable as CSV ({exc}); pass the file Canvas exported, unchanged",
                          path=name) from None
    if not records or not any(c.strip() for c in records[0].cells):
        raise RosterError("the file is empty; export the gradebook from Canvas (Grades → Export) and pass "
                          "that file", path=name)
    header = [_key(h) for h in records[0].cells]
    ids = {k: header.index(k.casefold()) for k in IDS if k.casefold() in header}
    if not ids:
        raise RosterError("the first line has no ID, SIS User ID or SIS Login ID column, which students are "
                          "matched by; pass the gradebook Canvas exported (Grades → Export)", path=name, line=1)
    points = next((r for r in records[1:] if r.cells and r.cells[0].strip() == POINTS), None)
    after = records.index(points) + 1 if points is not None else 1
    students = [r for r in records[after:] if any(c.strip() for c in r.cells)]
    decimal_comma = delimiter == ";" and any(_COMMA_DECIMAL.match(c.strip()) for r in records[1:] for c in r.cells)
    return Export(name, bom, delimiter, records, ids, points, students, decimal_comma)


def _known(lines: list[str], delimiter: str) -> int:
    """How many of Canvas's identity columns the header has when split at ``delimiter``."""
    cells = next(csv.reader(lines, delimiter=delimiter), []) if lines else []
    return sum(_key(c) in IDENTITY for c in cells)


def find_column(export: Export, wanted: str) -> int:
    """The index of the assignment column ``wanted`` names: its whole header (``Homework 3 (1234)``), or
    when only one column fits, its title alone or its id alone. Else a :class:`RosterError` listing them."""
    header = [h.strip() for h in export.header]
    assignments = [k for k, h in enumerate(header) if _key(h) not in IDENTITY and not _read_only(export, k)]
    want = wanted.strip()
    for same in (lambda h: h == want, lambda h: _key(h) == _key(want)):
        found = [k for k, h in enumerate(header) if same(h)]
        if found:
            k = found[0]
            if k not in assignments:
                raise RosterError(f"'{visible(want)}' is not an assignment column (it is {_kind(export, k)}); "
                                  f"name the assignment to fill: {_listing(export, assignments)}", path=export.name,
                                  line=1)
            return k
    for part in (1, 2):  # the title alone, or the assignment id alone
        found = [k for k in assignments if (m := _ASSIGNMENT.match(header[k])) and _key(m.group(part)) == _key(want)]
        if len(found) == 1:
            return found[0]
    titled = [header[k] for k in assignments]
    raise RosterError(f"no column '{visible(want)}'{did_you_mean(want, titled)}; the assignment columns are "
                      f"{_listing(export, assignments)} (create the assignment in Canvas and export the gradebook "
                      "again to add one)", path=export.name, line=1)


def _read_only(export: Export, k: int) -> bool:
    return export.points is not None and _cell(export.points, k).startswith("(")  # "(read only)", translated too


def _kind(export: Export, k: int) -> str:
    return "read only in Canvas" if _read_only(export, k) else "who the student is"


def _listing(export: Export, columns: list[int]) -> str:
    names = [f"'{visible(export.header[k].strip())}'" for k in columns]
    return ", ".join(names) if names else "none (the export has no assignment yet)"


@dataclass
class Filled:
    data: bytes
    written: int = 0                  # students given their total
    replaced: int = 0                 # of which a different score was there before
    notes: list[str] = field(default_factory=list)


def _match(export: Export, sid: str) -> list[Record]:
    """The roster rows ``sid`` names: by SIS User ID, else SIS Login ID, else ID (the first id that names any)."""
    key = _key(sid)
    for column in IDS:
        if column in export.ids:
            rows = [r for r in export.students if _cell(r, export.ids[column]) and _key(_cell(r, export.ids[column]))
                    == key]
            if rows:
                return rows
    return []


def _line(cells: list[str], delimiter: str, every: bool, ending: str) -> str:
    out = io.StringIO()
    if every:
        csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator=ending).writerow(cells)
    else:
        csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator=ending).writerow(cells)
    return out.getvalue()


def _rewrite(record: Record, cells: list[str], delimiter: str) -> str:
    """``cells`` as a CSV record quoted the way ``record`` was (every field, else those that need it)."""
    every = _line(record.cells, delimiter, True, record.ending) == record.raw
    return _line(cells, delimiter, every, record.ending)


def _score(export: Export, x: float) -> str:
    text = number(x)
    return text.replace(".", ",") if export.decimal_comma else text


def fill(export: Export, column: int, scores: Scores, bom: bool = False) -> Filled:
    """The export with ``column`` set to each matched student's total; ``bom`` adds a byte-order mark."""
    rows: dict[int, str] = {}                     # id(record) -> its new text
    matched: set[int] = set()
    unmatched, excused, ambiguous = [], [], []
    filled = Filled(b"")
    claims: dict[int, list[str]] = {}              # id(record) -> the student ids that name it
    for sid in sorted(scores.total, key=lambda s: scores.path[s]):
        found = _match(export, sid)
        shown = f"{visible(scores.path[sid])} (student {visible(sid)})"
        matched.update(id(r) for r in found)
        if not found:
            unmatched.append(shown)
        elif len(found) > 1:
            ambiguous.append(f"{shown} names {len(found)} students: {'; '.join(export.name_of(r) for r in found)}")
        else:
            claims.setdefault(id(found[0]), []).append(sid)
    for record in export.students:
        sids = claims.get(id(record), [])
        if len(sids) > 1:  # two files for one student, under two of their ids: which counts is the instructor's call
            files = ", ".join(f"{visible(scores.path[s])} (student {visible(s)})" for s in sids)
            ambiguous.append(f"{export.name_of(record)} is named by {len(sids)} files: {files}")
        if len(sids) != 1:
            continue
        old = _cell(record, column)
        if old.upper() in ("EX", "N/A"):  # excused, or not assigned to them: Canvas's decision stands
            excused.append(f"{export.name_of(record)} ({old})")
            continue
        cells = list(record.cells) + [""] * (column + 1 - len(record.cells))
        cells[column] = _score(export, scores.total[sids[0]])
        if cells != record.cells:
            rows[id(record)] = _rewrite(record, cells, export.delimiter)
        filled.written += 1
        filled.replaced += bool(old) and old != cells[column]
    for sid in scores.twice:   # several files: which one counts is the instructor's call
        matched.update(id(r) for r in _match(export, sid))
    missing = [export.name_of(r) for r in export.roster if id(r) not in matched]
    filled.notes = _notes(export, column, filled, scores, missing, unmatched, excused, ambiguous)
    text = "".join(rows.get(id(r), r.raw) for r in export.records)
    filled.data = ((BOM if export.bom or bom else "") + text).encode("utf-8")
    return filled


def _notes(export: Export, column: int, filled: Filled, scores: Scores, missing: list[str],
           unmatched: list[str], excused: list[str], ambiguous: list[str]) -> list[str]:
    name, title = visible(export.name), visible(export.header[column].strip())
    replaced = f" ({filled.replaced} replacing a different score)" if filled.replaced else ""
    notes = [f"canvas: {filled.written} of {len(export.roster)} students in {name} given their dlcheck total in "
             f"'{title}'{replaced}"]
    if missing:
        notes.append(f"no submission, left as exported ({len(missing)}): {'; '.join(missing)}")
    if unmatched:
        notes.append(f"no student of {name} has these ids, so they are not in it ({len(unmatched)}): "
                     f"{'; '.join(unmatched)}")
    notes += left_out(scores)
    if ambiguous:
        notes.append(f"not told apart, so left as exported: {'; '.join(ambiguous)}")
    if excused:
        notes.append(f"excused (EX) or not assigned (N/A) in Canvas, left as they are: {'; '.join(excused)}")
    possible = _cell(export.points, column) if export.points else ""
    most = {scores.most[s] for s in scores.total}
    if possible and most and {number(m) for m in most} != {possible.replace(",", ".")}:
        out_of = " or ".join(number(m) for m in sorted(most))
        notes.append(f"'{title}' is out of {visible(possible)} points in Canvas, and the dlcheck totals are out of "
                     f"{out_of}: change the assignment's points in Canvas, or expect scores out of {out_of}")
    awaiting = sum(1 for s in scores.total if scores.awaiting[s])
    if awaiting:
        notes.append(f"the totals of {awaiting} student{'s' if awaiting != 1 else ''} leave out essays awaiting a "
                     "marker (add those points in Canvas once they are marked)")
    return notes


@dataclass
class Prepared:
    export: Export                   # the Canvas export, read
    column: int                      # the index of the column to fill


def prepare(run: Run) -> Prepared:
    """Before grading: the export given (``--roster``) and read, and its ``--column`` found; or an error."""
    if run.roster is None or run.column is None:
        raise DlcheckError("--format canvas fills a Canvas gradebook export: give it with --roster EXPORT.csv "
                           "(Grades → Export in Canvas) and the assignment with --column \"NAME (ID)\"")
    try:
        data = run.roster.read_bytes()
    except OSError as exc:
        raise DlcheckError(f"cannot read it ({exc.strerror or exc}); pass the CSV file Canvas exported",
                           path=str(run.roster)) from None
    export = read_export(data, str(run.roster))
    return Prepared(export, find_column(export, run.column))


def render(files: list[FileResult], run: Run) -> None:
    """``--format canvas``: the export with the column filled on stdout, its notes on stderr."""
    filled = fill(run.prepared.export, run.prepared.column, scores(files), bom=run.excel)
    deliver(filled.data, filled.notes, run)
