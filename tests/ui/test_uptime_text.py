"""Uptimes are rounded like ``docker ps``: seconds only while a restart is recent, so 50 idle
containers do not change 50 cells every stats tick (issue 18: idle CPU)."""

from screens.containers_cells import duration


def test_seconds_for_the_first_ten_minutes_then_minutes_hours_days():
    assert duration(42) == "42s" and duration(192) == "3m12s" and duration(599) == "9m59s"
    assert duration(600) == "10m" and duration(3599) == "59m"
    assert duration(3600) == "1h00m" and duration(86400 + 7200) == "1d02h"


def test_a_steady_container_changes_its_cell_at_most_once_a_minute():
    texts = {duration(seconds) for seconds in range(1800, 1860, 3)}  # 20 stats ticks of 3 s
    assert len(texts) <= 2
