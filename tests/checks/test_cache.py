"""Parsed files are cached by content hash; an unchanged re-scan parses nothing."""

from __future__ import annotations

from checks.engine import scan
from checks.hcl_cache import HclCache
from console.config import Config


def corpus(tmp_path, n=12):
    tmp_path.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (tmp_path / f"m{i}.tf").write_text(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n')
    return tmp_path


def test_warm_rescan_hits_the_cache(tmp_path):
    root = corpus(tmp_path / "tf")
    cold = scan([root], config=Config())
    warm = scan([root], config=Config())
    assert cold.cache_misses == 12 and cold.cache_hits == 0
    assert warm.cache_misses == 0 and warm.cache_hits == 12
    assert [f.fingerprint for f in cold.findings] == [f.fingerprint for f in warm.findings]


def test_changed_file_is_reparsed(tmp_path):
    root = corpus(tmp_path / "tf", 3)
    scan([root], config=Config())
    (root / "m1.tf").write_text('resource "aws_sqs_queue" "q1" {\n  name = "q1"\n  sqs_managed_sse_enabled = true\n}\n')
    again = scan([root], config=Config())
    assert again.cache_misses == 1 and again.cache_hits == 2
    assert sorted(f.resource for f in again.findings if f.rule_id == "OPS-TF-SQS-001") == ["aws_sqs_queue.q0", "aws_sqs_queue.q2"]


def test_parallel_parse_matches_serial(tmp_path):
    texts = {f"f{i}.tf": f'resource "aws_sns_topic" "t{i}" {{\n  name = "t{i}"\n}}\n' for i in range(10)}
    texts["bad.tf"] = 'resource "x" {\n'
    parallel = HclCache(None).parse_all(texts, workers=2)
    serial = {name: HclCache(None).parse_all({name: text}, workers=1)[name] for name, text in texts.items()}
    assert parallel == serial
    assert parallel["bad.tf"].tree is None and parallel["bad.tf"].error_line == 2


def test_corrupt_cache_entry_is_ignored(tmp_path):
    root = corpus(tmp_path / "tf", 1)
    config = Config()
    scan([root], config=config)
    for entry in (config.cache_dir / "hcl").rglob("*.json"):
        entry.write_text("{truncated")
    again = scan([root], config=config)
    assert again.cache_misses == 1 and [f for f in again.findings if f.rule_id == "OPS-TF-SQS-001"]


def test_added_file_is_the_only_one_parsed(tmp_path):
    root = corpus(tmp_path / "tf", 4)
    scan([root], config=Config())
    (root / "extra.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    again = scan([root], config=Config())
    assert again.cache_misses == 1 and again.cache_hits == 4


def test_the_parse_cache_never_holds_a_secret_and_is_private(tmp_path):
    import os
    import stat

    root = corpus(tmp_path / "tf", 3)
    (root / "db.tf").write_text('resource "aws_db_instance" "db" {\n  password = "hunter2hunter2"\n'
                                '  user_data = "export API_TOKEN=Zq8vR2xL0pWm4KtY"\n}\n')
    config = Config()
    cold = scan([root], config=config)
    warm = scan([root], config=config)
    cache_dir = config.cache_dir / "hcl"
    packs = list(cache_dir.glob("pack-*.json"))
    assert packs
    for pack in packs:
        text = pack.read_text()
        assert "hunter2hunter2" not in text and "Zq8vR2xL0pWm4KtY" not in text
        assert stat.S_IMODE(os.stat(pack).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cache_dir).st_mode) == 0o700
    assert warm.cache_hits == 3 and warm.cache_misses == 1  # the secret file is parsed again, never stored
    assert [f.fingerprint for f in cold.findings] == [f.fingerprint for f in warm.findings]
