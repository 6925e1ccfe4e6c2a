"""JUnit XML (``grade --format junit``): a test suite per file, a test case per part, for CI.

Right and carried parts pass; incorrect, partial and invalid ones are failures (the
message is the diagnosis, the text the answer and the expected one); an undecided part
is an error (dlcheck could not decide); missing parts and essays are skipped. A file
that cannot be read is a suite with one error. Every text is made visible first: XML
1.0 cannot hold control characters even escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dlcheck.core.verdict import Status, Verdict
from dlcheck.core.visible import visible
from dlcheck.grade.batch import FileResult
from dlcheck.report.errors import error_text
from dlcheck.report.formats import Run
from dlcheck.report.terminal import news

_FAILURE = (Status.INCORRECT, Status.PARTIAL, Status.INVALID)
_SKIPPED = (Status.MISSING, Status.MANUAL)


def _text(text: str) -> str:
    return visible(text, newlines=True)


def _case(suite: ET.Element, problem_id: str, v: Verdict) -> str:
    case = ET.SubElement(suite, "testcase", classname=_text(problem_id), name=_text(v.part), time="0")
    message = _text(news(v) or v.status.word)
    body = f"your answer: {_text(v.answer)}" + (f"\nexpected: {_text(v.expected)}" if v.expected else "") + \
        f"\nscore: {v.score:g} / {v.max_score:g}"
    if v.status in _FAILURE:
        ET.SubElement(case, "failure", message=message, type=v.status.value).text = body
        return "failures"
    if v.status is Status.UNDECIDED:
        ET.SubElement(case, "error", message=message, type=v.status.value).text = body
        return "errors"
    if v.status in _SKIPPED:
        ET.SubElement(case, "skipped", message=message)
        return "skipped"
    return "passed"


def to_junit(files: list[FileResult]) -> str:
    root = ET.Element("testsuites", name="dlcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for f in files:
        suite = ET.SubElement(root, "testsuite", name=_text(f.path))
        tally = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if f.student:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="student", value=_text(f.student))
        if f.error is not None:
            case = ET.SubElement(suite, "testcase", classname=_text(f.path), name="read answers file", time="0")
            ET.SubElement(case, "error", message=_text(str(f.error).splitlines()[0]),
                          type="unreadable").text = _text(error_text(f.error))
            tally["tests"], tally["errors"] = 1, 1
        for r in f.results:
            for v in r.verdicts:
                outcome = _case(suite, r.id, v)
                tally["tests"] += 1
                if outcome in tally:
                    tally[outcome] += 1
        for key, value in tally.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(files: list[FileResult], run: Run) -> list[str]:
    return [to_junit(files)]
