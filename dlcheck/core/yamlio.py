"""YAML in, keeping what a person typed and where, and refusing what an answers file never needs.

Specs and answers files are read from ruamel.yaml's event stream, not its constructor
or composer: every scalar stays the exact text in the file (``no`` stays "no",
``0.3610`` keeps its zero) and every value keeps its line and column for error
messages. Building the data from events is one pass with no recursion, so it can stop
at the first thing that is wrong, before doing the work that thing asks for.

Both kinds of file are input a person (or a script) wrote, so before anything is built:

- only a regular file is opened (a folder, a FIFO, a device such as ``/dev/zero``, or a
  socket is refused by name, and a symlink is judged by what it points to -- except in a
  process that reads submissions, :func:`links_refused`, where a symlink is refused and
  never followed, not even one swapped in after a check), and at most
  :data:`MAX_FILE_BYTES` are read;
- a control character written raw into the file (NUL, ESC, DEL, a C1 control, U+FFFE,
  a line separator) is reported with its line and column;
- anchors and aliases (``&a`` / ``*a``: the "billion laughs"), tags (``!!python/…``) and
  merge keys (``<<``) are refused where they appear: no answers file or problem needs them;
- nesting deeper than :data:`MAX_DEPTH` and more than :data:`MAX_NODES` keys and values
  are refused where the limit is crossed; a key that is a list or mapping is refused;
- duplicate keys and a second document are errors.

Saving (``solve``) goes through :mod:`dlcheck.core.safefile`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlcheck.core.errors import DlcheckError, raise_all
from dlcheck.core.visible import visible

Pos = tuple[int, int]  # 1-based line and column

MAX_FILE_BYTES = 1_000_000   # an answers file is a few kB; the bank's largest problem is 7 kB
MAX_DEPTH = 20               # answers -> problem -> part -> field -> matrix rows: 6 levels at most
MAX_NODES = 5_000            # keys and values; a whole set's answers is about 600, a problem 500
MAX_REPORTED = 10            # control characters listed before "and N more"


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


# -- the file ------------------------------------------------------------------------
def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 10_000_000 else f"{n:,} bytes"


def _not_a_file(mode: int) -> str | None:
    """What a path is when it is not a regular file, as a person would say it."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device (such as /dev/zero or a terminal)"
    if stat.S_ISBLK(mode):
        return "a block device (a disk)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


_LINKS = {"follow": True}


@contextlib.contextmanager
def links_refused(refuse: bool = True) -> Iterator[None]:
    """While the block runs (in this process and the ones it forks) a symlink is never read: the files
    are a class's submissions, and a link in one could point at any file the grader may read."""
    before = _LINKS["follow"]
    _LINKS["follow"] = before and not refuse
    try:
        yield
    finally:
        _LINKS["follow"] = before


def follows_links() -> bool:
    return _LINKS["follow"]


LINK_REFUSED = "this is a symbolic link, so it was not read; submit the file itself"


def open_flags() -> int:
    """The flags to open a file a person gave: never through a link when links are refused."""
    return 0 if _LINKS["follow"] else getattr(os, "O_NOFOLLOW", 0)


def read_text(path: str | Path, error_cls: type[DlcheckError] = DlcheckError, what: str = "a YAML file",
              limit: int = MAX_FILE_BYTES) -> str:
    """A file's text as UTF-8: only a regular file, at most ``limit`` bytes; anything else is one clear error."""
    path = Path(path)
    where = str(path)
    try:
        info = os.stat(path) if _LINKS["follow"] else os.lstat(path)  # /dev/zero behind a link is a device
        if stat.S_ISLNK(info.st_mode):
            raise error_cls(LINK_REFUSED, path=where)
    except FileNotFoundError:
        raise error_cls("no such file; check the name and the folder you are in", path=where) from None
    except PermissionError:
        raise error_cls("cannot read this file: permission denied", path=where) from None
    except OSError as exc:  # a symlink loop, a name too long, a file under a file
        raise error_cls(f"cannot read this file: {exc.strerror or exc}", path=where) from None
    kind = _not_a_file(info.st_mode)
    if kind == "a folder":
        raise error_cls(f"this is a folder, not a file; give {what} inside it", path=where)
    if kind:
        raise error_cls(f"this is {kind}, not a file; give {what}", path=where)
    if info.st_size > limit:
        raise error_cls(f"this file is {_size(info.st_size)}; {what} may be at most {_size(limit)} "
                        f"({limit / 1e6:g} MB; is it the right file?)", path=where)
    raw = _read_regular(path, error_cls, what, limit)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(raw):  # NUL bytes that are text
        raise error_cls("this file is saved as UTF-16; save it as UTF-8 (in most editors: Save As, "
                        "encoding UTF-8)", path=where)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in raw:  # NUL bytes and no UTF-8: an image, an archive, a program
            raise error_cls(f"this is not a text file (it holds binary data); give {what}", path=where) from None
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw[:exc.start].count(b"\n") + 1
        column = len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1
        raise error_cls(f"this file is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8",
                        path=where, line=line, column=column) from None


def _read_regular(path: Path, error_cls: type[DlcheckError], what: str, limit: int) -> bytes:
    """Open without blocking (a FIFO swapped in after the check must not hang), check again, read the cap."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | \
        open_flags()
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise error_cls("cannot read this file: permission denied", path=str(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not _LINKS["follow"]:  # a link swapped in after the check
            raise error_cls(LINK_REFUSED, path=str(path)) from None
        raise error_cls(f"cannot read this file: {exc.strerror or exc}", path=str(path)) from None
    with os.fdopen(fd, "rb") as fh:
        kind = _not_a_file(os.fstat(fd).st_mode)
        if kind:
            raise error_cls(f"this is {kind}, not a file; give {what}", path=str(path))
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise error_cls(f"this file is over {_size(limit)} ({limit / 1e6:g} MB), the most {what} may be "
                        "(is it the right file?)", path=str(path))
    return raw


def _utf16_without_bom(raw: bytes) -> bool:
    head = raw[:16]
    return len(head) >= 4 and (not any(head[1::2]) or not any(head[0::2])) and any(head)


# -- characters ------------------------------------------------------------------------
# what YAML allows raw (c-printable), less the C1 controls (NEL included) and the line separators
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_C0 = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
       "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"]


def _char_name(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return f"the control character {_C0[code]} (U+{code:04X})"
    if code == 0x7F:
        return "the control character DEL (U+007F)"
    if 0x80 <= code <= 0x9F:
        return f"the C1 control character U+{code:04X}"
    if code in (0x2028, 0x2029):
        return f"a Unicode {'line' if code == 0x2028 else 'paragraph'} separator (U+{code:04X})"
    if 0xD800 <= code <= 0xDFFF:
        return f"half of a character (a lone surrogate, U+{code:04X})"
    return f"the non-character U+{code:04X}"


def check_characters(text: str, path: str, error_cls: type[DlcheckError] = DlcheckError,
                     what: str = "a YAML file") -> None:
    """Every control character written raw into the file, with its line and column."""
    errors: list[DlcheckError] = []
    more = 0
    for match in _FORBIDDEN.finditer(text):
        if len(errors) == MAX_REPORTED:
            more += 1
            continue
        at = match.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        errors.append(error_cls(f"{_char_name(match.group())} cannot be in {what}; delete it (it often comes "
                                "from copying out of a terminal, a PDF or a word processor)",
                                path=path, line=line, column=column))
    if more:
        errors.append(error_cls(f"and {more} more such character{'s' if more > 1 else ''} after these",
                                path=path))
    raise_all(errors)


# -- YAML --------------------------------------------------------------------------------
def _yaml_problem(exc: Any) -> tuple[str, Any]:
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


def read_located(path: str | Path, error_cls: type[DlcheckError] = DlcheckError,
                 what: str = "a YAML file") -> Located:
    """Read a YAML file into raw-text data with positions; anything wrong is a located error."""
    return located_from_text(read_text(path, error_cls, what), str(path), error_cls, what)


def _yaml(pure: bool) -> Any:
    """ruamel.yaml's safe parser: libyaml's unless ``pure`` (its errors say more)."""
    from ruamel.yaml import YAML  # lazy: a process that reads no YAML (compare) never loads the parser

    return YAML(typ="safe", pure=pure)


def located_from_text(text: str, path: str, error_cls: type[DlcheckError] = DlcheckError,
                      what: str = "a YAML file") -> Located:
    """YAML text into raw-text data with positions, within the limits above."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError  # lazy: see _yaml

    check_characters(text, path, error_cls, what)
    builder = _Builder(text, path, error_cls, what)
    try:  # libyaml (ruamel.yaml.clib) when it is installed: ten times faster on a class of files
        for event in _yaml(pure=False).parse(text):
            builder.feed(event)
        return Located(builder.result, builder.positions, path)
    except DlcheckError:
        raise
    except Exception:  # noqa: BLE001 - any failure of the fast parser: the pure one says what is wrong, and where
        builder = _Builder(text, path, error_cls, what)
    try:
        for event in _yaml(pure=True).parse(text):
            builder.feed(event)
    except MarkedYAMLError as exc:
        message, mark = _yaml_problem(exc)
        raise error_cls(f"invalid YAML: {visible(message, newlines=False)}", path=path,
                        line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    except YAMLError as exc:  # a reader error has no mark; the character check makes it rare
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise error_cls(f"invalid YAML: {visible(first, newlines=False)}", path=path) from None
    return Located(builder.result, builder.positions, path)


class _Frame:
    """A mapping or sequence being built: where it is, what it holds so far."""

    def __init__(self, event: Any, loc: tuple, is_map: bool) -> None:
        self.event = event
        self.loc = loc
        self.is_map = is_map
        self.value: Any = {} if self.is_map else []
        self.key: str | None = None          # a mapping's key waiting for its value
        self.flat = True                     # a flow list of scalars and lists: kept as typed text

    def child_loc(self) -> tuple:
        return self.loc + ((self.key,) if self.is_map else (len(self.value),))


class _Builder:
    """Plain data from YAML events, refusing what an answers file never needs as soon as it appears."""

    def __init__(self, text: str, path: str, error_cls: type[DlcheckError], what: str) -> None:
        from ruamel.yaml import events  # lazy: loaded with the parser (see located_from_text)

        self.events = events
        self.text, self.path, self.error_cls, self.what = text, path, error_cls, what
        self.positions: dict[tuple, Pos] = {}
        self.stack: list[_Frame] = []
        self.result: Any = None
        self.documents = 0
        self.nodes = 0

    def error(self, event: Any, message: str) -> DlcheckError:
        mark = event.start_mark
        return self.error_cls(message, path=self.path, line=mark.line + 1, column=mark.column + 1)

    def feed(self, event: Any) -> None:
        if isinstance(event, self.events.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.error(event, f"a second YAML document starts here; {self.what} is one document, so "
                                        "remove this '---' or everything from here on")
            return
        if isinstance(event, (self.events.MappingEndEvent, self.events.SequenceEndEvent)):
            frame = self.stack.pop()
            value = frame.value
            raw = self.text[frame.event.start_mark.index:event.end_mark.index]
            if frame.is_map and frame.event.flow_style:
                value = FlowMap(value, raw)
            elif not frame.is_map and frame.event.flow_style and frame.flat:
                value = FlowList(value, raw)
            self.place(value, frame.event)
            return
        if not isinstance(event, self.events.NodeEvent):
            return  # the stream's start and end, a document's end
        if isinstance(event, self.events.AliasEvent) or event.anchor is not None:
            raise self.error(event, f"anchors and aliases ('&name', '*name') are not allowed in {self.what}; "
                                    "it never needs them, so write each value out in full")
        if getattr(event, "tag", None) is not None:
            raise self.error(event, f"YAML tags ('!!str', '!!python/…', '!name') are not allowed in {self.what}; "
                                    "it holds plain text, so remove the tag")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(event, f"more than {MAX_NODES:,} keys and values, far more than {self.what} holds; "
                                    "is this the right file?")
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.is_map and parent.key is None:
            self.key(parent, event)
            return
        loc = parent.child_loc() if parent is not None else ()
        self.positions[loc] = (event.start_mark.line + 1, event.start_mark.column + 1)
        if isinstance(event, self.events.ScalarEvent):
            self.place(self.scalar(event), event)
            return
        if len(self.stack) >= MAX_DEPTH:
            raise self.error(event, f"nested more than {MAX_DEPTH} levels deep, far deeper than {self.what} "
                                    "needs; remove the extra brackets or indentation")
        self.stack.append(_Frame(event, loc, isinstance(event, self.events.MappingStartEvent)))

    @staticmethod
    def scalar(event: Any) -> str | None:
        if not event.style and event.value in ("", "~", "null", "Null", "NULL"):  # plain: None, or '' from libyaml
            return None
        # ruamel marks the folds of a '>' scalar with BEL; only there is a BEL not the text's own
        return event.value.replace("\a", "") if event.style == ">" else event.value

    def key(self, frame: _Frame, event: Any) -> None:
        if not isinstance(event, self.events.ScalarEvent):
            raise self.error(event, "a list or mapping used as a key; a key must be a plain name "
                                    "(such as q1 or out_h1)")
        if not event.style and event.value == "<<":
            raise self.error(event, f"merge keys ('<<') are not allowed in {self.what}; write the keys out in full")
        key = event.value
        if key in frame.value:
            raise self.error(event, f"duplicate key '{key}'; each key may appear once, remove or rename one")
        frame.key = key
        self.positions[("key",) + frame.loc + (key,)] = (event.start_mark.line + 1, event.start_mark.column + 1)

    def place(self, value: Any, event: Any) -> None:
        if not self.stack:
            self.result = value
            return
        parent = self.stack[-1]
        if parent.is_map:
            parent.value[parent.key] = value
            parent.key = None
        else:
            parent.value.append(value)
            if isinstance(event, self.events.MappingStartEvent):
                parent.flat = False


class FlowList(list):
    """A list written inline (``[1, 2]``), remembering the text as typed."""

    def __init__(self, items: list, raw: str) -> None:
        super().__init__(items)
        self.raw = raw


class FlowMap(dict):
    """A mapping written inline (``{w1: -1}``), remembering the text as typed."""

    def __init__(self, items: dict, raw: str) -> None:
        super().__init__(items)
        self.raw = raw


def raw_text(value: Any) -> str:
    """The text a person typed for a value (a scalar's text, an inline list or mapping as written)."""
    if isinstance(value, (FlowList, FlowMap)):
        return value.raw
    if isinstance(value, list):
        return "[" + ", ".join(raw_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {raw_text(v)}" for k, v in value.items()) + "}"
    return "" if value is None else str(value)
