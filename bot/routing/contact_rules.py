"""The rules that find contact details in a message: UK postcodes, UK phone numbers and email addresses.

Kept apart from the spaCy pipeline (`bot.routing.spacy_pipeline`), which wraps them as a pipeline component,
so that checking whether the built pipeline is current (`BUILD_VERSION`) imports neither spaCy nor TensorFlow.
"""

from __future__ import annotations

import hashlib
import re
from importlib.metadata import version

import phonenumbers

ENTITY_LABELS = ("POSTCODE", "PHONE", "EMAIL")

POSTCODE_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR\s?0AA|[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
"""A full UK postcode (outward + inward code), with or without the space, in any case.

The inward code's letters exclude C, I, K, M, O and V, as Royal Mail does, which keeps words such as
"a1 1ok" from matching. Outward codes alone ("SG13") are not marked: "M25" or "A10" are roads more often.
"""

EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?<![.-])", re.UNICODE)

_RULES_SOURCE = "|".join([POSTCODE_PATTERN.pattern, EMAIL_PATTERN.pattern, "phonenumbers:GB:VALID", "v1"])
BUILD_VERSION = hashlib.sha256(f"{version('spacy')}|{_RULES_SOURCE}".encode()).hexdigest()[:12]
"""Changes whenever the rules or spaCy change, so an old pipeline on disk is rebuilt rather than reused."""


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Character offsets of UK phone numbers, as Google's libphonenumber finds and validates them."""
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID)
    return [(match.start, match.end) for match in matcher]


def find_contact_entities(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) for every postcode, phone number and email address in `text`, in text order."""
    found: list[tuple[int, int, str]] = []
    found += [(m.start(), m.end(), "EMAIL") for m in EMAIL_PATTERN.finditer(text)]
    found += [(m.start(), m.end(), "POSTCODE") for m in POSTCODE_PATTERN.finditer(text)]
    found += [(start, end, "PHONE") for start, end in _phone_spans(text)]
    return sorted(found)
