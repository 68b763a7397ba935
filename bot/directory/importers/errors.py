"""Problems found while reading a directory import, each saying what is wrong and exactly where.

A *rejection* stops the whole import (nothing is written); a *warning* means something was tolerated or
left out (an unsupported schedule, a malformed e-mail address) and the import goes ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem: the file, the record in it (service id, CSV line...), the field path and the reason."""

    file: str
    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.record, self.field, self.reason) if part)


@dataclass
class Problems:
    """Collects rejections and warnings as records are read, so that every one of them can be reported."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def reject(self, file: str, record: str, field_path: str, reason: str) -> None:
        self.errors.append(Problem(file, record, field_path, reason))

    def warn(self, file: str, record: str, field_path: str, reason: str) -> None:
        self.warnings.append(Problem(file, record, field_path, reason))

    def extend(self, other: Problems) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)


class ImportRejected(ValueError):
    """Raised when at least one record is rejected: the database has not been touched."""

    def __init__(self, errors: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.errors = list(errors)
        self.warnings = list(warnings or [])
        count = len(self.errors)
        lines = "\n".join(f"  {problem}" for problem in self.errors)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found, nothing was imported:\n{lines}")
