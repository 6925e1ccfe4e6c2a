"""The errors dlcheck reports to a person: one line each, with a place when it has one."""

from __future__ import annotations


class DlcheckError(Exception):
    """An error meant for the user: printed as one line, exit code 2."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

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


class ParseError(ValueError):
    """Typed text is not a valid answer; ``column`` is 1-based within the text when known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message if self.column is None else f"{self.message} (at character {self.column})"
