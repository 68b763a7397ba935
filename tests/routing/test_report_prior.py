"""The national report prior: given the same words, the problem residents report most often ranks first."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.routing.report_prior import (
    SOURCE,
    ReportPriorError,
    build_shares,
    prior_bonus,
    report_shares,
)
from bot.routing.router import Router
from tests.routing.directory_fixtures import entry


def test_the_shipped_shares_say_potholes_and_fly_tipping_are_reported_far_more_than_fly_posting() -> None:
    shares = report_shares()
    assert abs(sum(shares.values()) - 1.0) < 0.001
    assert shares[557] > shares[587] > 10 * shares[588]


@pytest.mark.skipif(not SOURCE.is_file(), reason="the FixMyStreet report counts are only in ../shared/")
def test_the_shipped_shares_are_what_the_report_counts_give() -> None:
    assert build_shares() == report_shares()


def test_a_service_residents_do_not_report_on_fixmystreet_gets_no_bonus_either_way() -> None:
    shares = {557: 0.5, 587: 0.3, 588: 0.01, 530: 0.19}
    bonus = prior_bonus([(58,), (557,), (588,), (588, 557)], shares, weight=0.1)
    assert bonus[0] == 0.0
    assert bonus[1] > 0 > bonus[2]
    assert bonus[3] == bonus[1], "a service is as likely as its most-reported code"


def test_a_weight_of_zero_turns_the_prior_off() -> None:
    assert not prior_bonus([(557,), (588,)], {557: 0.9, 588: 0.1}, weight=0).any()


def test_given_the_same_words_the_commonly_reported_service_ranks_first() -> None:
    same = "Report a problem on the street outside your home."
    directory = [
        entry("posters", "Street problems team A", (588,), same),
        entry("potholes", "Street problems team B", (557,), same),
        entry("tax", "Council tax", (58,), "Pay your council tax."),
    ]
    router = Router().fit(directory, lexicon={}, out_of_scope=["tell me a joke"])
    assert router.rank("a problem on the street outside my home", k=2)[0].service_id == "potholes"


def test_a_broken_shares_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "shares.yml"
    path.write_text("557: 1.5\n", encoding="utf-8")
    with pytest.raises(ReportPriorError, match="shares.yml: LGSL 557"):
        report_shares.__wrapped__(path)
