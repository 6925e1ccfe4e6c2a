"""YAML in and out, keeping what a person typed and where.

Specs and answers files are read with ruamel.yaml's composer, not its constructor:
every scalar stays the exact text in the file (``no`` stays "no", ``0.3610`` keeps its
zero) and every value keeps its line and column for error messages. Duplicate keys are
an error. Saving goes through ruamel's round-trip mode so comments and order survive,
and through a temporary file and a rename so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from dlcheck.core.errors import DlcheckError

Pos = tuple[int, int]  # 1-based line and column


@dataclass
class Located:
    """Plain data (dict / list / str / None) plus the position of every path in it."""

    data: Any
    positions: dict[tuple, Pos]
    path: str

    def where(self, loc: tuple) -> Pos | None:
        """Position of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while True:
            if loc in self.positions:
                return self.positions[loc]
            if not loc:
                return None
            loc = loc[:-1]

    def error(self, loc: tuple, message: str, cls: type[DlcheckError] = DlcheckError) -> DlcheckError:
        pos = self.where(loc)
        line, col = pos if pos else (None, None)
        return cls(message, path=self.path, line=line, column=col)


def read_text(path: str | Path, error_cls: type[DlcheckError] = DlcheckError, what: str = "a YAML file") -> str:
    """A file's text as UTF-8; a folder, another encoding or binary data is one clear error."""
    path = Path(path)
    if path.is_dir():
        raise error_cls(f"this is a folder, not a file; give {what} inside it", path=str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error_cls("no such file; check the name and the folder you are in", path=str(path)) from None
    except PermissionError:
        raise error_cls("cannot read this file: permission denied", path=str(path)) from None
    except OSError as exc:
        raise error_cls(f"cannot read this file: {exc.strerror or exc}", path=str(path)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(raw):
        raise error_cls("this file is saved as UTF-16; save it as UTF-8 (in most editors: Save As, "
                        "encoding UTF-8)", path=str(path))
    if b"\x00" in raw:
        raise error_cls(f"this is not a text file (it holds binary data); give {what}", path=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error_cls(f"this file is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8",
                        path=str(path), line=line) from None


def _utf16_without_bom(raw: bytes) -> bool:
    head = raw[:16]
    return len(head) >= 4 and (not any(head[1::2]) or not any(head[0::2])) and any(head)


def _yaml_problem(exc: MarkedYAMLError) -> tuple[str, Any]:
    """What a YAML syntax error means for a person, and the mark to point at."""
    context, problem = exc.context or "", exc.problem or ""
    if "flow sequence" in context:
        return "this '[' is never closed; close it with ']', or quote the whole value", exc.context_mark
    if "flow mapping" in context:
        return "this '{' is never closed; close it with '}', or quote the whole value", exc.context_mark
    if "quoted scalar" in context:
        return "this quote is never closed; end the text with the same quote", exc.context_mark
    if "\\t" in problem:
        return "a tab character; YAML indents with spaces only, so replace it with spaces", exc.problem_mark
    if "mapping values are not allowed" in problem:
        return ("a ':' where a value was expected; put the value in quotes (a: \"x: y\"), "
                "or end the key on the line above with ':'", exc.problem_mark)
    if "could not find expected ':'" in problem:
        return "a key needs a ':' after it (key: value)", exc.problem_mark
    if "block end" in problem and "block mapping start" in problem:
        return "this line's indentation does not match the lines above; line it up with its siblings", \
            exc.problem_mark
    if "block end" in problem:
        return "unexpected text after a value; quote the whole value, or start a new line", exc.problem_mark
    return (f"{problem or context or 'syntax error'}; fix the syntax there "
            "(indentation, a missing ':' or quote)", exc.problem_mark or exc.context_mark)


def read_located(path: str | Path, error_cls: type[DlcheckError] = DlcheckError) -> Located:
    """Read a YAML file into raw-text data with positions; bad YAML is a located error."""
    path = Path(path)
    text = read_text(path, error_cls)
    try:
        node = YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        message, mark = _yaml_problem(exc)
        raise error_cls(f"invalid YAML: {message}", path=str(path), line=mark.line + 1 if mark else None,
                        column=mark.column + 1 if mark else None) from None
    positions: dict[tuple, Pos] = {}
    data = _convert(node, (), positions, text, str(path), error_cls) if node is not None else None
    return Located(data, positions, str(path))


def _convert(node: Any, loc: tuple, positions: dict, text: str, path: str, error_cls) -> Any:
    positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        plain_null = node.style is None and node.value in ("", "~", "null", "Null", "NULL")
        if node.tag == "tag:yaml.org,2002:null" or plain_null:
            return None
        return node.value.replace("\a", "")  # ruamel marks folds of ">" scalars with \a
    if isinstance(node, SequenceNode):
        if node.flow_style and all(isinstance(v, (ScalarNode, SequenceNode)) for v in node.value):
            # a flow list such as [1, 2] or [[1,2],[3,4]] is also kept as the typed text
            raw = text[node.start_mark.index:node.end_mark.index]
            items = [_convert(v, loc + (i,), positions, text, path, error_cls) for i, v in enumerate(node.value)]
            return FlowList(items, raw)
        return [_convert(v, loc + (i,), positions, text, path, error_cls) for i, v in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in out:
                raise error_cls(f"duplicate key '{key}'; each key may appear once, remove or rename one",
                                path=path, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1)
            positions[loc + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[key] = _convert(value_node, loc + (key,), positions, text, path, error_cls)
            positions[("key",) + loc + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    return None


class FlowList(list):
    """A list written inline (``[1, 2]``), remembering the text as typed."""

    def __init__(self, items: list, raw: str) -> None:
        super().__init__(items)
        self.raw = raw


def raw_text(value: Any) -> str:
    """The text a person typed for a value (a scalar's text, an inline list as written)."""
    if isinstance(value, FlowList):
        return value.raw
    if isinstance(value, list):
        return "[" + ", ".join(raw_text(v) for v in value) + "]"
    return "" if value is None else str(value)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write through a temporary file in the same folder, fsync, then rename over."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
