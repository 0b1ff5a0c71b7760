"""In-app AWS profile and region switching, shared by the Pipelines and Costs tabs.

`:profile NAME`, `:region NAME` switch directly; `:profile` / `:region` alone offer a list
(profiles come from the AWS config file, as boto3 resolves them). Switching replaces
the AWS adapter in ``Services`` and reconnects every AWS tab.
"""

from __future__ import annotations

import dataclasses

from textual import work

from console.errors import OpsError
from screens.base import BackendTab, describe_error
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
        aws = self.config.aws
        changes = {}
        if profile is not None:
            changes["profile"] = None if profile in ("default", "-") else profile
        if region is not None:
            changes["region"] = region
        new = dataclasses.replace(self.config, aws=dataclasses.replace(aws, **changes))
        self.services.replace("aws", new)
        for tab in self.app.query(BackendTab):
            if tab.BACKEND == "aws":
                tab.adapter = None
                tab.action_retry()
        where = f"{new.aws.profile or 'default'}/{new.aws.region or '?'}"
        self.notify(f"AWS switched to {where}", timeout=3)
