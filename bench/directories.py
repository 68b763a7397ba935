"""The directories the benchmarks route against, as `DirectoryEntry` lists.

* the demo directory: the HSDS files in `data/directory/`, read straight from JSON (the same fields the
  importer stores: id, names, description, status, LGSL codes, resident phrases, organisation);
* the LGSL-only directory: one service per LGSL code, named by the LGSL label and described by the LGSL
  description, with no phrases: what a council that has only tagged its services would have;
* the demo directory partly untagged: the LGSL codes of a fixed random share of its services removed, as
  in a council feed where some services were never tagged (scored against the codes they really carry).
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

from bot import PROJECT_ROOT
from bot.directory.national import with_national_bodies
from bot.directory.snapshot import DirectoryEntry
from bot.routing.code_guess import lgsl_reference_entries

DEMO_DIRECTORY = PROJECT_ROOT / "data" / "directory"


def _services(document: object) -> list[dict]:
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        return [item for item in document["contents"] if isinstance(item, dict)]
    if isinstance(document, list):
        return [item for item in document if isinstance(item, dict)]
    return [document] if isinstance(document, dict) else []


def _terms(record: dict) -> list[dict]:
    return [a.get("taxonomy_term") or {} for a in record.get("attributes") or [] if isinstance(a, dict)]


def _entry(service: dict, organisations: dict[str, dict]) -> DirectoryEntry:
    organisation_id = service.get("organization_id") or ""
    organisation = service.get("organization") or organisations.get(organisation_id) or {}
    codes, phrases = set(), []
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        taxonomy = (term.get("taxonomy") or "").lower()
        if taxonomy == "esdservicetypes" and str(term.get("code") or "").isdigit():
            codes.add(int(term["code"]))
        elif taxonomy == "heretohelpresidentphrase" and attribute.get("value"):
            phrases.append(str(attribute["value"]))
    kinds = [t.get("code") for t in _terms(organisation) if t.get("taxonomy") == "hereToHelpOrganisationKind"]
    kind = kinds[0] if kinds else ""
    return DirectoryEntry(
        service_id=str(service["id"]),
        name=service.get("name") or "",
        alternate_name=service.get("alternate_name") or "",
        description=service.get("description") or "",
        phrases=tuple(phrases),
        lgsl_codes=tuple(sorted(codes)),
        organisation_id=str(organisation.get("id") or service.get("organization_id") or ""),
        organisation_name=organisation.get("name") or "",
        organisation_kind=kind or "",
        active=(service.get("status") or "active") == "active",
    )


def demo_directory_entries(folder: Path = DEMO_DIRECTORY, *, national: bool = True) -> list[DirectoryEntry]:
    """Active services of every `*.json` HSDS file in `folder`, ordered by id, then (as training adds them)
    the national signposting catalogue's bodies."""
    services = []
    for path in sorted(folder.glob("*.json")):
        services.extend(_services(json.loads(path.read_text(encoding="utf-8"))))
    organisations = {
        str(s["organization"]["id"]): s["organization"]
        for s in services
        if isinstance(s.get("organization"), dict) and s["organization"].get("id")
    }
    entries = [_entry(service, organisations) for service in services if service.get("id")]
    council = sorted((e for e in entries if e.active), key=lambda e: e.service_id)
    return with_national_bodies(council) if national else council


def lgsl_only_entries() -> list[DirectoryEntry]:
    """One service per LGSL code (name = LGSL label, description = LGSL description, no phrases), and the
    national signposting catalogue's bodies."""
    return with_national_bodies(lgsl_reference_entries())


UNTAGGED_SHARE, UNTAGGED_SEED = 0.3, 7


def partly_untagged_entries(
    share: float = UNTAGGED_SHARE, seed: int = UNTAGGED_SEED
) -> tuple[list[DirectoryEntry], dict[str, tuple[int, ...]]]:
    """The demo directory with the codes of `share` of its services removed (the same ones for a seed),
    and every service's real codes, to score a route to an untagged service by what it really handles."""
    entries = demo_directory_entries()
    tagged = [entry.service_id for entry in entries if entry.lgsl_codes]
    removed = set(random.Random(seed).sample(tagged, round(share * len(tagged))))
    stripped = [dataclasses.replace(e, lgsl_codes=()) if e.service_id in removed else e for e in entries]
    return stripped, {entry.service_id: entry.lgsl_codes for entry in entries}
