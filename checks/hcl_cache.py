"""Parse .tf files (python-hcl2's grammar, see checks.hcl_fast) in parallel, cached on
disk by content hash.

The cache is one JSON "pack" per scanned tree, mapping content hash -> parse. An
unchanged re-scan reads each file, hashes it and loads the pack, so it never imports the
parser at all; an edited or added file is the only one parsed again. A parse error is
cached too, as (line, message).

The cache never holds a secret: a file whose parse contains a secret-looking literal
(``password = "..."``, a key format, a credential in a URL or in user_data) is parsed
again on every scan instead of being stored. The directory is 0700 and packs are 0600.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.evidence import NOT_A_SECRET_KEY, SECRET_KEYWORD, mask_secrets
from console.fsutil import private_dir

PARSER_TAG = "hcl2-7.3.1-meta-v2"  # part of the cache key: a parser change invalidates the cache
PARALLEL_MIN_FILES = 8  # below this a process pool costs more than it saves


@dataclass(frozen=True)
class Parsed:
    tree: dict[str, Any] | None
    error_line: int = 0
    error: str = ""


def holds_secret(tree: Any) -> bool:
    """True when a parse tree holds a literal that looks like a secret (then it is never cached)."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str):
                    literal = value.strip()
                    if literal and "${" not in literal and SECRET_KEYWORD.search(str(key)) \
                            and not NOT_A_SECRET_KEY.search(str(key)) and literal.lower() not in ("true", "false"):
                        return True
                    if mask_secrets(value) != value:
                        return True
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            for value in node:
                if isinstance(value, str):
                    if mask_secrets(value) != value:
                        return True
                elif isinstance(value, (dict, list)):
                    stack.append(value)
    return False


def content_key(text: str) -> str:
    return hashlib.sha256((PARSER_TAG + "\0" + text).encode("utf-8", "surrogatepass")).hexdigest()


def parse_text(text: str) -> Parsed:
    from lark.exceptions import LarkError, UnexpectedInput

    from checks import hcl_fast  # heavy (lark, hcl2): imported only on a cache miss

    try:
        return Parsed(hcl_fast.loads(text))
    except UnexpectedInput as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Parsed(None, int(getattr(exc, "line", 0) or 0), first)
    except (LarkError, ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        return Parsed(None, 0, f"{type(exc).__name__}: {exc}".splitlines()[0][:300])


class HclCache:
    def __init__(self, cache_dir: Path | None) -> None:
        self.dir = cache_dir
        self.hits = 0
        self.misses = 0

    def _store_at(self, path: Path, payload: str) -> None:
        try:
            private_dir(path.parent, tighten=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, path)
        except OSError:
            return  # a read-only or full cache dir only costs speed, never correctness

    def _pack_file(self, names: list[str]) -> Path | None:
        """One file per scanned tree (keyed by the files' common directory) holding every
        parse: a warm re-scan opens one file, and adding or editing a file re-parses only it."""
        if self.dir is None or not names:
            return None
        try:
            common = os.path.commonpath([os.path.abspath(n) for n in names])
        except ValueError:  # different drives
            common = "\0".join(sorted(names))
        return self.dir / f"pack-{hashlib.sha1(common.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}.json"

    def _load_pack(self, path: Path | None) -> dict[str, Any]:
        if path is None:
            return {}
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _store_pack(self, path: Path | None, entries: dict[str, Parsed]) -> None:
        if path is None:
            return
        payload = json.dumps({k: {"secret": True} if holds_secret(p.tree) or mask_secrets(p.error) != p.error
                              else {"tree": p.tree, "line": p.error_line, "error": p.error} for k, p in entries.items()})
        self._store_at(path, payload)

    def parse_all(self, texts: dict[str, str], workers: int | None = None) -> dict[str, Parsed]:
        """Parse ``{display_path: text}``; cached entries are reused, misses parsed in parallel."""
        out: dict[str, Parsed] = {}
        keys = {name: content_key(text) for name, text in texts.items()}
        pack_path = self._pack_file(list(texts))
        pack = self._load_pack(pack_path)
        missing: dict[str, list[str]] = {}
        secret_only = True  # every miss is a known secret-holding file: the pack needs no rewrite
        for name, key in keys.items():
            entry = pack.get(key)
            if isinstance(entry, dict) and entry.get("secret") is True:
                missing.setdefault(key, []).append(name)
            elif isinstance(entry, dict):
                out[name] = Parsed(entry.get("tree"), int(entry.get("line") or 0), str(entry.get("error") or ""))
                self.hits += 1
            else:
                missing.setdefault(key, []).append(name)
                secret_only = False
        if not missing or secret_only:
            if missing:
                out.update(self._parse_missing(texts, missing, workers))
            if len(pack) != len(set(keys.values())) or any(k not in pack for k in keys.values()):
                self._store_pack(pack_path, {keys[name]: parsed for name, parsed in out.items()})
            return out
        out.update(self._parse_missing(texts, missing, workers))
        self._store_pack(pack_path, {keys[name]: parsed for name, parsed in out.items()})
        return out

    def _parse_missing(self, texts: dict[str, str], missing: dict[str, list[str]], workers: int | None) -> dict[str, Parsed]:
        out: dict[str, Parsed] = {}
        self.misses += len(missing)
        jobs = [(key, texts[names[0]]) for key, names in missing.items()]
        cpus = workers or os.cpu_count() or 1
        if len(jobs) >= PARALLEL_MIN_FILES and cpus > 1:
            from concurrent.futures import ProcessPoolExecutor
            from concurrent.futures.process import BrokenProcessPool

            from checks import hcl_fast

            hcl_fast.parser()  # built (or loaded) once here, inherited by the forked workers
            # Largest files first so the pool's tail is short.
            jobs.sort(key=lambda job: -len(job[1]))
            try:
                with ProcessPoolExecutor(max_workers=min(cpus, len(jobs))) as pool:
                    results = list(pool.map(parse_text, [t for _, t in jobs],
                                            chunksize=max(1, len(jobs) // (cpus * 4))))
            except (BrokenProcessPool, OSError):  # no processes here (limits, sandbox): parse in this one
                results = [parse_text(t) for _, t in jobs]
        else:
            results = [parse_text(t) for _, t in jobs]
        for (key, _), parsed in zip(jobs, results, strict=True):
            for name in missing[key]:
                out[name] = parsed
        return out
