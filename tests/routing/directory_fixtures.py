"""Small hand-made directories for the router's tests: a district council, a housing association and a
county, written for these tests (no real residents' reports)."""

from __future__ import annotations

from bot.directory.snapshot import DirectoryEntry


def entry(
    service_id: str, name: str, codes: tuple[int, ...], description: str = "", **extra
) -> DirectoryEntry:
    return DirectoryEntry(
        service_id=service_id, name=name, description=description, lgsl_codes=codes, **extra
    )


def small_directory() -> list[DirectoryEntry]:
    return [
        entry("fly", "Report fly-tipping", (587,), "Tell us about waste dumped illegally on public land."),
        entry(
            "bins", "Missed bin collections", (524,), "Report a bin we did not empty on your collection day."
        ),
        entry("bulky", "Bulky waste collection", (528,), "Book a paid collection of large household items."),
        entry("lights", "Street lights", (564,), "Report a street light that is out, flickering or damaged."),
        entry(
            "roads", "Potholes and road defects", (557,), "Report a pothole or damage to the road surface."
        ),
        entry("graffiti", "Graffiti removal", (584,), "We remove graffiti from public buildings and walls."),
        entry("tax", "Council tax", (58,), "Pay your council tax, set up a Direct Debit, tell us you moved."),
        entry("council-repairs", "Council home repairs", (141,), "Repairs for council tenants."),
        entry(
            "ha-repairs",
            "Riverside Homes repairs",
            (141,),
            "Repairs for Riverside Homes tenants.",
            organisation_kind="housing_association",
            phrases=("my landlord is Riverside Homes",),
        ),
        entry("library", "Libraries", (437,), "Opening times, joining and borrowing.", active=True),
        entry("closed", "Closed service", (412,), "No longer running.", active=False),
    ]


def lgsl_only_directory(codes: tuple[int, ...] = (587, 524, 564, 557, 58, 437, 412)) -> list[DirectoryEntry]:
    """An unseen council's directory: only LGSL labels as names, no descriptions or phrases."""
    from bot.directory.lgsl import lgsl_catalogue

    catalogue = lgsl_catalogue()
    return [entry(f"lgsl-{code}", catalogue[code].label, (code,)) for code in codes]
