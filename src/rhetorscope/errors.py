"""User-facing errors: one line that says what is wrong and what to do."""

from __future__ import annotations


class RhetorscopeError(Exception):
    """An error caused by the input or the environment, not by a bug.

    The CLI prints `message — hint` on one line and exits with code 2; the web
    app turns it into a 4xx answer. Anything else is a bug and may traceback.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(RhetorscopeError):
    """The input cannot be read or understood."""
