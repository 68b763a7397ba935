"""Recognise and check UK postcodes, and decide whether one is inside a service's area.

Services declare their areas as postcode districts (outward codes such as "SG13"). A resident who types a
postcode either gets told the service covers it, or plainly that it does not, or, when what they typed cannot
be a postcode, exactly what is wrong with it ("the last two letters cannot be C, I, K, M, O or V").

Format rules (Royal Mail / GOV.UK Bulk Data Transfer standard): the outward code is an area of one or two
letters and a district (a digit, then optionally a digit or a letter); the inward code is a digit and two
letters. Q, V and X never start a postcode; I, J and Z are never the second letter; in the A9A form the third
character is one of ABCDEFGHJKPSTUW; in the AA9A form the fourth is one of ABEHMNPRVWXY; the inward letters
are never C, I, K, M, O or V. GIR 0AA (Girobank) is the one historical exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

INWARD_FORBIDDEN = set("CIKMOV")
FIRST_FORBIDDEN = set("QVX")
SECOND_FORBIDDEN = set("IJZ")
A9A_THIRD = set("ABCDEFGHJKPSTUW")
AA9A_FOURTH = set("ABEHMNPRVWXY")

# Loose on purpose: anything that looks roughly like a postcode is caught here, then checked strictly, so a
# resident who mistypes one gets told what is wrong instead of being ignored.
_LOOSE = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})(?![A-Z0-9])", re.IGNORECASE)
_OUTWARD_ONLY = re.compile(r"^\s*([A-Z]{1,2}[0-9][A-Z0-9]?)\s*$", re.IGNORECASE)


class InvalidPostcode(ValueError):
    """What the resident typed cannot be a UK postcode; the message says why, in plain words."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"'{text}' is not a valid UK postcode: {reason}.")


@dataclass(frozen=True)
class Postcode:
    outward: str
    inward: str

    def __str__(self) -> str:
        return f"{self.outward} {self.inward}".strip()

    @property
    def area(self) -> str:
        letters = re.match(r"[A-Z]+", self.outward)
        return letters.group(0) if letters else ""


def _check_outward(outward: str, original: str) -> None:
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", outward):
        raise InvalidPostcode(
            original, "the first part should be one or two letters then a number, like SG13"
        )
    if outward[0] in FIRST_FORBIDDEN:
        raise InvalidPostcode(original, f"no UK postcode starts with {outward[0]}")
    two_letters = outward[1].isalpha()
    if two_letters and outward[1] in SECOND_FORBIDDEN:
        raise InvalidPostcode(original, f"the second letter cannot be {outward[1]}")
    tail = outward[2:] if two_letters else outward[1:]
    if len(tail) == 2 and tail[1].isalpha():
        allowed = AA9A_FOURTH if two_letters else A9A_THIRD
        if tail[1] not in allowed:
            raise InvalidPostcode(original, f"'{outward}' is not a possible postcode district")


def parse_postcode(text: str) -> Postcode:
    """A full postcode ("sg13 8de", "SG138DE") as `Postcode("SG13", "8DE")`, or `InvalidPostcode`."""
    original = (text or "").strip()
    compact = re.sub(r"\s+", "", original).upper()
    if not compact:
        raise InvalidPostcode(original, "it is empty")
    if compact == "GIR0AA":
        return Postcode("GIR", "0AA")
    if len(compact) < 5 or len(compact) > 7:
        raise InvalidPostcode(original, "a full postcode has 5 to 7 letters and numbers, like SG13 8DE")
    outward, inward = compact[:-3], compact[-3:]
    if not re.fullmatch(r"[0-9][A-Z]{2}", inward):
        raise InvalidPostcode(original, "the last part should be a number then two letters, like 8DE")
    bad = sorted(set(inward[1:]) & INWARD_FORBIDDEN)
    if bad:
        raise InvalidPostcode(
            original, f"the last two letters cannot be C, I, K, M, O or V (it has {', '.join(bad)})"
        )
    _check_outward(outward, original)
    return Postcode(outward, inward)


def parse_outward(text: str) -> str:
    """A postcode district on its own ("sg13") as "SG13", or `InvalidPostcode`."""
    original = (text or "").strip()
    compact = re.sub(r"\s+", "", original).upper()
    _check_outward(compact, original)
    return compact


def find_postcode_text(text: str) -> str | None:
    """The first thing in `text` that looks like a postcode (not yet checked), or None."""
    match = _LOOSE.search(text or "")
    if match:
        return f"{match.group(1)} {match.group(2)}"
    outward = _OUTWARD_ONLY.match(text or "")
    return outward.group(1) if outward else None


def find_postcode(text: str) -> Postcode | str | None:
    """The postcode (or, for a message that is only a district, the outward code) in `text`.

    Raises `InvalidPostcode` when something postcode-shaped is there but breaks the rules.
    """
    found = find_postcode_text(text)
    if found is None:
        return None
    if " " in found:
        return parse_postcode(found)
    return parse_outward(found)


def outward_code(postcode: Postcode | str) -> str:
    return postcode.outward if isinstance(postcode, Postcode) else parse_outward(postcode)


def in_areas(postcode: Postcode | str, districts: Iterable[str]) -> bool:
    """Is `postcode` inside any of `districts` ("SG13", or a whole area such as "SG")?"""
    outward = outward_code(postcode)
    for district in districts:
        district = district.strip().upper()
        if not district:
            continue
        if district == outward:
            return True
        if district.isalpha() and re.fullmatch(rf"{district}[0-9][A-Z0-9]?", outward):
            return True
    return False
