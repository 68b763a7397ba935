"""Services a council forgot to tag still learn what residents call them; community groups are left be."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.directory.snapshot import DirectoryEntry
from bot.routing import code_guess
from bot.routing.router import Router, default_reference_router

UNTAGGED = {
    "Report fly-tipping": "someone has dumped a mattress in the alley",
    "Street lights": "the light outside my house is out",
    "Dog fouling": "dog poo all over the pavement",
    "Noise complaints": "my neighbour plays loud music every night",
}
"""Demo services whose LGSL codes no other demo service carries, and what a resident would say to each."""


@pytest.fixture(scope="module")
def partly_tagged() -> list[DirectoryEntry]:
    from bench.directories import demo_directory_entries

    entries = demo_directory_entries()
    assert {e.name for e in entries} >= set(UNTAGGED), "the demo directory lost a service these tests name"
    return [dataclasses.replace(e, lgsl_codes=()) if e.name in UNTAGGED else e for e in entries]


@pytest.fixture(scope="module")
def router(partly_tagged: list[DirectoryEntry]) -> Router:
    return Router().fit(partly_tagged)


@pytest.mark.parametrize("name", sorted(UNTAGGED))
def test_a_resident_reaches_a_service_the_council_left_untagged(router: Router, name: str) -> None:
    """Without a code the fly-tipping service learns no resident lexicon, and "someone has dumped a
    mattress in the alley" went to abandoned vehicles; its guessed code teaches it the lexicon."""
    best = router.rank(UNTAGGED[name], k=3)[0]
    assert best.name == name
    assert best.confidence >= router.unmet_threshold, f"{best.confidence:.2f}"


def test_a_guessed_code_is_learnt_but_never_shown_as_the_councils(router: Router, tmp_path: Path) -> None:
    """Candidates carry the directory's own codes (so `evaluate` scores what the council tagged); the
    guesses are recorded with the model, for officers to see which services to tag."""
    fly = next(sid for sid, name, _ in router.services if name == "Report fly-tipping")
    assert router.guessed_codes[fly] == (587,)
    assert router.rank(UNTAGGED["Report fly-tipping"], k=1)[0].lgsl_codes == ()
    router.save(tmp_path)
    assert Router.load(tmp_path).guessed_codes == router.guessed_codes


def test_a_fully_tagged_directory_guesses_nothing() -> None:
    from tests.routing.directory_fixtures import small_directory

    assert Router().fit(small_directory()).guessed_codes == {}


COMMUNITY_GROUPS = [
    ("yoga", "Gentle yoga for the over-60s", "Chair-based stretching every Tuesday in the church hall."),
    ("shed", "Men's shed", "A workshop where men meet to make things from wood and chat over tea."),
    ("choir", "Community choir", "Sing together; no auditions, all voices welcome."),
    ("knit", "Knit and natter", "Bring your needles and join our friendly knitting circle."),
    ("walk", "Health walks", "Volunteer-led walks of an hour through local green spaces."),
    ("chess", "Chess club", "Weekly games and coaching for all ages at the library cafe."),
    ("dance", "Tea dance", "Ballroom and sequence dancing with afternoon tea."),
    ("grief", "Bereavement cafe", "A safe place to talk with others who have lost someone close."),
    ("bikes", "Bike kitchen", "Learn to fix your own bicycle with our volunteer mechanics."),
    ("lunch", "Lunch club", "A hot two-course meal and company for older people, Thursdays."),
    ("art", "Art for wellbeing", "Painting and drawing sessions to support mental health."),
    ("cubs", "Scouts and cubs", "Adventure, camping and badges for young people aged 8 to 14."),
]


def test_a_community_directory_learns_no_council_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory of community groups is not a council's: a code that merely shares words with a group
    (here the choir would take community centres') is left unlearnt."""
    entries = [DirectoryEntry(service_id=s, name=n, description=d) for s, n, d in COMMUNITY_GROUPS]
    as_is = Router().fit(entries, guess_codes=False)
    reference = default_reference_router()
    assert code_guess.guess_missing_codes(entries, as_is=as_is, reference=reference) == {}
    assert Router().fit(entries).guessed_codes == {}
    monkeypatch.setattr(code_guess, "COUNCIL_SHARE", 0.0)
    assert code_guess.guess_missing_codes(entries, as_is=as_is, reference=reference), (
        "the council test is what held them back"
    )


def test_the_officers_note_names_each_guessed_service_and_its_code() -> None:
    from bot.cli.routing import GUESSES_LISTED, describe_guesses
    from bot.directory.lgsl import lgsl_catalogue

    catalogue = lgsl_catalogue()
    guessed = {f"s{i:02d}": (587,) for i in range(GUESSES_LISTED + 2)}
    names = {service_id: f"Service {service_id}" for service_id in guessed}
    text = describe_guesses(guessed, names, catalogue)
    assert text.startswith(f"{GUESSES_LISTED + 2} services without an LGSL code")
    assert f"  Service s00: 587 {catalogue[587].label}" in text
    assert "Service s11" not in text
    assert "… and 2 more" in text
    assert describe_guesses({"s00": (587,)}, names, catalogue).startswith("1 service without an LGSL code")
