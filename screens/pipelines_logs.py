"""Build logs in the shared log viewer: a ``LogSource`` over one build's CloudWatch stream.

The viewer (screens/log_view.py) keeps the rules: literal text, search, bounded memory.
Following polls CloudWatch Logs for lines newer than the last one seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from console.models.aws import Build, BuildProject, LogLine, Pipeline
from console.text import strip_control

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.aws import AwsBackend

FOLLOW_SECONDS = 3.0


def build_of_pipeline(pipeline: Pipeline, projects: tuple[BuildProject, ...]) -> Build | None:
    """The build that belongs to ``pipeline``'s last execution: a CodeBuild project of its
    failed stage first (else any stage), and of that project the build that started during
    the execution (else its latest). None when the pipeline runs no CodeBuild project."""
    stages = sorted(pipeline.stages, key=lambda s: s.failed_action is None)
    names = [name for stage in stages for name in stage.build_projects]
    by_name = {p.name: p for p in projects}
    last = pipeline.last_execution
    for name in names:
        project = by_name.get(name)
        if project is None or not project.builds:
            continue
        if last is not None and last.started is not None:
            end = last.updated or last.started
            during = [b for b in project.builds if b.started is not None and last.started <= b.started <= end]
            if during:
                return during[0]
        return project.builds[0]
    return None


def format_line(line: LogLine, timestamps: bool) -> str:
    stamp = line.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ ") if timestamps and line.timestamp else ""
    return stamp + strip_control(line.message)


class BuildLogFollow:
    """Iterates the last lines, then new lines every few seconds, until ``close``."""

    def __init__(self, adapter: AwsBackend, build: Build, tail: int, since: float | None, timestamps: bool) -> None:
        self.adapter, self.build, self.tail, self.since, self.timestamps = adapter, build, tail, since, timestamps
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[str]:
        lines = self.adapter.build_log(self.build, limit=self.tail, since=self.since)
        last = max((line.timestamp.timestamp() for line in lines if line.timestamp), default=self.since)
        yield from (format_line(line, self.timestamps) for line in lines)
        while not self._closed.wait(FOLLOW_SECONDS):
            start = (last + 0.001) if last is not None else None
            for line in self.adapter.build_log(self.build, limit=1000, since=start):
                if line.timestamp is not None:
                    last = max(last or 0.0, line.timestamp.timestamp())
                yield format_line(line, self.timestamps)

    def close(self) -> None:
        self._closed.set()


class BuildLogSource:
    """``LogSource`` for ``screens.log_view.LogScreen``; read in the viewer's workers."""

    def __init__(self, adapter: AwsBackend, build: Build) -> None:
        self.adapter = adapter
        self.build = build
        self.title = f"build {build.project} #{build.number} ({build.status}) · {build.log_group}"

    def fetch(self, tail: int, since: float | None, timestamps: bool) -> list[str]:
        lines = self.adapter.build_log(self.build, limit=tail, since=since)
        if since is not None and tail > 0:
            lines = lines[-tail:]
        return [format_line(line, timestamps) for line in lines]

    def follow(self, tail: int, since: float | None, timestamps: bool) -> BuildLogFollow:
        return BuildLogFollow(self.adapter, self.build, tail, since, timestamps)
