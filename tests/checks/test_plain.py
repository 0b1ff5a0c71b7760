"""checks.plain (rich-free, for a fast CLI start) behaves like console.text."""

from __future__ import annotations

import pytest

from checks import plain
from console import text


@pytest.mark.parametrize("value", ["plain", "\x1b[31mred\x1b[0m", "a\x07b\x9b2Jc", "x\r\ny\rz", "\x1b]0;title\x07t", "\t\n"])
def test_strip_control_matches_console_text(value):
    assert plain.strip_control(value) == text.strip_control(value)


@pytest.mark.parametrize("key", ["DB_PASSWORD", "api_key", "name", "SESSION_ID", "tokens", "image"])
def test_looks_secret_matches_console_text(key):
    assert plain.looks_secret(key) == text.looks_secret(key)
    assert plain.MASK == text.MASK
