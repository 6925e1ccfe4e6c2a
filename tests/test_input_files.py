"""Answers and problem files are checked before they are parsed (issue 12).

Only a regular file is opened, at most 1 MB is read, a raw control character is
reported at its line and column, and what an answers file never needs (anchors,
aliases, tags, merge keys, deep nesting, tens of thousands of keys, a list as a key) is
refused where it appears, before any of the work it asks for is done.
"""

from __future__ import annotations

import json
import os
import resource
import threading
from pathlib import Path

import pytest

from dlcheck.check.registry import parts_of, read_answers_file, read_spec_file
from dlcheck.cli import app
from dlcheck.core.errors import AnswerFileError, DlcheckError, ErrorList, SpecError
from dlcheck.core.visible import json_text, visible
from dlcheck.core.yamlio import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, located_from_text, read_text
from dlcheck.spec.answers import read_answers

ROOT = Path(__file__).resolve().parent.parent
TAIL = 'answers:\n  "backprop/q1":\n    "out_h1": "0.1234"\n'


def refused(path: Path) -> DlcheckError:
    """Read ``path`` as an answers file in a thread; it must be refused, and quickly (never hang)."""
    box: dict = {}

    def run() -> None:
        try:
            read_answers_file(path)
            box["read"] = True
        except DlcheckError as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), f"reading {path} did not end"
    assert "error" in box, f"{path} was read"
    return box["error"]


def messages(exc: DlcheckError) -> list[DlcheckError]:
    return list(exc.errors) if isinstance(exc, ErrorList) else [exc]


# -- what the path is --------------------------------------------------------------
def test_a_fifo_with_no_writer_is_refused_by_name_not_waited_on(tmp_path):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    assert "named pipe (FIFO), not a file" in refused(fifo).message


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_symlink_to_a_device_is_refused_by_what_it_points_to(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    link = tmp_path / "answers.yaml"
    link.symlink_to(device)
    assert "character device" in refused(link).message


def test_a_folder_and_a_symlink_loop(tmp_path):
    assert "this is a folder, not a file" in refused(tmp_path).message
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert "cannot read this file" in refused(loop).message


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text(TAIL)
    link = tmp_path / "answers.yaml"
    link.symlink_to(real)
    assert read_answers_file(link).problems["backprop/q1"]["out_h1"].text == "0.1234"


def test_the_size_cap_is_checked_before_reading(tmp_path):
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as fh:  # a sparse 10 GB file: reading it whole would take minutes
        fh.truncate(10 * 10**9)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = refused(huge).message
    assert "10000.0 MB" in message and "at most 1,000,000 bytes (1 MB" in message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # kB: nothing read
    just = tmp_path / "just.yaml"
    just.write_text(TAIL + "#" * (MAX_FILE_BYTES - len(TAIL)))
    assert read_answers_file(just).problems  # exactly the cap is fine
    over = tmp_path / "over.yaml"
    over.write_text(TAIL + "#" * (MAX_FILE_BYTES + 1 - len(TAIL)))
    assert "1,000,001 bytes; an answers file may be at most 1,000,000 bytes" in refused(over).message


# -- characters ----------------------------------------------------------------------
@pytest.mark.parametrize("char, name", [
    ("\x00", "NUL (U+0000)"), ("\x01", "SOH (U+0001)"), ("\x7f", "DEL (U+007F)"), ("\x1b", "ESC (U+001B)"),
    ("\x07", "BEL (U+0007)"), ("\x9b", "C1 control character U+009B"), ("\x85", "C1 control character U+0085"),
    ("\ufffe", "non-character U+FFFE"), ("\uffff", "non-character U+FFFF"), ("\u2028", "line separator (U+2028)"),
])
def test_a_raw_control_character_is_reported_at_its_line_and_column(tmp_path, char, name):
    path = tmp_path / "a.yaml"
    path.write_text(f'set: backprop\nanswers:\n  q1:\n    out_h1: "0.5{char}"\n', encoding="utf-8")
    errors = messages(refused(path))
    assert len(errors) == 1
    assert (errors[0].line, errors[0].column) == (4, 17)
    assert name in errors[0].message and "delete it" in errors[0].message


def test_every_raw_control_character_is_listed_up_to_ten(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("# \x1b[2J comment\nanswers:\x01\n" + "x: \x7f\n" * 14)
    errors = messages(refused(path))
    assert [(e.line, e.column) for e in errors[:3]] == [(1, 3), (2, 9), (3, 4)]
    assert len(errors) == 11 and errors[-1].message.startswith("and 6 more")


def test_a_lone_surrogate_written_raw_is_not_utf8_at_its_place(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b'answers:\n  backprop/q1:\n    out_h1: "0.1\xed\xa0\x80"\n')
    exc = refused(path)
    assert "not UTF-8" in exc.message and (exc.line, exc.column) == (3, 17)


def test_escaped_control_characters_are_the_students_text_and_bel_survives(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('answers:\n  backprop/q1:\n    out_h1: "\\e]0;PWNED\\a\\e[2J"\n    loss: "\\a\\a\\a"\n'
                    '    out_h2: "0.1\\ud800"\n    out_y1: >\n      one\n      two\n')
    parts = read_answers_file(path).problems["backprop/q1"]
    assert parts["out_h1"].text == "\x1b]0;PWNED\x07\x1b[2J"
    assert parts["loss"].text == "\a\a\a"            # not deleted: 50 BELs are an answer, not a blank
    assert parts["out_h2"].text == "0.1\ud800"
    assert parts["out_y1"].text == "one two\n"       # the fold marks ruamel adds are not text


# -- what YAML could do ------------------------------------------------------------------
def billion_laughs(under: str) -> str:
    lines = ['  - &a0 "lol"'] + [f"  - &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 10)]
    return f"set: backprop\n{under}:\n" + "\n".join(lines) + "\n" + TAIL


@pytest.mark.parametrize("under", ["student", "lols"])
def test_an_alias_bomb_is_refused_at_its_first_anchor_before_expanding(tmp_path, under):
    path = tmp_path / "a.yaml"
    path.write_text(billion_laughs(under))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    exc = refused(path)
    assert "anchors and aliases" in exc.message and "never needs them" in exc.message
    assert (exc.line, exc.column) == (3, 5)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000


@pytest.mark.parametrize("text, words", [
    ("answers: &x\n  backprop/q1: {out_h1: 1}\n", "anchors and aliases"),
    ("a: &r [*r]\nanswers: {}\n", "anchors and aliases"),
    ("answers:\n  q1: !!python/object/apply:os.system ['touch x']\n", "YAML tags"),
    ("student: !!str 1\nanswers: {}\n", "YAML tags"),
    ("%TAG !p! tag:yaml.org,2002:python/\n---\nanswers: !p!object {}\n", "YAML tags"),
    ("answers:\n  backprop/q1:\n    <<: {out_h1: 1}\n", "merge keys ('<<')"),
    ("<<: {answers: {}}\n", "merge keys ('<<')"),
    ("? [a, b]\n: 1\nanswers: {}\n", "a list or mapping used as a key"),
    ("answers:\n  ? {backprop/q1: 1}\n  : {out_h1: 1}\n", "a list or mapping used as a key"),
    ("answers: {}\nanswers: {}\n", "duplicate key 'answers'"),
    ("answers: {}\n---\nanswers: {}\n", "a second YAML document"),
])
def test_what_an_answers_file_never_needs_is_refused_with_a_reason(tmp_path, text, words):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    exc = refused(path)
    assert words in exc.message and exc.line is not None and exc.column is not None
    assert "Node(" not in exc.message and "tag:yaml.org" not in exc.message


@pytest.mark.parametrize("text", [
    "student: " + "[" * 5000 + "1" + "]" * 5000 + "\n" + TAIL,
    "student: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n" + TAIL,
    "student:\n  " + "- " * 5000 + "1\n" + TAIL,
    "student:\n" + "".join(" " * (k + 1) + "a:\n" for k in range(1000)) + " " * 1001 + "x\n" + TAIL,
])
def test_nesting_is_capped_where_it_crosses_the_limit(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(text)
    exc = refused(path)
    assert f"nested more than {MAX_DEPTH} levels deep" in exc.message and exc.line is not None


def test_keys_and_values_are_capped(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("junk:\n" + "".join(f"  k{i}: v\n" for i in range(20_000)) + TAIL)
    exc = refused(path)
    assert f"more than {MAX_NODES:,} keys and values" in exc.message
    # line L holds nodes 2L and 2L+1 (the root, 'junk' and its mapping come first): stopped at the limit
    assert exc.line == MAX_NODES // 2


def test_a_file_of_thousands_of_unknown_parts_reports_the_first_twenty(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('answers:\n  "backprop/q1":\n' + "".join(f"    p{i}: 1\n" for i in range(2000)))
    errors = messages(refused(path))
    assert len(errors) == 21 and errors[-1].message.startswith("and 1980 more errors")


def test_a_huge_key_is_quoted_short(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(f'answers:\n  "backprop/q1":\n    "{"x" * 50_000}": 1\n')
    assert len(refused(path).message) < 300


def test_ordinary_files_still_read_the_same():
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        answers = read_answers_file(path)
        assert answers.problems, path
    located = located_from_text("a: [1, 2]\nb: [[1, 2], [3, 4]]\nc: {w1: -1, W: [[1, 0]]}\nd: no\ne: 0.3610\nf:\n",
                                "x.yaml")
    assert located.data["a"].raw == "[1, 2]" and located.data["b"].raw == "[[1, 2], [3, 4]]"
    assert located.data["c"].raw == "{w1: -1, W: [[1, 0]]}" and located.data["c"]["W"].raw == "[[1, 0]]"
    assert located.data["d"] == "no" and located.data["e"] == "0.3610" and located.data["f"] is None
    assert located.where(("c", "W")) == (3, 16) and located.where(("key", "c", "W")) == (3, 13)


# -- problem files get the same treatment ---------------------------------------------
def spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q9.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SPEC = "title: t\nstatement: s\nparts:\n  a:\n    kind: number\n    prompt: p\n    answer: '1'\n"


def test_a_problem_file_gets_the_same_checks(tmp_path):
    from dlcheck.check.registry import part_models
    from dlcheck.spec.reader import read_spec

    assert read_spec(spec(tmp_path, SPEC), "x/q9", part_models()).problem.title == "t"
    for text, words in (("x: &a 1\n" + SPEC, "anchors and aliases"),
                        (SPEC.replace("title: t", "title: !!str t"), "YAML tags"),
                        (SPEC.replace("title: t", "title: t\x1b[2J"), "ESC (U+001B)"),
                        (SPEC.replace("title: t", 'title: "t\\e[2J"'), "control character U+001B"),
                        (SPEC.replace("prompt: p", 'prompt: "p\\u202e"'), "control character U+202E"),
                        (SPEC + "#" * MAX_FILE_BYTES, "a problem file may be at most 1,000,000 bytes")):
        with pytest.raises(SpecError) as caught:
            read_spec_file(spec(tmp_path, text), "x/q9")
        assert words in str(caught.value)


# -- what reaches the screen -------------------------------------------------------------
def test_errors_quote_the_line_made_visible_and_cut_around_the_place(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('answers:\n  "backprop/q1":\n    "\\e]0;PWNED\\a\\e[2J": 1\n')
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "no part '\\x1b]0;PWNED\\x07\\x1b[2J'" in result.output
    deep = tmp_path / "deep.yaml"
    deep.write_text("student: " + "[" * 5000 + "]" * 5000 + "\n" + TAIL)
    out = runner.invoke(app, ["grade", str(deep)]).output
    assert max(len(line) for line in out.splitlines()) < 240 and "^" in out


def test_json_errors_and_results_hold_no_raw_control_character(runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text('student: "\\x9b2J\\u202e\\x7f"\nanswers:\n  "backprop/q1":\n    "\\x9d0;x\\x9c": 1\n')
    result = runner.invoke(app, ["grade", str(path), "--format", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert "\x9d0;x\x9c" in doc["errors"][0]["message"]  # the data is whole ...
    assert not any(ch in result.stdout for ch in "\x9b\x9c\x9d\x7f\u202e")  # ... and nothing is raw
    path.write_text('student: "\\x9b2J\\u202e\\x7f\\ud800"\nanswers:\n  "backprop/q1":\n    out_h1: "\\x9b2J\\ud800"\n')
    result = runner.invoke(app, ["grade", str(path), "--format", "json"])
    doc = json.loads(result.stdout)
    assert doc["student"] == "\x9b2J\u202e\x7f\\ud800"   # a lone surrogate is its visible text (issue 18: jq)
    assert not any(ch in result.stdout for ch in "\x9b\x7f\u202e\ud800")


@pytest.mark.parametrize("text", ["\x1b[2J", "\x9b2J", "\x7f", "\u202e", "\u2066", "\ud800", "\U000e0031",
                                  "\x00", "\u2028", "\x85"])
def test_visible_and_json_text_leave_nothing_raw(text):
    shown = visible(f"a{text}b")
    assert text not in shown and shown.startswith("a") and shown.endswith("b")
    encoded = json_text({"x": f"a{text}b"})
    encoded.encode("utf-8")   # no lone surrogate, raw or escaped: every JSON reader takes it (jq refuses them)
    kept = "\\ud800" if text == "\ud800" else text
    assert text not in encoded and json.loads(encoded) == {"x": f"a{kept}b"}


def test_read_text_limit_is_a_parameter(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x" * 100)
    assert read_text(path, limit=100) == "x" * 100
    with pytest.raises(DlcheckError):
        read_text(path, limit=99)


def test_read_answers_of_text_validates_like_the_file(tmp_path):
    path = tmp_path / "a.yaml"
    with pytest.raises(AnswerFileError):
        read_answers(path, parts_of, text="answers: &a {}\n")


def test_libyaml_and_the_pure_parser_read_every_file_alike(monkeypatch):
    """The fast parser (libyaml, when installed) gives the same data as the pure one on the examples,
    the bank and blank answers; the pure one is the fallback that explains a broken file."""
    from dlcheck.core import yamlio

    root = Path(__file__).resolve().parent.parent
    paths = sorted((root / "examples").glob("*.yaml")) + sorted((root / "problems").rglob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    texts.append("set: backprop\nanswers:\n  q1:\n    out_h1:\n    out_h2: ~\n    loss: ''\n    w1_new: >\n      0.1\n")
    fast = [located_from_text(t, "f.yaml").data for t in texts]
    real = yamlio._yaml
    monkeypatch.setattr(yamlio, "_yaml", lambda pure: real(pure=True))
    assert [located_from_text(t, "f.yaml").data for t in texts] == fast
    with pytest.raises(DlcheckError) as broken:
        located_from_text("answers:\n  q1:\n    out_h1: [0.5, 0.6\n", "b.yaml")
    assert broken.value.line is not None and "invalid YAML" in str(broken.value)
