"""Resident or staff: the staff channel is only granted to requests proving they come from the staff proxy."""

from __future__ import annotations

from bot.conversation.channel import RESIDENT, STAFF, channel_from_metadata, vetted_metadata


def test_no_metadata_means_a_resident() -> None:
    assert channel_from_metadata(None) == RESIDENT
    assert channel_from_metadata({"channel": "something else"}) == RESIDENT


def test_vetted_staff_metadata_means_staff() -> None:
    assert channel_from_metadata({"channel": "Staff"}) == STAFF


def test_a_staff_claim_with_the_right_token_is_kept() -> None:
    vetted = vetted_metadata(
        {"channel": "staff"}, presented_token="s3cret", configured_token="s3cret", remote_address="10.0.0.5"
    )
    assert vetted["channel"] == STAFF


def test_a_staff_claim_from_the_public_widget_without_the_token_is_downgraded() -> None:
    vetted = vetted_metadata(
        {"channel": "staff", "page": "/bins"},
        presented_token=None,
        configured_token="s3cret",
        remote_address="::1",
    )
    assert vetted == {"channel": RESIDENT, "channel_downgraded": True, "page": "/bins"}


def test_a_wrong_token_is_downgraded() -> None:
    vetted = vetted_metadata(
        {"channel": "staff"}, presented_token="guess", configured_token="s3cret", remote_address="127.0.0.1"
    )
    assert vetted["channel"] == RESIDENT


def test_without_a_configured_token_only_the_same_machine_may_claim_staff() -> None:
    local = vetted_metadata(
        {"channel": "staff"}, presented_token=None, configured_token="", remote_address="127.0.0.1"
    )
    remote = vetted_metadata(
        {"channel": "staff"}, presented_token=None, configured_token="", remote_address="203.0.113.9"
    )
    assert local["channel"] == STAFF
    assert remote["channel"] == RESIDENT
