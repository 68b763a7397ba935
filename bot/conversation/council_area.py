"""The council's own area, from reviewed data, and the places a resident names that lie outside it.

A council answers for its residents. When a message names a postcode or a town that is not in the council's
area ("missed bin at LU1 1AA", "pothole in Leeds"), the resident may be asking the wrong council: the answer
says so plainly, with GOV.UK's "find your local council" link, and still gives this council's answer, which
is right if they do live here (people type where they work, or a relative's postcode).

The area is data, never guessed (docs/conversation.md, "Places outside the council's area"):

* COUNCIL_AREA_FILE (default `data/area/council_area.yml`): `council` (its name), `postcode_districts`
  (outward codes such as "SG13", or whole areas such as "SG"), `towns` (inside, never flagged) and
  `places_elsewhere` (neighbouring places that are not in the area). No districts: the check is off.
* UK_PLACES_FILE (default `data/area/uk_places.yml`): UK cities and large towns, each outside unless the
  council lists it as a town; `everyday_words` among them count only when written with a capital ("Reading",
  not "reading my bill"); `postcode_areas`, the real UK postcode areas.

What counts as naming a place (`place_outside`):

* a full postcode anywhere in the message ("SG1 2AB"), checked against the Royal Mail format rules
  (bot.conversation.postcodes; a malformed one is not a place: the turn tells the resident what is wrong);
* a postcode district alone, when it is the whole message or follows "postcode", "in", "at", "near" or
  "around" ("I live in SG1"), and its area is a real UK postcode area or the council's own ("on the A10"
  is a road);
* a town after a place word ("in", "at", "near", "around", "moving to"), not as part of a street name
  ("London Road", bot.routing.place_names).

A postcode decides: one inside the area means the resident is here, whatever town is also named. Only the
outward code is ever kept or said, as the gap log's redaction does (bot.gaplog.redaction).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot import PROJECT_ROOT
from bot.conversation.postcodes import (
    InvalidPostcode,
    find_postcode_text,
    in_areas,
    parse_outward,
    parse_postcode,
)
from bot.routing.place_names import place_name_spans
from bot.settings import get_settings

logger = logging.getLogger(__name__)

FIND_YOUR_COUNCIL = "https://www.gov.uk/find-local-council"
"""GOV.UK's "Find your local council": a postcode in, the council (or councils) for it out."""

PLACE_WORDS = ("in", "at", "near", "around", "moving to", "moved to", "move to", "living in", "live in")
"""Words after which a town name is a place the resident is talking about ("a missed bin in Leeds")."""
POSTCODE_CUES = ("postcode", "post code", "postcode is", "post code is", "in", "at", "near", "around")
"""Words after which a postcode district alone ("SG13") is taken for a postcode."""
NOT_A_DISTRICT_AFTER = ("road", "motorway", "junction", "northbound", "southbound", "slip")
"""A district followed by one of these is a road ("the M25 motorway")."""


class CouncilAreaError(ValueError):
    """The area data cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class CouncilArea:
    council: str
    postcode_districts: tuple[str, ...]
    towns: tuple[str, ...] = ()
    places_elsewhere: tuple[str, ...] = ()
    everyday_words: frozenset[str] = frozenset()
    postcode_areas: frozenset[str] = frozenset()
    """Real UK postcode areas ("SG"), for telling a district typed alone from a road."""

    @property
    def known(self) -> bool:
        return bool(self.postcode_districts)


@dataclass(frozen=True)
class PlaceOutside:
    """A place named in a message that is outside the council's area."""

    place: str
    """The postcode's outward code ("LU1"), never the full postcode; or the town as the data names it."""
    kind: str
    """"postcode" or "town"."""


def _key(name: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z]+", name.lower().replace("st.", "st")))


def _names(data: dict, key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise CouncilAreaError(f"{path}: '{key}' should be a list of names")
    return tuple(item.strip() for item in value)


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise CouncilAreaError(f"{path}: cannot be read ({error})") from None
    if not isinstance(data, dict):
        raise CouncilAreaError(f"{path}: expected a mapping")
    return data


def load_council_area(area_file: Path, places_file: Path | None = None) -> CouncilArea:
    """The council's area from its file, with the UK places (when `places_file` is given) as elsewhere.

    Every district is checked against the postcode format, so a typo cannot silently shrink the area.
    """
    data = _read(area_file)
    districts = []
    for district in _names(data, "postcode_districts", area_file):
        compact = district.replace(" ", "").upper()
        if not compact.isalpha():
            try:
                parse_outward(compact)
            except InvalidPostcode as error:
                raise CouncilAreaError(
                    f"{area_file}: postcode district {district!r}: {error.reason}"
                ) from None
        elif not 1 <= len(compact) <= 2:
            raise CouncilAreaError(f"{area_file}: postcode area {district!r} should be one or two letters")
        districts.append(compact)
    towns = _names(data, "towns", area_file)
    elsewhere = list(_names(data, "places_elsewhere", area_file))
    everyday: set[str] = set()
    postcode_areas: set[str] = set()
    if places_file is not None:
        places = _read(places_file)
        for key in ("cities", "towns"):
            elsewhere.extend(_names(places, key, places_file))
        everyday = {name.lower() for name in _names(places, "everyday_words", places_file)}
        postcode_areas = {area.upper() for area in _names(places, "postcode_areas", places_file)}
    postcode_areas |= {re.sub(r"[0-9].*", "", district) for district in districts}  # the council's own
    inside = {_key(town) for town in towns}
    return CouncilArea(
        council=str(data.get("council") or "").strip(),
        postcode_districts=tuple(districts),
        towns=towns,
        places_elsewhere=tuple(dict.fromkeys(name for name in elsewhere if _key(name) not in inside)),
        everyday_words=frozenset(everyday),
        postcode_areas=frozenset(postcode_areas),
    )


def project_path(value: str) -> Path | None:
    """A setting's file, relative to the project folder; None when the setting is empty."""
    if not value.strip():
        return None
    path = Path(value.strip())
    return path if path.is_absolute() else PROJECT_ROOT / path


@lru_cache(maxsize=4)
def _cached(area_file: str, area_modified: float, places_file: str, places_modified: float) -> CouncilArea:
    return load_council_area(Path(area_file), Path(places_file) if places_file else None)


def council_area() -> CouncilArea | None:
    """The council's area from the settings' files (re-read when they change), or None when the check is off.

    Broken data is logged and the check switched off rather than costing a resident their answer;
    `here-to-help run` checks the files before it starts (bot.run.check_council_area): a broken file stops it.
    """
    settings = get_settings()
    area_file = project_path(settings.council_area_file)
    if area_file is None:
        return None
    places_file = project_path(settings.uk_places_file)
    try:
        area = _cached(
            str(area_file),
            area_file.stat().st_mtime if area_file.is_file() else 0.0,
            str(places_file) if places_file else "",
            places_file.stat().st_mtime if places_file and places_file.is_file() else 0.0,
        )
    except CouncilAreaError as error:
        logger.error("The council area data cannot be used, so places are not checked: %s", error)
        return None
    return area if area.known else None


# --- finding a place in a message ---------------------------------------------------------------------------


def _cue_pattern(cues: tuple[str, ...]) -> str:
    return "|".join(re.escape(cue).replace(r"\ ", r"\s+") for cue in sorted(cues, key=len, reverse=True))


_DISTRICT_AFTER_CUE = re.compile(
    rf"\b(?:{_cue_pattern(POSTCODE_CUES)})\s+([A-Z]{{1,2}}[0-9][A-Z0-9]?)\b(?!\s*[0-9][A-Z]{{2}}\b)"
    rf"(?!\s+(?:{'|'.join(NOT_A_DISTRICT_AFTER)})\b)",
    re.IGNORECASE,
)


def postcode_named(text: str, area: CouncilArea) -> str | None:
    """The outward code of a postcode (or postcode district) named in `text`, or None.

    A full postcode must pass the format rules; a district alone must be the whole message or follow a
    postcode cue, and belong to a real UK postcode area or the council's own.
    """
    found = find_postcode_text(text)
    if found is not None:
        try:
            return parse_postcode(found).outward if " " in found else parse_outward(found)
        except InvalidPostcode:
            return None
    for match in _DISTRICT_AFTER_CUE.finditer(text or ""):
        try:
            district = parse_outward(match.group(1))
        except InvalidPostcode:
            continue
        letters = re.match(r"[A-Z]+", district)
        if letters and letters.group(0) in area.postcode_areas:
            return district
    return None


_WORD = re.compile(r"[A-Za-z]+(?:\.(?=\s))?")


def town_named(text: str, area: CouncilArea) -> str | None:
    """A town of `places_elsewhere` named after a place word, outside any street name, or None."""
    if not text:
        return None
    words = [(m.group(0).rstrip(".").lower(), m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    streets = place_name_spans(text)
    cues = [tuple(cue.split()) for cue in PLACE_WORDS]
    places = sorted(((_key(name), name) for name in area.places_elsewhere), key=lambda item: -len(item[0]))
    lowered = [word for word, _, _, _ in words]
    for index in range(len(words)):
        if not any(tuple(lowered[index - len(cue) : index]) == cue for cue in cues if index >= len(cue)):
            continue
        for key, name in places:
            if tuple(lowered[index : index + len(key)]) != key:
                continue
            start, end = words[index][2], words[index + len(key) - 1][3]
            if any(s < end and start < e for s, e in streets):
                continue  # "on London Road": a street, not the city
            if name.lower() in area.everyday_words and not words[index][1][:1].isupper():
                continue  # "a leak in bath", not Bath
            return name
    return None


def place_outside(text: str, area: CouncilArea | None = None) -> PlaceOutside | None:
    """The place `text` names outside the council's area, or None (inside, none named, or no area data)."""
    area = area if area is not None else council_area()
    if area is None or not area.known or not text:
        return None
    outward = postcode_named(text, area)
    if outward is not None:
        return None if in_areas(outward, area.postcode_districts) else PlaceOutside(outward, "postcode")
    town = town_named(text, area)
    return PlaceOutside(town, "town") if town is not None else None
