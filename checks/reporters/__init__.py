"""Reporters: one function per format, ``render(result) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from checks.engine import ScanResult
from checks.reporters import json_report, junit, sarif, text

FORMATS: dict[str, Callable[[ScanResult], str]] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
}
