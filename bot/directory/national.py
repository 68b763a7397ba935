"""The national signposting catalogue: bodies residents ask councils about, shipped as reviewed data.

`data/national/bodies.yml` (setting `NATIONAL_BODIES_FILE`) lists HM Passport Office, DVLA, DWP's benefits and
the rest: each with what it handles, its public number and web page, the page the number was checked on and
when, and the words residents use for its business. It is part of every directory with no extra step:

* training reads it beside the directory database (`with_national_bodies`), so a plain `directory import` and
  `train` route "renew my passport" to HM Passport Office; it is part of the directory fingerprint, so an
  edit retrains;
* the council's own records win: a body the council's directory already lists (an organisation of the same
  name) is left out of the catalogue's entries;
* the answer reads the body from here (`national_details`), since it has no row in the database.

A body's service id is `national:<id>`; the gap log records demand for it under that id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.directory.snapshot import DirectoryEntry

ID_PREFIX = "national:"
ORGANISATION_KIND = "national_body"
_ID = re.compile(r"^[a-z0-9_]+$")
REQUIRED = ("id", "name", "handles", "web", "source", "last_verified", "phrases")


class NationalBodiesError(ValueError):
    """The catalogue file is missing or an entry is incomplete; the message names the file and the entry."""


@dataclass(frozen=True)
class NationalBody:
    """One body and the business residents bring to the council by mistake."""

    id: str
    name: str
    handles: str
    web: str
    source: str
    last_verified: date
    phrases: tuple[str, ...]
    phone: str = ""
    phone_hours: str = ""
    also_known_as: tuple[str, ...] = ()
    """Other names a council's directory may give the same body ("Police" for the 101 line)."""

    @property
    def service_id(self) -> str:
        return ID_PREFIX + self.id


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise NationalBodiesError(f"{where}: '{key}' must be non-empty text")
    return " ".join(value.split())


def _body(entry: Any, where: str) -> NationalBody:
    if not isinstance(entry, dict):
        raise NationalBodiesError(f"{where}: expected a mapping with {', '.join(REQUIRED)}")
    if isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise NationalBodiesError(f"{where}: missing {', '.join(missing)}")
    body_id = _text(entry, "id", where)
    if not _ID.match(body_id):
        raise NationalBodiesError(f"{where}: id must be lower_snake_case letters, digits and underscores")
    for key in ("web", "source"):
        if not _text(entry, key, where).startswith("https://"):
            raise NationalBodiesError(f"{where}: '{key}' must be an https:// address")
    verified = entry["last_verified"]
    if not isinstance(verified, date):
        raise NationalBodiesError(f"{where}: 'last_verified' must be a date (YYYY-MM-DD)")
    phrases = entry["phrases"]
    if (
        not isinstance(phrases, list)
        or not phrases
        or not all(isinstance(p, str) and p.strip() for p in phrases)
    ):
        raise NationalBodiesError(f"{where}: 'phrases' must be a non-empty list of text")
    phone = entry.get("phone")
    if phone is not None and not re.fullmatch(r"[0-9 ]{3,20}", str(phone).strip()):
        raise NationalBodiesError(f"{where}: phone {phone!r} is not a UK number (digits and spaces)")
    return NationalBody(
        id=body_id,
        name=_text(entry, "name", where),
        handles=_text(entry, "handles", where),
        web=_text(entry, "web", where),
        source=_text(entry, "source", where),
        last_verified=verified,
        phrases=tuple(dict.fromkeys(" ".join(p.split()) for p in phrases)),
        phone=str(phone).strip() if phone is not None else "",
        phone_hours=" ".join(str(entry.get("phone_hours") or "").split()),
        also_known_as=_aliases(entry, where),
    )


def _aliases(entry: dict[str, Any], where: str) -> tuple[str, ...]:
    names = entry.get("also_known_as") or []
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise NationalBodiesError(f"{where}: 'also_known_as' must be a list of names")
    return tuple(" ".join(name.split()) for name in names)


def load_national_bodies(path: Path) -> tuple[NationalBody, ...]:
    """Every body in the catalogue file, checked in full; `NationalBodiesError` names what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise NationalBodiesError(f"{path}: no such file (the national signposting catalogue)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise NationalBodiesError(f"{path}: not valid YAML: {error}") from None
    entries = data.get("bodies") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise NationalBodiesError(f"{path}: expected 'bodies:', a list of bodies")
    bodies = [_body(entry, f"{path}: body {number}") for number, entry in enumerate(entries, start=1)]
    seen: set[str] = set()
    for body in bodies:
        if body.id in seen:
            raise NationalBodiesError(f"{path}: body id {body.id!r} is listed twice")
        seen.add(body.id)
    return tuple(bodies)


@lru_cache(maxsize=4)
def _cached(path: str, modified: float) -> tuple[NationalBody, ...]:
    return load_national_bodies(Path(path))


def national_bodies(path: Path | None = None) -> tuple[NationalBody, ...]:
    """The catalogue (default: NATIONAL_BODIES_FILE), re-read only when the file changes."""
    if path is None:
        from bot.settings import get_settings

        path = get_settings().national_bodies_file
    path = Path(path)
    modified = path.stat().st_mtime if path.is_file() else 0.0
    return _cached(str(path), modified)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


def national_entries(
    council: list[DirectoryEntry], bodies: tuple[NationalBody, ...] | None = None
) -> list[DirectoryEntry]:
    """The catalogue's bodies as router entries, less those the council's own directory already lists."""
    bodies = national_bodies() if bodies is None else bodies
    listed = {_name_key(entry.organisation_name) for entry in council if entry.organisation_name}
    return [
        DirectoryEntry(
            service_id=body.service_id,
            name=body.name,
            description=body.handles,
            phrases=body.phrases,
            organisation_id=body.service_id,
            organisation_name=body.name,
            organisation_kind=ORGANISATION_KIND,
        )
        for body in bodies
        if not _keys(body) & listed
    ]


def _keys(body: NationalBody) -> set[str]:
    return {_name_key(name) for name in (body.name, *body.also_known_as)}


def with_national_bodies(
    council: list[DirectoryEntry], bodies: tuple[NationalBody, ...] | None = None
) -> list[DirectoryEntry]:
    """The council's entries, then the catalogue's bodies the council does not list (what training routes
    over). A body the council lists itself keeps the council's record (its numbers are the ones given), and
    that record learns the catalogue's words for the body: its name on every service of that organisation,
    and its phrases too when the organisation has a single service, so "dvla" finds the council's own
    DVLA entry."""
    bodies = national_bodies() if bodies is None else bodies
    by_key = {key: body for body in bodies for key in _keys(body)}
    services_of: dict[str, int] = {}
    for entry in council:
        services_of[_name_key(entry.organisation_name)] = (
            services_of.get(_name_key(entry.organisation_name), 0) + 1
        )
    enriched = []
    for entry in council:
        key = _name_key(entry.organisation_name)
        body = by_key.get(key) if entry.organisation_name else None
        if body is None:
            enriched.append(entry)
            continue
        words = (body.name, *(body.phrases if services_of[key] == 1 else ()))
        enriched.append(replace(entry, phrases=tuple(dict.fromkeys((*entry.phrases, *words)))))
    return [*enriched, *national_entries(council, bodies)]


def is_national(service_id: str) -> bool:
    return str(service_id).startswith(ID_PREFIX)


def body_for(service_id: str, bodies: tuple[NationalBody, ...] | None = None) -> NationalBody | None:
    """The catalogue body behind a `national:` service id, if the catalogue still has it."""
    if not is_national(service_id):
        return None
    bodies = national_bodies() if bodies is None else bodies
    wanted = service_id[len(ID_PREFIX) :]
    return next((body for body in bodies if body.id == wanted), None)


def national_names(ids: Iterable[str]) -> dict[str, str]:
    """The catalogue's name for each `national:` id among `ids`; an id it no longer has (or an unreadable
    catalogue, which start-up reports) keeps the id, so reports and exports of old entries still work."""
    wanted = [identifier for identifier in ids if identifier and is_national(identifier)]
    if not wanted:
        return {}
    try:
        bodies = national_bodies()
    except NationalBodiesError:
        bodies = ()
    names = {identifier: identifier for identifier in wanted}
    for identifier in wanted:
        body = body_for(identifier, bodies)
        if body is not None:
            names[identifier] = body.name
    return names
