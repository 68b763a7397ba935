"""The texts the router learnt each service from, read back with where each came from, so the staff lookup can
say why a service matched (`bot.routing.explain`).

They are the texts `bot.routing.router.service_texts` trains on: the service's name, alternate name,
description sentences and phrases (the directory feed's, and the council overlay: phrases officers taught),
the LGSL label and the resident lexicon's phrases for each code it carries; for a national body
(`national:` ids), the catalogue's name, what it handles and its phrases. Officer phrases keep who taught
them and when. They are read from the database now, so a phrase taught since the last `here-to-help train`
shows as evidence before the router has learnt it: the page says when each was taught.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.directory.models import Service, ServicePhrase
from bot.directory.national import body_for, is_national
from bot.directory.phrases import OFFICER
from bot.routing import explain
from bot.routing.explain import ServiceText
from bot.web.date_input import long_date

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
"""How `router.service_texts` splits a description into training sentences."""


def _lgsl_labels() -> dict[int, str]:
    from bot.directory.lgsl import lgsl_catalogue

    return {code: service.label for code, service in lgsl_catalogue().items()}


def _phrase_text(row: ServicePhrase) -> ServiceText:
    if (row.source or "") == OFFICER:
        taught_on = row.added_at.date().isoformat() if row.added_at else None
        return ServiceText(row.phrase, explain.TAUGHT_PHRASE, taught_by=row.added_by, taught_on=taught_on)
    return ServiceText(row.phrase, explain.DIRECTORY_PHRASE)


def _council_texts(service: Service, labels: dict[int, str]) -> list[ServiceText]:
    from bot.routing.lexicon import default_lexicon

    texts = [ServiceText(service.name, explain.NAME)]
    if service.alternate_name:
        texts.append(ServiceText(service.alternate_name, explain.ALTERNATE_NAME))
    texts.extend(
        ServiceText(sentence, explain.DESCRIPTION)
        for sentence in _SENTENCE.split(service.description or "")
        if len(sentence.split()) >= 2
    )
    texts.extend(_phrase_text(row) for row in sorted(service.phrases, key=lambda row: row.position or 0))
    lexicon = default_lexicon()
    for code in sorted(link.code for link in service.lgsl_codes):
        if code in labels:
            texts.append(ServiceText(labels[code], explain.LGSL_LABEL, lgsl_code=code))
        texts.extend(ServiceText(phrase, explain.LEXICON, lgsl_code=code) for phrase in lexicon.get(code, ()))
    return texts


def _national_texts(service_id: str) -> list[ServiceText]:
    body = body_for(service_id)
    if body is None:
        return []
    return [
        ServiceText(body.name, explain.NAME),
        ServiceText(body.handles, explain.DESCRIPTION),
        *(ServiceText(phrase, explain.DIRECTORY_PHRASE) for phrase in body.phrases),
    ]


def service_texts(session: Session, service_ids: Sequence[str]) -> dict[str, list[ServiceText]]:
    """Each service's training texts with their origin; unknown ids get none."""
    labels = _lgsl_labels()
    council_ids = [service_id for service_id in service_ids if not is_national(service_id)]
    rows = (
        session.execute(
            select(Service)
            .where(Service.id.in_(council_ids))
            .options(selectinload(Service.phrases), selectinload(Service.lgsl_codes))
        )
        .scalars()
        .all()
        if council_ids
        else []
    )
    found = {row.id: _council_texts(row, labels) for row in rows}
    for service_id in service_ids:
        if is_national(service_id):
            found[service_id] = _national_texts(service_id)
    return {service_id: found.get(service_id, []) for service_id in service_ids}


def source_label(match: dict[str, Any]) -> str:
    """Where a matching text comes from, in an officer's words: "Taught by olive on 3 March 2026"."""
    kind, code = match["kind"], match.get("lgsl_code")
    if kind == explain.TAUGHT_PHRASE:
        by = f" by {match['taught_by']}" if match.get("taught_by") else ""
        on = f" on {long_date(date.fromisoformat(match['taught_on']))}" if match.get("taught_on") else ""
        return f"Taught{by}{on}"
    if kind == explain.LEXICON:
        return f"Residents' words for LGSL {code}"
    if kind == explain.LGSL_LABEL:
        return f"LGSL {code} label"
    return {
        explain.NAME: "Service name",
        explain.ALTERNATE_NAME: "Also known as",
        explain.DESCRIPTION: "Description",
        explain.DIRECTORY_PHRASE: "Directory phrase",
    }.get(kind, kind.capitalize())


def evidence_for(session: Session, query: str, service_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`Evidence.as_dict()` per service (the caller's words its texts use, and the texts using the most),
    each text with a `label` saying where it comes from."""
    texts = service_texts(session, service_ids)
    found: dict[str, dict[str, Any]] = {}
    for service_id in service_ids:
        explained = explain.explain(query, texts[service_id])
        matches = [match.as_dict() for match in explained.texts]
        for match in matches:
            match["label"] = source_label(match)
        found[service_id] = {"words": list(explained.words), "texts": matches}
    return found
