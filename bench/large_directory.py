"""A large directory for the training benchmarks, built from real public data: `write_large_directory`.

Live Open Referral UK feeds hold 4,000-5,000 services; the demo directory holds a few hundred. This writes an
HSDS 3.0 / Open Referral UK directory of exactly `n` services into a folder that `here-to-help directory
import` reads, the same for the same `n` on any machine:

1. the demo directory's own HSDS files (`data/directory/*.json`), unchanged, so the demo's services, their
   codes and phrases, and every benchmark labelled against them still apply;
2. then, in the file's order, the live Open Referral UK services of Bristol and North Lincolnshire
   (`../shared/reference/oruk/`, 1,556 services, December 2024): names, descriptions, web pages and
   organisations as the councils publish them, mostly voluntary and community services, untagged;
3. then, past the demo and those (a 5,000-service directory), other councils' real service pages from
   GOV.UK's local links list (`../shared/reference/govuk/lgsl_lgil_fallback_links_2017.csv`): one service per
   council and LGSL code, named and described by the LGSL list, tagged with that code, provided by that
   council (`local-authorities.csv` gives its name and tier), in a fixed shuffled order.

Nothing here is copied into the repository: the folder is written under a temporary directory by the bench.

    .venv/bin/python -m bench.large_directory 1712 /tmp/large-1712
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from bot.directory.lgsl import lgsl_catalogue

REFERENCE = PROJECT_ROOT.parent / "shared" / "reference"
ORUK_SERVICES = REFERENCE / "oruk" / "oruk_services_bristol_northlincs_2024-12.csv"
LOCAL_LINKS = REFERENCE / "govuk" / "lgsl_lgil_fallback_links_2017.csv"
LOCAL_AUTHORITIES = REFERENCE / "govuk" / "local-authorities.csv"
DEMO_DIRECTORY = PROJECT_ROOT / "data" / "directory"
PAGE_SIZE = 500
NAMESPACE = uuid.UUID("6f1c1e0a-9d0b-4c55-8a55-3f1f2b7c4e21")
TIER_KINDS = {"1": "county", "2": "district", "3": "unitary"}
SIZES = (1712, 5000)
"""The sizes issue #18 sets goals for: 1,712 (the issue's own measurement) and 5,000 (a large live feed)."""


class NotEnoughData(ValueError):
    """The reference data cannot make a directory that large (or is not on this machine)."""


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def demo_service_count(folder: Path = DEMO_DIRECTORY) -> int:
    """How many services the demo directory's HSDS files hold (what the large directory starts from)."""
    total = 0
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        contents = document.get("contents") if isinstance(document, dict) else document
        total += len(contents) if isinstance(contents, list) else 1
    return total


def _organisation(name: str, kind: str | None = None, website: str | None = None) -> dict[str, Any]:
    organisation: dict[str, Any] = {"id": _id("organisation", kind or "", name), "name": name}
    if website:
        organisation["website"] = website
    if kind:
        organisation["attributes"] = [
            {
                "id": _id("organisation-kind", name),
                "taxonomy_term": {
                    "id": _id("kind", kind),
                    "code": kind,
                    "name": kind,
                    "taxonomy": "hereToHelpOrganisationKind",
                },
            }
        ]
    return organisation


def oruk_services() -> Iterator[dict[str, Any]]:
    """The live Open Referral UK services, in the file's order, as HSDS service objects."""
    with ORUK_SERVICES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row["name"] or "").strip()[:255]
            if not name or not row["service_id"]:
                continue
            organisation = _organisation((row["organization"] or name).strip()[:255], "voluntary")
            service: dict[str, Any] = {
                "id": row["service_id"][:64],
                "organization_id": organisation["id"],
                "organization": organisation,
                "name": name,
                "description": (row["description"] or "").strip(),
                "status": "active",
            }
            for key in ("url", "email"):
                if (row[key] or "").strip():
                    service[key] = row[key].strip()
            yield service


def local_link_services() -> Iterator[dict[str, Any]]:
    """One service per council and LGSL code of GOV.UK's local links list, in a fixed shuffled order
    (by a hash of council and code, so any prefix mixes councils and service areas)."""
    with LOCAL_AUTHORITIES.open(encoding="utf-8", newline="") as handle:
        councils = {row["slug"]: row for row in csv.DictReader(handle)}
    catalogue = lgsl_catalogue()
    pages: dict[tuple[str, int], str] = {}
    with LOCAL_LINKS.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for row in rows:
            if len(row) < 6 or not row[4].isdigit():
                continue
            slug, code = row[0], int(row[4])
            if slug in councils and code in catalogue:
                pages.setdefault((slug, code), row[3])
    order = sorted(pages, key=lambda key: hashlib.sha256(f"{key[0]}|{key[1]}".encode()).hexdigest())
    for slug, code in order:
        council, lgsl = councils[slug], catalogue[code]
        organisation = _organisation(
            council["name"], TIER_KINDS.get(council["tier_id"]), council["homepage_url"] or None
        )
        yield {
            "id": _id("local-link", slug, str(code)),
            "organization_id": organisation["id"],
            "organization": organisation,
            "name": lgsl.label[:255],
            "description": lgsl.description,
            "url": pages[(slug, code)],
            "status": "active",
            "attributes": [
                {
                    "id": _id("lgsl", slug, str(code)),
                    "taxonomy_term": {
                        "id": _id("lgsl-term", str(code)),
                        "code": str(code),
                        "name": lgsl.label,
                        "taxonomy": "esdServiceTypes",
                        "term_uri": f"http://id.esd.org.uk/service/{code}",
                    },
                }
            ],
        }


def _extra_services(count: int) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = []
    seen: set[str] = set()
    for source in (oruk_services(), local_link_services()):
        for service in source:
            if len(services) == count:
                return services
            if service["id"] not in seen:
                seen.add(service["id"])
                services.append(service)
    if len(services) < count:
        raise NotEnoughData(f"the reference data gives {len(services)} extra services, not {count}")
    return services


def write_large_directory(n: int, folder: Path) -> Path:
    """Write a directory of exactly `n` services (the demo's first, then real ones) into `folder` as HSDS
    `service_list` pages; returns `folder`. The same `n` always gives the same files."""
    for required in (ORUK_SERVICES, LOCAL_LINKS, LOCAL_AUTHORITIES):
        if not required.is_file():
            raise NotEnoughData(f"{required} is not on this machine")
    demo = demo_service_count()
    if n < demo:
        raise NotEnoughData(f"a large directory starts from the demo's {demo} services; asked for {n}")
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(DEMO_DIRECTORY.glob("*.json")):
        shutil.copyfile(path, folder / f"demo-{path.name}")
    extra = _extra_services(n - demo)
    for page, start in enumerate(range(0, len(extra), PAGE_SIZE), start=1):
        contents = extra[start : start + PAGE_SIZE]
        document = {
            "total_items": len(extra),
            "total_pages": -(-len(extra) // PAGE_SIZE),
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": start + PAGE_SIZE >= len(extra),
            "empty": not contents,
            "contents": contents,
        }
        (folder / f"large-{page:03d}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.large_directory", description=__doc__.splitlines()[0]
    )
    parser.add_argument("n", type=int, help="how many services (1712 and 5000 are the issue's sizes)")
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    write_large_directory(args.n, args.folder)
    print(f"wrote {args.n} services to {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
