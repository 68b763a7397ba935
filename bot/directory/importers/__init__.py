"""Importing a service directory: HSDS 3.0 / Open Referral UK JSON, or the spreadsheet template.

Everything is read and checked before anything is written; one rejected record means nothing is written
and every problem is reported (file, record, field, reason). The write is one transaction, upserting by id,
so importing the same files twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.importers.collect import Collector
from bot.directory.importers.csv_template import read_csv_file
from bot.directory.importers.errors import ImportRejected, Problem, Problems
from bot.directory.importers.hsds import read_hsds_file
from bot.directory.importers.records import ParsedDirectory
from bot.directory.importers.report import ImportReport
from bot.directory.importers.writer import Progress, apply_plan, plan_changes
from bot.settings import get_settings

MEGABYTE = 1024 * 1024

__all__ = [
    "ImportRejected",
    "ImportReport",
    "Problem",
    "ValidationResult",
    "import_directory",
    "read_directory",
    "source_files",
    "validate_directory",
]


@dataclass
class ValidationResult:
    parsed: ParsedDirectory
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def source_files(path: Path) -> list[Path]:
    """The files an import reads: the file itself, or every `*.json` directly in a folder, by name.

    CSV templates are read only when named: a folder may hold an example spreadsheet beside its feed.
    """
    if path.is_dir():
        return sorted(candidate for candidate in path.glob("*.json") if candidate.is_file())
    return [path]


def size_limit_bytes(max_mb: float | None = None) -> int:
    """IMPORT_MAX_MB (or `max_mb`) in bytes."""
    return int((get_settings().import_max_mb if max_mb is None else max_mb) * MEGABYTE)


def too_big(path: Path, files: list[Path], limit: int) -> str | None:
    """Why the import is refused unread, or None: JSON takes about nine times its size in memory to parse
    (a 50 MB feed took 449 MB), so a size limit is checked before anything is opened."""
    total = sum(file.stat().st_size for file in files)
    if total <= limit:
        return None
    what = "is" if path.is_file() else f"holds {len(files)} files of"
    return (
        f"{what} {total / MEGABYTE:.1f} MB; imports are limited to {limit / MEGABYTE:g} MB (IMPORT_MAX_MB). "
        "Split the directory, or raise IMPORT_MAX_MB if the machine has the memory"
    )


def read_directory(
    path: Path | str, problems: Problems, progress: Progress | None = None, *, max_mb: float | None = None
) -> ParsedDirectory:
    """Reads and checks every record under `path`; problems are collected, nothing is raised."""
    path = Path(path)
    collector = Collector(problems)
    if not path.exists():
        problems.reject(str(path), "", "", "does not exist")
        return collector.finish()
    files = source_files(path)
    if not files:
        problems.reject(str(path), "", "", "holds no *.json files")
    refused = too_big(path, files, size_limit_bytes(max_mb))
    if refused:
        problems.reject(str(path), "", "", refused)
        return collector.finish()
    for done, file in enumerate(files):
        display = file.name
        if file.suffix.lower() == ".csv":
            read_csv_file(file, display, collector)
        else:
            read_hsds_file(file, display, collector)
        if progress:
            progress("Reading", done + 1, len(files))
    return collector.finish()


def validate_directory(
    path: Path | str, engine: Engine | None = None, *, full: bool = True, max_mb: float | None = None
) -> ValidationResult:
    """Checks an import without writing. With `engine`, also checks what needs the database (organisation
    references to organisations imported earlier)."""
    problems = Problems()
    parsed = read_directory(path, problems, max_mb=max_mb)
    if engine is not None:
        with Session(engine) as session:
            plan_changes(session, parsed, full=full, problems=problems)
    elif engine is None:
        for organisation_id, (file, record) in sorted(parsed.referenced_organisations.items()):
            problems.reject(
                file, record, "organization_id", f'"{organisation_id}" is not described in this import'
            )
    return ValidationResult(parsed=parsed, errors=problems.errors, warnings=problems.warnings)


def import_directory(
    engine: Engine,
    path: Path | str,
    *,
    dry_run: bool = False,
    full: bool = True,
    progress: Progress | None = None,
    max_mb: float | None = None,
) -> ImportReport:
    """Imports `path` into the database of `engine`, or with `dry_run` only says what would change.

    `full` (the default) marks active services that the import does not mention as inactive; a partial
    import (`full=False`) leaves them alone. Raises `ImportRejected` listing every problem when any record
    is rejected; the database is then exactly as before. Files larger together than `max_mb` (default
    IMPORT_MAX_MB) are refused before they are read.
    """
    problems = Problems()
    parsed = read_directory(path, problems, progress, max_mb=max_mb)
    with engine.connect() as connection, connection.begin() as transaction:
        session = Session(bind=connection, future=True)
        plan = plan_changes(session, parsed, full=full, problems=problems)
        session.close()
        if problems.errors:
            raise ImportRejected(problems.errors, problems.warnings)
        report = ImportReport.from_plan(plan, source=str(path), dry_run=dry_run, full=full)
        report.warnings = list(problems.warnings)
        if dry_run or report.changes == 0:
            transaction.rollback()
            return report
        apply_plan(connection, plan, progress)
        transaction.commit()
    return report
