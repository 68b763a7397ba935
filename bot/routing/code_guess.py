"""LGSL codes guessed for the services a council left untagged, so that they too learn the resident lexicon.

The lexicon is keyed by LGSL code, so a service without a code learns only its own name and description,
and its tagged neighbours, which do learn the lexicon, take its reports: with 30% of the demo directory's
services untagged, top-1 falls from 0.820 to 0.784 (docs/benchmarks.md, row 35). An untagged service learns
(never shows: candidates keep the directory's own codes) a code that the two directions of a match agree on:

* forward: the service's name and description, routed through a reference router of every LGSL service,
  give the code among their top `CHOICES`, above the reference router's unmet threshold, and no tagged
  service already carries it (the council has said who handles that);
* backward: the code's LGSL label and description, routed through the directory as it is, pick this service
  over every other untagged one ("Bulky waste collection" mentions fly-tipping, so its own text picks the
  fly-tipping code, but the fly-tipping code's text picks "Report fly-tipping").

Of the codes that pass, a service learns the one with the highest product of the two confidences.

Only in a directory that is evidently a council's: at least `COUNCIL_SHARE` of its services carry a code or
take one that the backward direction picks above every service, tagged or not, and above the threshold.
Community directories fail that test (Bristol's and North Lincolnshire's Open Referral UK feeds), and there a
guess could put a council service's lexicon on a support group that merely shares a word with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.directory.lgsl import lgsl_catalogue
from bot.directory.national import ORGANISATION_KIND as NATIONAL_KIND
from bot.directory.snapshot import DirectoryEntry

if TYPE_CHECKING:
    from bot.routing.router import Router

COUNCIL_SHARE = 1 / 3
"""Share of services tagged or matched both ways above which a directory is taken for a council's.
Measured: 12% (Bristol's Open Referral UK feed, 818 services), 10% (North Lincolnshire's, 738), 78% (the demo
directory with every code removed)."""

CHOICES = 3
"""Each untagged service offers its three most likely codes, so that one whose first choice goes to a better
claimant can take its second ("Bulky waste collection" mentions fly-tipping; "Report fly-tipping" is it)."""

REFERENCE_ORGANISATION = "lgsl"


def lgsl_reference_entries() -> list[DirectoryEntry]:
    """One service per LGSL code, named by the LGSL label and described by the LGSL description: what a
    council that has tagged its services and written nothing else would have."""
    return [
        DirectoryEntry(
            service_id=f"lgsl-{service.code}",
            name=service.label,
            description=service.description,
            lgsl_codes=(service.code,),
            organisation_id=REFERENCE_ORGANISATION,
            organisation_name="LGSL reference directory",
        )
        for service in sorted(lgsl_catalogue().values(), key=lambda s: s.code)
    ]


def _describe(entry: DirectoryEntry) -> str:
    return ". ".join(text for text in (entry.name, entry.alternate_name, entry.description) if text)


def needs_a_code(entry: DirectoryEntry) -> bool:
    """A service without an LGSL code; the national catalogue's bodies never take one."""
    return not entry.lgsl_codes and entry.organisation_kind != NATIONAL_KIND


def guess_missing_codes(
    entries: Sequence[DirectoryEntry], as_is: Router, reference: Router
) -> dict[str, tuple[int, ...]]:
    """Service id → the LGSL code guessed for it, for the untagged services of `entries` (empty when none is
    untagged, nothing is confident, or the directory does not look like a council's).

    The national signposting catalogue's bodies are not the council's and never take a council code.
    `as_is` is a router fitted on `entries` as they are; `reference`, one fitted on
    `lgsl_reference_entries()` with the same lexicon (`bot.routing.router.reference_router`).
    """
    entries = [entry for entry in entries if entry.organisation_kind != NATIONAL_KIND]
    untagged = [entry for entry in entries if needs_a_code(entry)]
    if not untagged:
        return {}
    held = {code for entry in entries for code in entry.lgsl_codes}
    forward: dict[tuple[str, int], float] = {}
    for entry in untagged:
        for candidate in reference.rank(_describe(entry), CHOICES):
            code = candidate.lgsl_codes[0]
            if code not in held and candidate.confidence >= reference.unmet_threshold:
                forward[(entry.service_id, code)] = candidate.confidence
    if not forward:
        return {}
    backward = _backward(as_is, {code for _, code in forward})
    threshold = as_is.unmet_threshold
    untagged_ids = {entry.service_id for entry in untagged}
    chosen: dict[str, tuple[int, float]] = {}
    for (service_id, code), confidence in forward.items():
        among_untagged = {sid: value for sid, value in backward[code].items() if sid in untagged_ids}
        if not _is_top(among_untagged, service_id, threshold):
            continue
        score = confidence * backward[code][service_id]
        if service_id not in chosen or score > chosen[service_id][1]:
            chosen[service_id] = (code, score)
    matched = sum(1 for sid, (code, _) in chosen.items() if _is_top(backward[code], sid, threshold))
    tagged = len(entries) - len(untagged)
    if tagged + matched < COUNCIL_SHARE * len(entries):
        return {}
    return {service_id: (code,) for service_id, (code, _) in sorted(chosen.items())}


def _backward(as_is: Router, codes: set[int]) -> dict[int, dict[str, float]]:
    """Per code, each directory service's confidence for the code's LGSL label and description, as if a
    resident had typed them: the other direction of the match."""
    catalogue = lgsl_catalogue()
    result = {}
    for code in codes:
        service = catalogue[code]
        _, support = as_is.evidence(f"{service.label}. {service.description}")
        result[code] = {
            sid: as_is.calibration.confidence(float(value))
            for (sid, _, _), value in zip(as_is.services, support, strict=True)
        }
    return result


def _is_top(confidences: dict[str, float], service_id: str, threshold: float) -> bool:
    best = max(confidences, key=confidences.__getitem__)
    return best == service_id and confidences[best] >= threshold
