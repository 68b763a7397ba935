"""Parsing and normalising single field values. Each parser returns the clean value or raises `FieldError`
with a reason a council officer can act on ("is not a UK phone number"), never a stack trace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

import phonenumbers

from bot.directory.lgsl import is_known_lgsl
from bot.directory.models import OrganisationKind, ServiceStatus


class FieldError(ValueError):
    """A field value we cannot accept; the message is the reason, the caller adds where it was."""


def _quoted(value: object) -> str:
    """The offending value as the officer typed it, in double quotes: `"12ab" is not a UK phone number`."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


STATUSES = tuple(status.value for status in ServiceStatus)
ORGANISATION_KINDS = tuple(kind.value for kind in OrganisationKind)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

SHORT_CODES = frozenset({"101", "105", "111", "112", "999"})
"""Police non-emergency, power cut, NHS 111, emergency: real numbers, but not "valid" to phonenumbers."""
HARMONISED_116 = re.compile(r"116\d{3}")
"""European harmonised helplines (116 123 Samaritans, 116 117 out-of-hours doctor...)."""
OFCOM_DRAMA_RANGES = re.compile(
    r"1632960\d{3}|2079460\d{3}|1(?:1[3-8]|21|31|41|51|61)4960\d{3}|1914980\d{3}|2896496\d{3}"
    r"|2920180\d{3}|7700900\d{3}|8081570\d{3}|9098790\d{3}|3069990\d{3}"
)
"""Ofcom's numbers reserved for drama (01632 960xxx...): never allocated, so phonenumbers calls them
invalid, but they are what demo and test directories must use."""
PHONE_CHARACTERS = re.compile(r"[\d\s+\-().\u00a0]+")
EXTENSION_SUFFIX = re.compile(r"\s*(?:ext\.?|extension|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
TIME_PATTERN = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
OUTWARD_CODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MARKUP = re.compile(r"<[A-Za-z/!?][^>]{0,40}>?|\[[^\]\n]{0,80}\]\(")
"""An HTML tag, comment or declaration (`<script`, `</b>`, `<!--`), or a Markdown link (`[text](url)`).
Directory text reaches residents in the widget, which makes `[text](url)` a link, and in the officers'
exports: text that is not plain is refused rather than guessed at. `a < b` and `<3` stay allowed."""
WEB_SCHEMES = ("http", "https")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(?!\d)")
BARE_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:[/?#]|$)")
"""`www.example.org/bins`, `example.co.uk`: a host name without `https://`."""


def text(value: object, max_length: int | None = None) -> str | None:
    """A trimmed string, or None when blank. Numbers are accepted as their text (feeds sometimes do that)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(f"expected text, got {type(value).__name__}")
    result = str(value).strip()
    if not result:
        return None
    if max_length is not None and len(result) > max_length:
        raise FieldError(f"is {len(result)} characters long; at most {max_length} are allowed")
    markup = MARKUP.search(result)
    if markup:
        found = _quoted(markup.group(0))
        raise FieldError(f"contains markup ({found}); write plain text, without HTML tags or Markdown links")
    return result


def text_up_to(max_length: int) -> Callable[[object], str | None]:
    """A `text` parser for a column of `max_length` characters."""
    return lambda value: text(value, max_length)


class NotAWebAddress(FieldError):
    """An address that is merely malformed ("http:www.example.org"): left out with a warning, since it
    cannot become a link; a dangerous scheme is a plain `FieldError` and rejects the record."""


def web_address(max_length: int) -> Callable[[object], str | None]:
    """A parser for a web page address: http or https with a host. `javascript:`, `data:` and every other
    scheme are refused, since the address is given to residents as a link to follow. Feeds often leave out
    the scheme ("www.example.org/bins"): a bare host name gets `https://`."""

    def parse(value: object) -> str | None:
        result = text(value, max_length)
        if result is None:
            return None
        scheme = SCHEME.match(result)
        if scheme and scheme.group(1).lower() not in WEB_SCHEMES:
            raise FieldError(
                f"{_quoted(result)} is not a web address: only http:// and https:// are accepted"
            )
        if any(character.isspace() or ord(character) < 32 for character in result):
            raise NotAWebAddress(f"{_quoted(result)} is not a web address (it contains spaces)")
        if not scheme and BARE_HOST.match(result):
            result = "https://" + result
        try:
            parts = urlsplit(result)
        except ValueError as error:
            raise NotAWebAddress(f"{_quoted(result)} is not a web address ({error})") from error
        if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
            raise NotAWebAddress(
                f"{_quoted(result)} is not a web address (write it in full, starting https://)"
            )
        if len(result) > max_length:
            raise FieldError(f"is {len(result)} characters long; at most {max_length} are allowed")
        return result

    return parse


def required_text(max_length: int, why: str) -> Callable[[object], str]:
    """A parser for text that must be there; `why` completes "is missing (...)"."""

    def parse(value: object) -> str:
        result = text(value, max_length)
        if result is None:
            raise FieldError(f"is missing ({why})")
        return result

    return parse


def identifier(value: object) -> str:
    """A record id: any non-empty text up to 64 characters (HSDS uses UUIDs; spreadsheets may use slugs)."""
    result = text(value, 64)
    if result is None:
        raise FieldError("is missing (every record needs an id)")
    return result


def status(value: object) -> str:
    result = text(value)
    if result is None:
        raise FieldError(f"is missing (one of {', '.join(STATUSES)})")
    normalised = " ".join(result.lower().replace("_", " ").split())
    if normalised not in STATUSES:
        raise FieldError(f"{_quoted(result)} is not a service status (one of {', '.join(STATUSES)})")
    return normalised


def organisation_kind(value: object) -> str | None:
    result = text(value)
    if result is None:
        return None
    normalised = result.lower().replace(" ", "_").replace("-", "_")
    if normalised not in ORGANISATION_KINDS:
        kinds = ", ".join(ORGANISATION_KINDS)
        raise FieldError(f"{_quoted(result)} is not an organisation kind (one of {kinds})")
    return normalised


def phone(value: object) -> tuple[str, int | None]:
    """A UK phone number in national format ("01632 960123") and its extension, if written in the number.

    Accepts +44/0044 prefixes, brackets, stray quotes around the number (seen in the HSDS examples), the
    short codes 101, 105, 111, 112, 999 and 116xxx, and Ofcom's drama ranges.
    """
    raw = text(value)
    if raw is None:
        raise FieldError("is missing")
    candidate = raw.strip("\"' ")
    extension: int | None = None
    match = EXTENSION_SUFFIX.search(candidate)
    if match and len(re.sub(r"\D", "", candidate[: match.start()])) >= 3:
        extension = int(match.group(1))
        candidate = candidate[: match.start()]
    if not candidate or not PHONE_CHARACTERS.fullmatch(candidate):
        raise FieldError(f"{_quoted(raw)} is not a UK phone number")
    digits = re.sub(r"\D", "", candidate)
    if digits in SHORT_CODES and "+" not in candidate:
        return digits, extension
    if HARMONISED_116.fullmatch(digits) and "+" not in candidate:
        return f"116 {digits[3:]}", extension
    try:
        parsed = phonenumbers.parse(candidate, "GB")
    except phonenumbers.NumberParseException as error:
        raise FieldError(f"{_quoted(raw)} is not a UK phone number") from error
    if parsed.country_code != 44:
        raise FieldError(f"{_quoted(raw)} is not a UK phone number (country code +{parsed.country_code})")
    national = str(parsed.national_number)
    if not (phonenumbers.is_valid_number(parsed) or OFCOM_DRAMA_RANGES.fullmatch(national)):
        raise FieldError(f"{_quoted(raw)} is not a UK phone number")
    parsed.extension = None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL), extension


def extension(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FieldError(f"{_quoted(value)} is not a phone extension")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < 10**9:
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    raise FieldError(f"{_quoted(value)} is not a phone extension (digits only)")


def clock_time(value: object) -> time:
    """`HH:MM` or `HH:MM:SS` (a trailing `Z` or UTC offset is ignored: hours are the council's local time)."""
    raw = text(value)
    if raw is None:
        raise FieldError("is missing")
    match = TIME_PATTERN.fullmatch(raw)
    if not match:
        raise FieldError(f"{_quoted(raw)} is not a time (write HH:MM, e.g. 09:00 or 17:30)")
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise FieldError(f"{_quoted(raw)} is not a time of day (00:00 to 23:59; 23:59 ends the day)")
    return time(hour, minute, second)


def calendar_date(value: object) -> date:
    raw = text(value)
    if raw is None:
        raise FieldError("is missing")
    candidate = raw[:10] if len(raw) > 10 and raw[10] in "T " else raw
    if not DATE_PATTERN.fullmatch(candidate):
        raise FieldError(f"{_quoted(raw)} is not a date (write YYYY-MM-DD)")
    try:
        return date.fromisoformat(candidate)
    except ValueError as error:
        raise FieldError(f"{_quoted(raw)} is not a date ({error})") from error


def date_time(value: object) -> datetime:
    """An ISO 8601 date-time, returned as naive UTC (how it is stored)."""
    raw = text(value)
    if raw is None:
        raise FieldError("is missing")
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError as error:
        raise FieldError(f"{_quoted(raw)} is not a date-time (e.g. 2024-03-15T10:30:00Z)") from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def byday(value: object) -> str | None:
    """RFC 5545 weekday codes ("MO,TU,WE") in week order; ordinal forms such as "1MO" are not weekly."""
    raw = text(value)
    if raw is None:
        return None
    days = [part.strip().upper() for part in re.split(r"[,\s]+", raw) if part.strip()]
    unknown = [day for day in days if day not in DAY_CODES]
    if unknown:
        raise FieldError(f"{_quoted(raw)} is not a list of weekdays (MO,TU,WE,TH,FR,SA,SU)")
    return ",".join(day for day in DAY_CODES if day in days)


def lgsl_code(value: object) -> int:
    raw = text(value)
    if raw is None:
        raise FieldError("LGSL code is missing")
    if not raw.isdigit():
        raise FieldError(f"{_quoted(raw)} is not an LGSL code (a number such as 524)")
    if not is_known_lgsl(int(raw)):
        raise FieldError(f"{_quoted(raw)} is not a known LGSL code (see bot/directory/reference/)")
    return int(raw)


def postcode_districts(value: object) -> tuple[str, ...]:
    """Outward codes ("SG13 SG14" or "SG13, SG14"), upper-cased, de-duplicated, in the order given."""
    raw = text(value)
    if raw is None:
        return ()
    result: list[str] = []
    for part in re.split(r"[,;\s]+", raw.upper()):
        if not part:
            continue
        if not OUTWARD_CODE.fullmatch(part):
            raise FieldError(f"{_quoted(part)} is not a postcode district (e.g. SG13)")
        if part not in result:
            result.append(part)
    return tuple(result)


def looks_like_email(value: str) -> bool:
    return bool(EMAIL_PATTERN.fullmatch(value))


def yes_no(value: object) -> bool:
    raw = (text(value) or "").lower()
    if raw in ("", "no", "n", "false", "0"):
        return False
    if raw in ("yes", "y", "true", "1"):
        return True
    raise FieldError(f"{_quoted(value)} is not yes or no")
