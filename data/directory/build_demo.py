"""Build the fictional demo directory (HSDS 3.0 JSON) from its hand-editable YAML source.

Why a generator: HSDS JSON is verbose (every phrase, LGSL code and flag is a nested attribute object with
its own UUID), so nobody should edit it by hand. The source in `data/directory/source/*.yml` says each thing
once, and this script expands it into the `service_list` pages the importer reads, deterministically: every id
is a UUID 5 of a readable slug, so a re-import updates records in place and a rebuild with no source change is
byte-identical.

    .venv/bin/python data/directory/build_demo.py          # rewrite data/directory/*.json
    .venv/bin/python data/directory/build_demo.py --check  # fail if the JSON is out of date with the source

Source format (see docs/demo-directory.md for the full description):
    output: district.json
    organisations:
      - slug, name, kind, host?, alternate_name?, description, email, website, verified, phones[], services[]
    service: slug, name, aka?, lgsl[], about, url, email?, address?, phones[], hours, closures[], areas[],
             phrases, staff[], contact_centre?, bank_holidays?, verified?, status?
    phone:   "01632 960101 | what it is for | staff | ooh | text | ext=12"
    hours:   a preset (office, office_sat, contact_centre, always) or a list of "MO-FR 09:00-17:00"
    closure: "2027-01-11..2027-04-30 why it is closed"
    area:    "Name of the area: AV6 AV7 AV8"
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
SOURCE_DIR = HERE / "source"
LGSL_CSV = PROJECT_ROOT / "bot" / "directory" / "reference" / "lgsl_services.csv"

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/here-to-help/demo-directory")
"""Fixed forever: changing it would give every record a new id and break re-imports."""

ORGANISATION_KINDS = {
    "district",
    "county",
    "unitary",
    "housing_association",
    "other_public_body",
    "voluntary",
}
STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
DAY_ORDER = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = dict(
    zip(
        DAY_ORDER, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], strict=True
    )
)
PRESET_HOURS = {
    "office": ["MO-FR 09:00-17:00"],
    "office_sat": ["MO-FR 09:00-17:00", "SA 09:00-12:30"],
    "contact_centre": ["MO-FR 08:30-17:30"],
    "always": ["MO-SU 00:00-23:59"],
}
PHRASES_MIN, PHRASES_MAX = 5, 15

TERMS = {
    ("hereToHelpOrganisationKind", None): ("Organisation kind", "What kind of body provides the service."),
    ("hereToHelpRole", "host_council"): ("Host council", "The council that runs this assistant."),
    ("hereToHelpRole", "contact_centre"): ("Contact centre", "The council's general contact centre."),
    ("hereToHelpRole", "open_on_bank_holidays"): (
        "Open on bank holidays",
        "The service keeps its usual hours on England and Wales bank holidays.",
    ),
    ("hereToHelpResidentPhrase", "resident_phrase"): (
        "Resident phrase",
        "How residents describe the need this service meets, in their own words.",
    ),
    ("hereToHelpStaffNote", "staff_note"): ("Staff note", "Shown to council staff only."),
    ("hereToHelpPhone", "staff_only"): ("Staff-only number", "Not to be given to the public."),
    ("hereToHelpPhone", "out_of_hours"): (
        "Out-of-hours number",
        "The number to use when the service is closed.",
    ),
}


class SourceError(ValueError):
    """A problem in the YAML source, naming the file and record so it can be fixed."""


def uid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def load_lgsl() -> dict[int, tuple[str, str]]:
    with LGSL_CSV.open(newline="", encoding="utf-8") as handle:
        return {
            int(row["lgsl_id"]): (" ".join(row["label"].split()), " ".join(row["description"].split()))
            for row in csv.DictReader(handle)
        }


def term(taxonomy: str, code: str, name: str | None = None, description: str | None = None) -> dict[str, Any]:
    default_name, default_description = TERMS.get((taxonomy, code)) or TERMS.get((taxonomy, None), ("", ""))
    return {
        "id": uid("term", taxonomy, code),
        "code": code,
        "name": name or default_name,
        "description": description or default_description,
        "taxonomy": taxonomy,
    }


def attribute(owner: str, taxonomy: str, code: str, value: str | None = None, **term_fields: Any) -> dict:
    record: dict[str, Any] = {"id": uid(owner, "attribute", taxonomy, code, value or "")}
    if value is not None:
        record["value"] = value
    record["taxonomy_term"] = term(taxonomy, code, **term_fields)
    return record


def lgsl_attribute(owner: str, code: int, lgsl: dict[int, tuple[str, str]]) -> dict[str, Any]:
    label, description = lgsl[code]
    record = attribute(owner, "esdServiceTypes", str(code), name=label, description=description or label)
    record["taxonomy_term"]["term_uri"] = f"http://id.esd.org.uk/service/{code}"
    return record


def expand_days(spec: str, where: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = part.split("-")
            if first not in DAY_ORDER or last not in DAY_ORDER:
                raise SourceError(f"{where}: unknown day range {part!r}")
            days += DAY_ORDER[DAY_ORDER.index(first) : DAY_ORDER.index(last) + 1]
        elif part in DAY_ORDER:
            days.append(part)
        else:
            raise SourceError(f"{where}: unknown day {part!r}")
    return days


def spoken_time(value: str) -> str:
    hours, minutes = (int(piece) for piece in value.split(":"))
    if (hours, minutes) == (23, 59):
        return "midnight"
    suffix = "am" if hours < 12 else "pm"
    shown = hours % 12 or 12
    return f"{shown}{suffix}" if minutes == 0 else f"{shown}:{minutes:02d}{suffix}"


def spoken_days(days: list[str]) -> str:
    if len(days) == 7:
        return "Every day"
    if len(days) > 2 and days == DAY_ORDER[DAY_ORDER.index(days[0]) : DAY_ORDER.index(days[-1]) + 1]:
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    return (
        ", ".join(DAY_NAMES[day] for day in days[:-1])
        + (" and " if len(days) > 1 else "")
        + DAY_NAMES[days[-1]]
    )


def locations(slug: str, address: str, where: str) -> list[dict[str, Any]]:
    """ "Civic Centre | Market Street | Brackenford | Oakshire | BV1 1AA" -> one HSDS location and address."""
    parts = [part.strip() for part in address.split("|")]
    if len(parts) != 5 or not all(parts):
        shape = "place | street | town | county | postcode"
        raise SourceError(f"{where}: address {address!r} should be '{shape}'")
    name, street, town, county, postcode = parts
    location_id = uid(slug, "location")
    return [
        {
            "id": uid(slug, "at-location"),
            "service_id": uid(slug),
            "location_id": location_id,
            "location": {
                "id": location_id,
                "location_type": "physical",
                "name": name,
                "addresses": [
                    {
                        "id": uid(slug, "address"),
                        "location_id": location_id,
                        "address_1": street,
                        "city": town,
                        "state_province": county,
                        "postal_code": postcode,
                        "country": "GB",
                        "address_type": "physical",
                    }
                ],
            },
        }
    ]


def schedules(slug: str, service: dict[str, Any], where: str) -> list[dict[str, Any]]:
    hours = service.get("hours", "office")
    lines = PRESET_HOURS.get(hours) if isinstance(hours, str) else hours
    if lines is None:
        raise SourceError(f"{where}: unknown hours preset {hours!r} (use {sorted(PRESET_HOURS)} or a list)")
    result = []
    for line in lines:
        match = re.fullmatch(r"([A-Z,\-]+) (\d\d:\d\d)-(\d\d:\d\d)", line)
        if not match:
            raise SourceError(f"{where}: hours {line!r} should look like 'MO-FR 09:00-17:00'")
        days = expand_days(match.group(1), where)
        opens, closes = match.group(2), match.group(3)
        if (opens, closes) == ("00:00", "23:59"):
            description = f"{spoken_days(days)}, 24 hours"
        else:
            description = f"{spoken_days(days)}, {spoken_time(opens)} to {spoken_time(closes)}"
        result.append(
            {
                "id": uid(slug, "schedule", len(result)),
                "freq": "WEEKLY",
                "byday": ",".join(days),
                "opens_at": opens,
                "closes_at": closes,
                "description": description,
            }
        )
    for line in service.get("closures", []):
        match = re.fullmatch(r"(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d) (.+)", line)
        if not match:
            raise SourceError(f"{where}: closure {line!r} should look like '2027-01-11..2027-04-30 why'")
        valid_from, valid_to = (dt.date.fromisoformat(match.group(i)) for i in (1, 2))
        if valid_to < valid_from:
            raise SourceError(f"{where}: closure {line!r} ends before it starts")
        result.append(
            {
                "id": uid(slug, "schedule", len(result)),
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
                "description": match.group(3),
            }
        )
    return result


def phones(owner: str, lines: list[str], where: str) -> list[dict[str, Any]]:
    result = []
    for position, line in enumerate(lines):
        number, description, *flags = (piece.strip() for piece in line.split("|"))
        if not re.fullmatch(r"[0-9 ]{3,15}", number):
            raise SourceError(f"{where}: phone {number!r} is not a number")
        record: dict[str, Any] = {"id": uid(owner, "phone", position), "number": number}
        kind = "voice"
        attributes = []
        for flag in flags:
            if flag == "staff":
                attributes.append(attribute(f"{owner}/phone/{position}", "hereToHelpPhone", "staff_only"))
            elif flag == "ooh":
                attributes.append(attribute(f"{owner}/phone/{position}", "hereToHelpPhone", "out_of_hours"))
            elif flag in {"text", "textphone", "fax"}:
                kind = flag
            elif flag.startswith("ext="):
                record["extension"] = int(flag[4:])
            else:
                raise SourceError(f"{where}: unknown phone flag {flag!r} in {line!r}")
        record["type"] = kind
        record["description"] = description
        if attributes:
            record["attributes"] = attributes
        result.append(record)
    return result


def organisation_record(org: dict[str, Any], where: str) -> dict[str, Any]:
    slug = f"organisation/{org['slug']}"
    if org.get("kind") not in ORGANISATION_KINDS:
        raise SourceError(f"{where}: kind {org.get('kind')!r} is not one of {sorted(ORGANISATION_KINDS)}")
    attributes = [
        attribute(slug, "hereToHelpOrganisationKind", org["kind"], name=org["kind"].replace("_", " "))
    ]
    if org.get("host"):
        attributes.append(attribute(slug, "hereToHelpRole", "host_council"))
    record: dict[str, Any] = {"id": uid(slug), "name": org["name"]}
    if org.get("alternate_name"):
        record["alternate_name"] = org["alternate_name"]
    record["description"] = " ".join(org["description"].split())
    for key in ("email", "website"):
        if org.get(key):
            record[key] = org[key]
    record["phones"] = phones(slug, org.get("phones", []), where)
    record["attributes"] = attributes
    return record


def split_lines(text: str | list[str] | None, where: str) -> list[str]:
    if text is None:
        return []
    items = text if isinstance(text, list) else text.splitlines()
    odd = [item for item in items if not isinstance(item, str)]
    if odd:
        raise SourceError(f"{where}: {odd[0]!r} is not plain text (quote lines that contain ': ')")
    return [" ".join(item.split()) for item in items if item.strip()]


def service_record(
    org: dict[str, Any], organisation: dict[str, Any], service: dict[str, Any], lgsl: dict, where: str
) -> dict[str, Any]:
    slug = f"service/{org['slug']}/{service['slug']}"
    where = f"{where} service {service['slug']!r}"
    website = org.get("website", "")
    url = service.get("url", "")
    if url.startswith("/"):
        url = website.rstrip("/") + url
    email = service.get("email", org.get("email"))
    if email and "@" not in email:
        email = f"{email}@{org['email'].split('@')[1]}"
    status = service.get("status", "active")
    if status not in STATUSES:
        raise SourceError(f"{where}: status {status!r} is not one of {sorted(STATUSES)}")
    verified = service.get("verified", org.get("verified"))
    if not isinstance(verified, dt.date):
        raise SourceError(f"{where}: verified should be a date (YYYY-MM-DD), got {verified!r}")

    codes = service.get("lgsl") or []
    if not codes:
        raise SourceError(f"{where}: no LGSL codes")
    unknown = [code for code in codes if code not in lgsl]
    if unknown:
        raise SourceError(f"{where}: LGSL codes {unknown} are not in {LGSL_CSV.name}")
    phrases = split_lines(service.get("phrases"), where)
    if not PHRASES_MIN <= len(phrases) <= PHRASES_MAX:
        raise SourceError(f"{where}: has {len(phrases)} phrases, wants {PHRASES_MIN}-{PHRASES_MAX}")
    if len(set(phrases)) != len(phrases):
        raise SourceError(f"{where}: repeats a phrase")

    attributes = [lgsl_attribute(slug, code, lgsl) for code in codes]
    attributes += [
        attribute(slug, "hereToHelpResidentPhrase", "resident_phrase", phrase) for phrase in phrases
    ]
    notes = split_lines(service.get("staff"), where)
    attributes += [attribute(slug, "hereToHelpStaffNote", "staff_note", note) for note in notes]
    if service.get("contact_centre"):
        attributes.append(attribute(slug, "hereToHelpRole", "contact_centre"))
    if service.get("bank_holidays", service.get("hours") == "always"):
        attributes.append(attribute(slug, "hereToHelpRole", "open_on_bank_holidays"))

    record: dict[str, Any] = {
        "id": uid(slug),
        "organization_id": organisation["id"],
        "name": service["name"],
    }
    if service.get("aka"):
        record["alternate_name"] = service["aka"]
    record["description"] = " ".join(service["about"].split())
    if url:
        record["url"] = url
    if email:
        record["email"] = email
    if service.get("address"):
        record["service_at_locations"] = locations(slug, service["address"], where)
    record["status"] = status
    record["assured_date"] = verified.isoformat()
    record["last_modified"] = f"{verified.isoformat()}T09:00:00+00:00"
    record["phones"] = phones(slug, service.get("phones", []), where)
    record["schedules"] = schedules(slug, service, where)
    areas = []
    for position, line in enumerate(service.get("areas", [])):
        name, _, districts = line.rpartition(":")
        outward = districts.split()
        if not name or not outward:
            raise SourceError(f"{where}: area {line!r} should look like 'Name: AV1 AV2'")
        areas.append(
            {
                "id": uid(slug, "area", position),
                "name": name.strip(),
                "extent": " ".join(outward),
                "extent_type": "postcode_districts",
            }
        )
    record["service_areas"] = areas
    record["organization"] = organisation
    record["attributes"] = attributes
    return record


def build_page(path: Path, lgsl: dict[int, tuple[str, str]], seen: set[str]) -> tuple[str, dict[str, Any]]:
    source = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    contents = []
    for org in source["organisations"]:
        organisation = organisation_record(org, f"{where} organisation {org.get('slug')!r}")
        for service in org.get("services", []):
            key = f"{org['slug']}/{service['slug']}"
            if key in seen:
                raise SourceError(f"{where}: service slug {key!r} is used twice")
            seen.add(key)
            contents.append(service_record(org, organisation, service, lgsl, where))
    page = {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }
    return source["output"], page


def build_all() -> dict[str, str]:
    """Every output file name with its JSON text, built from all the source files."""
    lgsl = load_lgsl()
    seen: set[str] = set()
    outputs: dict[str, str] = {}
    for path in sorted(SOURCE_DIR.glob("*.yml")):
        name, page = build_page(path, lgsl, seen)
        outputs[name] = json.dumps(page, indent=2, ensure_ascii=False) + "\n"
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if the committed JSON differs from the source"
    )
    args = parser.parse_args(argv)
    try:
        outputs = build_all()
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stale = []
    for name, text in outputs.items():
        target = HERE / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)} (run {Path(__file__).name})", file=sys.stderr)
        return 1
    total = sum(json.loads(text)["total_items"] for text in outputs.values())
    print(f"{len(outputs)} files, {total} services" + (f", rewrote {', '.join(stale)}" if stale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
