"""In-app AWS profile and region switching, shared by the Pipelines and Costs tabs.

`:profile NAME`, `:region NAME` switch directly; `:profile` / `:region` alone offer a list
(profiles come from the AWS config file, as boto3 resolves them). Switching replaces
the AWS backend through ``Services.switch`` and every AWS tab reconnects on its message.
"""

from __future__ import annotations

from textual import work

from console.errors import OpsError
from screens.base import describe_error
from screens.pipelines_prompt import ChoicePrompt


class AwsContextCommands:
    """Mixed into a BackendTab whose BACKEND is "aws"."""

    def aws_jump(self, arg: str) -> bool:
        word, _, rest = arg.strip().partition(" ")
        word, rest = word.lower(), rest.strip()
        if word not in ("profile", "profiles", "region", "regions"):
            return False
        kind = "profile" if word.startswith("profile") else "region"
        if rest:
            self.switch_aws(**{kind: rest})
        else:
            self._offer_choices(kind)
        return True

    @work(thread=True, exclusive=True, group="aws-choices", exit_on_error=False)
    def _offer_choices(self, kind: str) -> None:
        try:
            adapter = self.services.get("aws")
            choices = adapter.available_profiles() if kind == "profile" else adapter.available_regions()
        except OpsError as exc:
            self.app.call_from_thread(self.notify, describe_error(exc, f"aws.{kind}s"), severity="error")
            return
        if not choices:
            self.app.call_from_thread(self.notify, f"no AWS {kind}s found (AWS config file)", severity="warning")
            return
        self.app.call_from_thread(self._choose, kind, choices)

    def _choose(self, kind: str, choices: tuple[str, ...]) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self.switch_aws(**{kind: value})

        self.app.push_screen(ChoicePrompt(f"Switch AWS {kind}", choices), chosen)

    def switch_aws(self, profile: str | None = None, region: str | None = None) -> None:
        """Through ``Services.switch``: every AWS tab (Pipelines, Costs) follows its one message."""
        changes = {}
        if profile is not None:
            changes["profile"] = None if profile in ("default", "-") else profile
        if region is not None:
            changes["region"] = region
        self.services.switch("aws", **changes)
        aws = self.config.aws
        self.notify(f"AWS switched to {aws.profile or 'default'}/{aws.region or '?'}", timeout=3)
