"""The shell commands of a RUN step, as hadolint reads them: simple commands split at
``&&``, ``||``, ``;``, ``|`` and newlines, each a list of words (quotes removed)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from functools import lru_cache

_SPLIT = re.compile(r"&&|\|\||;|\||\n")
VALUE_OPTIONS = frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release"})  # apt's options with a value
WRAPPERS = frozenset({"sudo", "env", "nohup", "time", "exec", "command", "xargs"})


# With none of these, shlex's POSIX split is a split at its whitespace (" \t\r\n"): str.split()
# gives the same words unless other Unicode whitespace is present, which is listed here too.
_NEEDS_SHLEX = re.compile("[\"'\\\\\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def simple_commands(script: str) -> Iterator[list[str]]:
    """Each simple command of ``script``; leading ``VAR=x`` assignments are dropped."""
    for words in _commands(script):
        yield list(words)


@lru_cache(maxsize=512)  # every rule of a RUN step reads the same script
def _commands(script: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for part in _SPLIT.split(script):
        if _NEEDS_SHLEX.search(part) is None:
            words = part.split()  # shlex.split's answer, 20x faster
        else:
            try:
                words = shlex.split(part, comments=False, posix=True)
            except ValueError:  # an unbalanced quote: fall back to whitespace
                words = part.split()
        while words and _ASSIGNMENT.match(words[0]):
            words = words[1:]
        if words:
            out.append(tuple(words))
    return tuple(out)


def run_script(args: str) -> str:
    """The shell text of a RUN (exec form ``["sh", "-c", "..."]`` included; flags like --mount dropped)."""
    text = args.strip()
    while text.startswith("--"):
        text = text.partition(" ")[2].lstrip()
    if text.startswith("["):
        import json

        try:
            words = json.loads(text)
        except ValueError:
            return text
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            if len(words) >= 3 and words[1] == "-c":
                return words[2]
            return " ".join(shlex.quote(w) for w in words)
    return text


def unwrap(words: list[str]) -> tuple[list[str], bool]:
    """(the command without sudo/env wrappers, whether sudo was among them)."""
    sudo = False
    while words and words[0] in WRAPPERS:
        sudo = sudo or words[0] == "sudo"
        words = [w for w in words[1:]]
        while words and (words[0].startswith("-") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
            words = words[1:]
    return words, sudo


def subcommand(words: list[str]) -> tuple[str, list[str]]:
    """For ``apt-get -y install a b``: ("install", ["a", "b"]) (options skipped, not their values)."""
    rest = words[1:]
    skip = False
    for i, word in enumerate(rest):
        if skip:
            skip = False
        elif word in VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            return word, rest[i + 1:]
    return "", []


def package_installs(script: str, tools: tuple[str, ...], verb: str) -> Iterator[tuple[list[str], list[str]]]:
    """(the whole command, its package arguments) of every ``<tool> ... <verb> pkgs`` in ``script``."""
    for words in simple_commands(script):
        words, _ = unwrap(words)
        if words and words[0].rsplit("/", 1)[-1] in tools:
            sub, rest = subcommand(words)
            if sub == verb:
                yield words, _arguments(rest)


PACKAGE_VALUE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
                                   "--extra-index-url", "-t", "--target", "-f", "--find-links", "--prefix", "--root",
                                   "-o", "--option", "--registry", "--repository", "--virtual", "-X", "--platform"})


def _arguments(words: list[str]) -> list[str]:
    """The package arguments: options and the values of options that take one are dropped."""
    out, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in PACKAGE_VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            out.append(word)
    return out
