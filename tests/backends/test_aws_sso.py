"""An SSO profile that was never logged in: the message names the profile and the login
command, and the tab does not keep retrying (only the operator can log in)."""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.backends.aws import AwsBackend
from console.backends.base import BackendState
from console.config import AwsConfig, Config
from console.errors import LoginRequired
from console.services import Services
from tests.ui.test_pipelines import wait_for

pytestmark = pytest.mark.aws

SSO_CONFIG = """\
[profile corp-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = eu-west-1

[profile corp-session]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = eu-west-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"""


@pytest.fixture
def sso_profiles(aws, tmp_path, monkeypatch):
    """SSO profiles with no token in ~/.aws/sso/cache; the endpoint is the loopback moto."""
    cfg = tmp_path / "aws-config"
    cfg.write_text(SSO_CONFIG)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(cfg))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):  # the aws fixture's static keys would win
        monkeypatch.delenv(name, raising=False)
    return aws


@pytest.mark.parametrize("profile", ["corp-sso", "corp-session"])
def test_sso_profile_without_login_names_the_profile(sso_profiles, profile):
    backend = AwsBackend(Config(aws=AwsConfig(profile=profile, endpoint_url=sso_profiles.url)))
    with pytest.raises(LoginRequired) as err:
        backend.connect()
    assert f"AWS profile {profile!r}" in str(err.value)
    assert f"aws sso login --profile {profile}" in str(err.value)
    assert err.value.title == "Login required"


async def test_tab_says_so_and_does_not_keep_retrying(sso_profiles):
    cfg = Config(aws=AwsConfig(profile="corp-sso", endpoint_url=sso_profiles.url))
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        tab = app.tab("pipelines")
        await wait_for(pilot, lambda: tab.state is BackendState.UNAVAILABLE)
        assert "corp-sso" in tab.reason and "aws sso login --profile corp-sso" in tab.reason
        banner = str(tab.query_one("#state-banner").render())
        assert "corp-sso" in banner
        assert tab._retry_timer is None and tab.retries == 0  # no retry loop against a missing login
