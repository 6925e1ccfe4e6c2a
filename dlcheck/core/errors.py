"""The errors dlcheck raises, each a noun a reader can act on.

``DlcheckError`` and its subclasses are meant for a person: one line, with
``file:line:col`` when there is a place. ``ParseError`` is what the safe parser says
about typed text; the checkers turn it into an ``invalid`` verdict. ``Undefined`` and
``UnknownSymbol`` come from numeric evaluation and are never shown as they are.
"""

from __future__ import annotations

from typing import Any


class DlcheckError(Exception):
    """An error meant for the user: printed as one line, exit code 2."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:  # errors cross the time-bounded child's pipe by pickle
        return (_rebuild, (type(self), (self.message,), self.__dict__))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message


class SpecError(DlcheckError):
    """A problem file is malformed (the author's mistake, not the student's)."""


class AnswerFileError(DlcheckError):
    """An answers file cannot be read (bad YAML, unknown problem or part)."""


class ErrorList(DlcheckError):
    """Several errors found in one file, reported together so one run shows them all."""

    def __init__(self, errors: list[DlcheckError]) -> None:
        first = errors[0]
        super().__init__(f"{len(errors)} errors", path=first.path, line=first.line, column=first.column)
        self.errors = list(errors)

    def __reduce__(self) -> tuple[type[ErrorList], tuple[list[DlcheckError]]]:
        return (ErrorList, (self.errors,))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def raise_all(errors: list[DlcheckError]) -> None:
    """Raise the one error, or all of them together; nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorList(errors)


AT = " (at character "  # how a ParseError's column reads in words (a verdict keeps it as data: Verdict.column)


class ParseError(ValueError):
    """Typed text is not a valid answer; ``column`` is 1-based within the text when known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message if self.column is None else f"{self.message}{AT}{self.column})"


class UnknownName(ParseError):
    """A name the parser was not given: ``kind`` is "symbol" or "function"."""

    def __init__(self, message: str, name: str, kind: str = "symbol", column: int | None = None) -> None:
        super().__init__(message, column)
        self.name = name
        self.kind = kind

    def __reduce__(self) -> tuple[type[UnknownName], tuple[str, str, str, int | None]]:
        return (type(self), (self.message, self.name, self.kind, self.column))


class Undefined(ArithmeticError):
    """A formula has no real value at a point (log of a negative, overflow, 0/0)."""


class UnknownSymbol(LookupError):
    """Numeric evaluation met a symbol with no value: a free leaf, or a bug."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no value for symbol '{name}'")
        self.name = name

    def __reduce__(self) -> tuple[type[UnknownSymbol], tuple[str]]:
        return (type(self), (self.name,))


def _rebuild(cls: type, args: tuple, state: dict) -> Exception:
    exc = cls(*args)
    exc.__dict__.update(state)
    return exc
