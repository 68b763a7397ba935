"""Reading one record field by field, so that every bad field is reported and none stops the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from bot.directory.importers import fields
from bot.directory.importers.errors import Problems

T = TypeVar("T")
D = TypeVar("D")


class RecordReader:
    """Reads one record's fields, turning each `FieldError` into a rejection that names the field."""

    def __init__(self, problems: Problems, file: str, label: str) -> None:
        self.problems = problems
        self.file = file
        self.label = label
        self.failed = False

    @overload
    def read(self, path: str, parser: Callable[[Any], T | None], value: object) -> T | None: ...
    @overload
    def read(
        self, path: str, parser: Callable[[Any], T | None], value: object, default: D
    ) -> T | D | None: ...

    def read(self, path: str, parser: Callable[[Any], Any], value: object, default: Any = None) -> Any:
        """`parser(value)`, or `default` with the record rejected when the field is bad."""
        try:
            return parser(value)
        except fields.FieldError as error:
            self.reject(path, str(error))
            return default

    def reject(self, path: str, reason: str) -> None:
        self.failed = True
        self.problems.reject(self.file, self.label, path, reason)

    def warn(self, path: str, reason: str) -> None:
        self.problems.warn(self.file, self.label, path, reason)

    def web_address(self, path: str, value: object, max_length: int = 1024) -> str | None:
        """A page to link to: a dangerous scheme (`javascript:`) rejects the record; an address that is only
        malformed is left out with a warning, as it could never become a link."""
        try:
            return fields.web_address(max_length)(value)
        except fields.NotAWebAddress as error:
            self.warn(path, f"{error}; left out")
            return None
        except fields.FieldError as error:
            self.reject(path, str(error))
            return None

    def email(self, path: str, value: object) -> str | None:
        """Addresses are shown, never sent to, so a malformed one is dropped with a warning, not rejected."""
        address = self.read(path, fields.text_up_to(255), value)
        if address and not fields.looks_like_email(address):
            self.warn(path, f'"{address}" is not an e-mail address; left out')
            return None
        return address
