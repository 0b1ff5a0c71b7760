"""[locks] and [team] are validated like every other section: file, key and what was expected."""

from __future__ import annotations

import pytest

from console.config import Config, parse_config
from console.config_team import LocksConfig, TeamConfig
from console.errors import InvalidInput


def test_defaults_locks_on_no_sink():
    config = Config()
    assert config.locks == LocksConfig(enabled=True) and config.team == TeamConfig(sink="")


def test_valid_sections_are_read():
    config = parse_config({"locks": {"enabled": False, "dynamodb_table": "ops-locks", "namespace": "ops-locks"},
                           "team": {"sink": "cloudwatch", "log_group": "team-audit", "refresh_seconds": 5}}, "c.toml")
    assert config.locks.dynamodb_table == "ops-locks" and not config.locks.enabled
    assert config.team.sink == "cloudwatch" and config.team.refresh_seconds == 5.0


@pytest.mark.parametrize("data, message", [
    ({"locks": {"enabled": "yes"}}, "c.toml: locks.enabled: expected boolean, got str 'yes'"),
    ({"locks": {"table": "x"}}, "c.toml: locks.table: unknown key"),
    ({"team": {"sink": "kafka"}}, "c.toml: team.sink: expected \"\", \"s3\" or \"cloudwatch\", got 'kafka'"),
    ({"team": {"sink": "s3"}}, "c.toml: team.bucket: required when team.sink = \"s3\""),
    ({"team": {"sink": "cloudwatch"}}, "c.toml: team.log_group: required when team.sink = \"cloudwatch\""),
    ({"team": {"refresh_seconds": 0}}, "c.toml: team.refresh_seconds: expected a positive number"),
    ({"team": {"days": 0}}, "c.toml: team.days: expected a positive integer"),
    ({"locks": {"namespace": "Bad Name"}}, "c.toml: locks.namespace: expected a Kubernetes namespace name"),
])
def test_bad_values_name_the_file_and_key(data, message):
    with pytest.raises(InvalidInput) as err:
        parse_config(data, "c.toml")
    assert message in err.value.body
