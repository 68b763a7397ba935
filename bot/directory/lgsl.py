"""The Local Government Service List (LGSL) catalogue shipped with the project, and GOV.UK's providing tiers.

LGSL codes are the national identifiers that join our directory to everything else (GOV.UK's local-services
links, FixMyStreet categories, other councils' feeds). A code is valid when any of the three shipped lists
knows it: the English/Welsh list, the Scottish list, or GOV.UK's tier table (which names a few newer codes).
The files are read once per process.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
ENGLISH_LIST = REFERENCE_DIR / "lgsl_services.csv"
SCOTTISH_LIST = REFERENCE_DIR / "lgsl_services_scotland.csv"
TIERS = REFERENCE_DIR / "govuk_service_tiers.csv"

TIER_VALUES = ("county/unitary", "district/unitary", "all")


@dataclass(frozen=True)
class LgslService:
    """One LGSL service. `tier` is GOV.UK's providing tier, or None when GOV.UK does not publish one."""

    code: int
    label: str
    description: str
    nav_path: str
    tier: str | None


def _clean(text: str | None) -> str:
    """The lists contain doubled spaces ("Council  expenditure"); collapse them so labels read normally."""
    return " ".join((text or "").split())


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def lgsl_catalogue() -> dict[int, LgslService]:
    """Every known LGSL code, by code. English labels win over Scottish ones, which win over GOV.UK's."""
    tiers: dict[int, str] = {}
    govuk_descriptions: dict[int, str] = {}
    for row in _read_rows(TIERS):
        code = int(row["LGSL"])
        tier = _clean(row["Providing Tier"])
        if tier not in TIER_VALUES:
            raise ValueError(f"{TIERS.name}: LGSL {code}: unknown providing tier {tier!r}")
        tiers[code] = tier
        govuk_descriptions[code] = _clean(row["Description"])

    catalogue: dict[int, LgslService] = {}
    for path in (ENGLISH_LIST, SCOTTISH_LIST):
        for row in _read_rows(path):
            code = int(row["lgsl_id"])
            if code in catalogue:
                continue
            catalogue[code] = LgslService(
                code=code,
                label=_clean(row["label"]),
                description=_clean(row["description"]),
                nav_path=_clean(row["nav_path"]),
                tier=tiers.get(code),
            )
    for code, description in govuk_descriptions.items():
        if code not in catalogue:
            catalogue[code] = LgslService(
                code=code, label=description, description=description, nav_path="", tier=tiers[code]
            )
    return dict(sorted(catalogue.items()))


def is_known_lgsl(code: int | str) -> bool:
    """True when `code` (an int or a string of digits) is in the shipped LGSL catalogue."""
    try:
        number = int(str(code).strip())
    except ValueError:
        return False
    return number in lgsl_catalogue()
