"""The status bar keeps one truth per backend, merged from every tab on it (Pipelines and
Costs both report AWS), not whichever tab reported last."""

from __future__ import annotations

from datetime import UTC, datetime

from console.backends.base import BackendInfo, BackendState, BackendStatus
from screens.status_bar import merge_statuses

INFO = BackendInfo(name="aws", target="prod/eu-west-1", identity="111122223333 arn")
OLD, NEW = datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 11, tzinfo=UTC)


def test_the_worst_report_wins_with_its_reason_and_the_oldest_data():
    pipelines = BackendStatus("aws", BackendState.READY, INFO, "", NEW)
    costs = BackendStatus("aws", BackendState.STALE, INFO, "ce.get_cost_and_usage failed", OLD, retries=2)
    merged = merge_statuses((pipelines, costs))
    assert (merged.state, merged.reason, merged.data_at, merged.retries) == (
        BackendState.STALE, "ce.get_cost_and_usage failed", OLD, 2)
    assert merge_statuses((costs, pipelines)) == merged  # the order of reports does not matter


def test_a_tab_still_connecting_keeps_the_identity_of_the_connected_one():
    connecting = BackendStatus("aws", BackendState.CONNECTING, None, "switching…")
    ready = BackendStatus("aws", BackendState.READY, INFO, "", NEW)
    merged = merge_statuses((ready, connecting))
    assert merged.state is BackendState.CONNECTING and merged.info == INFO
