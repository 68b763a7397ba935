"""What an import did (or, in a dry run, would do), in counts and service names."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.directory.importers.errors import Problem
from bot.directory.importers.writer import ChangePlan, ServiceChange


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    full: bool
    files: list[str] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    organisations_updated: list[str] = field(default_factory=list)
    organisations_unchanged: int = 0
    created: list[ServiceChange] = field(default_factory=list)
    updated: list[ServiceChange] = field(default_factory=list)
    deactivated: list[ServiceChange] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def from_plan(cls, plan: ChangePlan, *, source: str, dry_run: bool, full: bool) -> ImportReport:
        return cls(
            source=source,
            dry_run=dry_run,
            full=full,
            files=list(plan.parsed.files),
            organisations_created=[record.name for record in plan.organisations_created],
            organisations_updated=[record.name for record in plan.organisations_updated],
            organisations_unchanged=plan.organisations_unchanged,
            created=[ServiceChange(record.id, record.name) for record in plan.created],
            updated=[ServiceChange(record.id, record.name, changed) for record, changed in plan.updated],
            deactivated=[ServiceChange(record.id, record.name) for record in plan.deactivated],
            unchanged=plan.unchanged,
        )

    @property
    def changes(self) -> int:
        """How many records were (or would be) written: 0 means the database already matches the import."""
        return (
            len(self.organisations_created)
            + len(self.organisations_updated)
            + len(self.created)
            + len(self.updated)
            + len(self.deactivated)
        )

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "deactivated": len(self.deactivated),
            "unchanged": self.unchanged,
            "organisations_created": len(self.organisations_created),
            "organisations_updated": len(self.organisations_updated),
            "organisations_unchanged": self.organisations_unchanged,
        }

    def lines(self) -> list[str]:
        """A readable account: the counts, then the name of every service that changes."""
        verb = "Would change" if self.dry_run else "Changed"
        lines = [
            f"{'Dry run: ' if self.dry_run else ''}{self.source} ({len(self.files)} file(s), "
            f"{'full' if self.full else 'partial'} import)",
            f"Services: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deactivated)} deactivated, {self.unchanged} unchanged",
            f"Organisations: {len(self.organisations_created)} created, "
            f"{len(self.organisations_updated)} updated, {self.organisations_unchanged} unchanged",
        ]
        for title, changes in (
            ("created", self.created),
            ("updated", self.updated),
            ("deactivated", self.deactivated),
        ):
            for change in changes:
                detail = f" ({', '.join(change.fields)})" if change.fields else ""
                lines.append(f"  {title}: {change.name} [{change.id}]{detail}")
        if self.changes == 0:
            lines.append("Nothing to change: the directory already matches the import.")
        else:
            lines.append(f"{verb} {self.changes} record(s).")
        return lines
