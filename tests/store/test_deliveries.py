"""The store's record of sent digests: each week goes out once, a failed send can be
retried, and a send abandoned by a crashed daemon is taken over after a while."""

from __future__ import annotations

from datetime import timedelta

from .conftest import NOW


def test_a_week_is_claimed_once_and_stays_sent(database) -> None:
    with database.open() as first, database.open() as second:
        assert first.claim_delivery("2024-W44", "email") is True
        assert second.claim_delivery("2024-W44", "email") is False  # being sent
        first.delivered("2024-W44", "email", message_id="<1@x>", recipients="a@example.org")
        assert second.claim_delivery("2024-W44", "email") is False
        assert second.delivered_at("2024-W44", "email") == NOW
        assert second.claim_delivery("2024-W45", "email") is True  # another week


def test_a_failed_send_can_be_tried_again(database) -> None:
    with database.open() as store:
        assert store.claim_delivery("2024-W44", "email")
        store.release_delivery("2024-W44", "email")
        assert store.delivered_at("2024-W44", "email") is None
        assert store.claim_delivery("2024-W44", "email")


def test_a_claim_abandoned_half_an_hour_ago_is_taken_over(database) -> None:
    with database.open() as crashed:
        assert crashed.claim_delivery("2024-W44", "email")
    with database.open(clock=lambda: NOW + timedelta(minutes=10)) as soon:
        assert soon.claim_delivery("2024-W44", "email") is False
    with database.open(clock=lambda: NOW + timedelta(minutes=31)) as later:
        assert later.claim_delivery("2024-W44", "email") is True
