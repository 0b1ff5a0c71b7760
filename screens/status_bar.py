"""The status bar: where each backend points, its health and data age, read-only, production."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console import clock
from console.backends.base import BackendState, BackendStatus
from console.text import strip_control
from screens.base import age_text

ORDER = ("docker", "kubernetes", "aws")
SHORT = {"docker": "docker", "kubernetes": "k8s", "aws": "aws"}
GLYPH = {
    BackendState.CONNECTING: ("…", "$secondary"),
    BackendState.READY: ("●", "$success"),
    BackendState.STALE: ("◐", "$warning"),
    BackendState.UNAVAILABLE: ("✗", "$error"),
    BackendState.UNCONFIGURED: ("○", "$secondary"),
    BackendState.DENIED: ("⊘", "$error"),
}


def _style(app, variable: str) -> str:
    """Resolve a theme variable (``$success``) to a Rich style for the current theme."""
    value = app.theme_variables.get(variable.lstrip("$"), "") or ""
    return value.removeprefix("ansi_")  # Rich names the 16 colours without the prefix


def short_version(version: str) -> str:
    """"v1.30.0-kmock" -> "1.30", "20.10.24+dfsg1" -> "20.10"."""
    parts = version.lstrip("v").split("-")[0].split("+")[0].split(".")
    return ".".join(parts[:2]) if parts and parts[0] else ""


def short_label(name: str, info) -> str:
    """Where a backend points, compact enough for an 80-column status bar."""
    target = strip_control(info.target)
    if name == "docker":
        target = target.removeprefix("unix://")
        if target in ("/var/run/docker.sock", "/run/docker.sock", "default"):
            target = "local"
    elif name == "aws" and info.identity:
        account = strip_control(info.identity.split()[0])
        target = f"{account} {target}"
    version = short_version(info.version)
    return f"{target} {version}" if version else target


# worst first: what the status bar shows when the tabs of one backend disagree
SEVERITY = (BackendState.DENIED, BackendState.UNAVAILABLE, BackendState.STALE, BackendState.CONNECTING,
            BackendState.UNCONFIGURED, BackendState.READY)
assert set(SEVERITY) == set(BackendState), "every state needs a rank"


def merge_statuses(reports: tuple[BackendStatus, ...]) -> BackendStatus:
    """One backend's health from every tab on it: the worst state (with its reason), the
    identity of whoever is connected, and the age of the oldest data on screen."""
    worst = min(reports, key=lambda s: SEVERITY.index(s.state))
    info = worst.info or next((s.info for s in reports if s.info is not None), None)
    ages = [s.data_at for s in reports if s.data_at is not None and s.state in (BackendState.READY, BackendState.STALE)]
    return BackendStatus(worst.name, worst.state, info, worst.reason, min(ages) if ages else worst.data_at,
                         max(s.retries for s in reports))


class StatusBar(Static):
    """One line at every width: backends, lock, production cue, running actions."""

    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; color: $foreground; }
    StatusBar.-production { background: $error 30%; }
    """

    def __init__(self, read_only_reason: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.statuses: dict[str, BackendStatus] = {}  # one truth per backend (merged)
        self.reports: dict[str, dict[str, BackendStatus]] = {}  # backend -> tab id -> its report
        self.read_only_reason = read_only_reason
        self.extra: dict[str, str] = {}  # e.g. {"ce calls": "3"} from tabs
        self.running = ""  # "▶ 2 running (A)" while guarded actions run (screens.running)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.redraw)
        self.redraw()

    def set_status(self, status: BackendStatus, source: str = "") -> None:
        """A tab's report; the bar shows one truth per backend, merged from all its tabs."""
        reports = self.reports.setdefault(status.name, {})
        reports[source or status.name] = status
        self.statuses[status.name] = merge_statuses(tuple(reports.values()))
        self.redraw()

    def set_extra(self, key: str, value: str) -> None:
        self.extra[key] = value
        self.redraw()

    def set_running(self, text: str) -> None:
        self.running = text
        self.redraw()

    def _segment(self, name: str, level: int) -> tuple[Text, bool]:
        """One backend's part at a detail ``level``: 0 full (target, version, data age),
        1 without version and live age, 2 a target of at most 14 characters, 3 no target."""
        st = self.statuses.get(name)
        out = Text()
        if st is None:
            out.append(f"{SHORT[name]} …", style="dim")
            return out, False
        glyph, var = GLYPH[st.state]
        out.append(f"{SHORT[name]} ", style="bold")
        out.append(glyph, style=_style(self.app, var))
        production = False
        if st.info is not None:
            label = short_label(name, st.info)
            if level >= 1 and st.info.version:
                label = label.removesuffix(" " + short_version(st.info.version))
            if level >= 2 and name == "aws":  # the profile/region says more than the account id
                label = strip_control(st.info.target)
            if level >= 2 and len(label) > 14:
                label = label[:13] + "…"
            if level < 3:
                out.append(" " + label)
            if st.info.production:
                production = True
                out.append(" PROD", style=f"bold {_style(self.app, '$error')}")
        if st.state is BackendState.STALE and st.data_at is not None:
            out.append(f" stale {age_text(clock.now() - st.data_at.timestamp())}", style=_style(self.app, "$warning"))
        elif st.state is BackendState.READY and st.data_at is not None and level == 0:
            out.append(f" {age_text(clock.now() - st.data_at.timestamp())}", style="dim")
        elif st.state in (BackendState.UNAVAILABLE, BackendState.UNCONFIGURED, BackendState.DENIED) and level < 2:
            out.append(" " + st.state.value, style="dim")
        return out, production

    def status_text(self) -> Text:
        """One line at any width: the most detailed form that fits (80 columns included);
        what never goes: running actions, each backend's state glyph, PROD, RO."""
        width = max(20, self.size.width - 2)
        for level in (0, 1, 2, 3, 4):  # 4: still too long, RO goes first so the cut spares it
            out, production = self._line(min(level, 3), width, lock_first=level == 4)
            if out.cell_len <= width:
                break
        self.set_class(production, "-production")
        return out

    def _line(self, level: int, width: int, lock_first: bool = False) -> tuple[Text, bool]:
        out = Text(no_wrap=True, overflow="ellipsis")
        production = False
        if self.running:  # first, so that it is never cut off
            out.append(self.running, style=f"bold reverse {_style(self.app, '$warning')}")
        if lock_first and self.read_only_reason:
            out.append(" RO" if out else "RO", style=f"bold reverse {_style(self.app, '$warning')}")
        for name in ORDER:
            if out:
                out.append(" │ ", style="dim")
            segment, prod = self._segment(name, level)
            out.append_text(segment)
            production = production or prod
        tail = Text()
        if self.read_only_reason and not lock_first:
            tail.append(" │ ", style="dim")
            label = "RO" if self.read_only_reason == "read-only" or level else f"RO: {self.read_only_reason}"
            tail.append(label, style=f"bold reverse {_style(self.app, '$warning')}")
        for key, value in self.extra.items():  # counters only where they fit on the line
            extra = f" │ {key} {value}"
            if out.cell_len + tail.cell_len + len(extra) <= width:
                out.append(extra, style="dim")
        out.append_text(tail)
        return out, production

    def redraw(self) -> None:
        self.update(self.status_text())
