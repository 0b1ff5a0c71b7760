"""What a lock provider answers (console/actions/locks.py): taken, held by someone else, or none."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

# verb -> how the refusal says it ("alice@bastion-2 is rolling back web since 03:12 — INC-42")
GERUNDS = {
    "rollback": "rolling back", "scale": "scaling", "restart": "restarting", "rollout restart": "restarting",
    "set image": "deploying", "deploy": "deploying", "delete": "deleting", "cordon": "cordoning",
    "uncordon": "uncordoning", "suspend": "suspending", "resume": "resuming", "pause": "pausing",
    "stop": "stopping", "start": "starting", "kill": "killing", "remove": "removing", "trigger": "running",
    "retry": "retrying", "abandon": "abandoning", "approve": "approving", "reject": "rejecting",
}


def gerund(verb: str) -> str:
    return GERUNDS.get(verb, f"running {verb} on" if verb else "acting on")


@dataclass(frozen=True)
class Lock:
    """A lock this console holds; hand it back to the provider's renew/release."""

    provider: str  # "kubernetes lease", "dynamodb", "lock file"
    where: str  # what it is, for the operator: "Lease shop/opsconsole-deployment-web"
    action_id: str
    holder: str
    duration: float
    token: dict[str, str] = field(default_factory=dict, compare=False)  # provider's bookkeeping


@dataclass(frozen=True)
class Held:
    """Someone else holds the lock: the action is refused with :attr:`message`."""

    who: str  # "alice@bastion-2"
    since: float  # epoch seconds
    why: str  # their reason
    verb: str = ""
    target: str = ""  # the target's name
    where: str = ""

    @property
    def message(self) -> str:
        since = datetime.fromtimestamp(self.since, UTC).strftime("%H:%M") if self.since else "?"
        text = f"{self.who} is {gerund(self.verb)} {self.target} since {since} UTC"
        return f"{text} — {self.why}" if self.why else text


@dataclass(frozen=True)
class NoLock:
    """No lock can be taken; the action may go on, and the confirmation says so."""

    reason: str  # "permission: ...", "not configured: ..."

    @property
    def message(self) -> str:
        return f"no lock ({self.reason})"
