"""The project's own spaCy pipeline, built locally at train time: no spaCy model can be downloaded here.

It is blank English plus two things a signposting bot needs:

* the lookup lemmatizer from `spacy-lookups-data`, so "bins were collected" and "bin collection" share words
  for Rasa's featurizers (CountVectorsFeaturizer reads token lemmas);
* `here_to_help_contact_entities`, a rule component that marks UK postcodes (POSTCODE), UK phone numbers
  (PHONE) and email addresses (EMAIL) as `doc.ents`, which Rasa's `SpacyEntityExtractor` turns into entities.

The pipeline is written to `VAR_DIR/spacy/en_here_to_help` (generated, gitignored). It records a build
version in its meta, so a change to the rules below rebuilds it instead of silently reusing an old copy.
Rasa's stock `SpacyNLP` would resolve the model path against the working directory; `bot.routing.spacy_nlp`
resolves it against `VAR_DIR` instead.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot.routing.contact_rules import BUILD_VERSION, ENTITY_LABELS, find_contact_entities
from bot.settings import get_settings

__all__ = [
    "BUILD_VERSION",
    "ENTITY_COMPONENT",
    "ENTITY_LABELS",
    "PIPELINE_NAME",
    "build_pipeline",
    "ensure_pipeline",
    "find_contact_entities",
    "is_current",
    "load_pipeline",
    "pipeline_dir",
]

PIPELINE_NAME = "en_here_to_help"
"""The name `config.yml` gives `SpacyNLP`; resolved to `VAR_DIR/spacy/<name>`."""

ENTITY_COMPONENT = "here_to_help_contact_entities"


@Language.component(ENTITY_COMPONENT)
def contact_entities(doc: Doc) -> Doc:
    """Mark postcodes, phone numbers and email addresses as entities (longest match wins on overlap)."""
    spans: list[Span] = []
    for start, end, label in find_contact_entities(doc.text):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    # spaCy 3.4's stub types Doc.ents as Tuple[Span] (exactly one span); the setter takes any sequence.
    doc.ents = filter_spans([*doc.ents, *spans])  # type: ignore[assignment]
    return doc


def build_pipeline() -> Language:
    """Blank English, the lookup lemmatizer (tables from spacy-lookups-data) and the contact-entity rules."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe(ENTITY_COMPONENT)
    nlp.initialize()  # loads the lemma lookup table from spacy-lookups-data; no network
    nlp.meta["name"] = PIPELINE_NAME.removeprefix("en_")
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Here to Help: blank English, lookup lemmas, UK postcode/phone/email rules"
    nlp.meta["here_to_help_build"] = BUILD_VERSION
    return nlp


def pipeline_dir(name: str = PIPELINE_NAME) -> Path:
    """Where pipeline `name` lives: an absolute path is kept, a bare name goes under VAR_DIR/spacy."""
    path = Path(name)
    if path.is_absolute():
        return path
    return get_settings().var_dir / "spacy" / path


def is_current(path: Path) -> bool:
    """True when `path` holds a pipeline built from these exact rules."""
    meta = path / "meta.json"
    if not meta.is_file():
        return False
    try:
        return spacy.util.load_meta(meta).get("here_to_help_build") == BUILD_VERSION
    except (ValueError, OSError):
        return False


def ensure_pipeline(name: str = PIPELINE_NAME, *, force: bool = False) -> Path:
    """Build the pipeline under VAR_DIR unless an up-to-date copy is already there; returns its folder.

    The new pipeline is written beside the old one and swapped in, so a crash mid-build never leaves a
    half-written model where a running bot would load it.
    """
    target = pipeline_dir(name)
    if not force and is_current(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        build_pipeline().to_disk(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def load_pipeline(name: str = PIPELINE_NAME) -> Language:
    """The pipeline, built first if missing. Importing this module registers the rule component."""
    return spacy.load(ensure_pipeline(name))
