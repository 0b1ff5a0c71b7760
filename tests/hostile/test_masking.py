"""The one masking module: every planted syntax is masked, in linear time, everywhere."""

from __future__ import annotations

import json

import pytest
import yaml

from console.actions.records import Outcome, current_operator, make_record, render_markdown
from console.actions.spec import ActionSpec, Change, Risk, Target
from console.logbuffer import prepare_line
from console.masking import DEEP, MASK, mask_args, mask_env, mask_secrets_in, mask_secrets_value
from tests.hostile.corpus import (
    LINES,
    SECRETS,
    container_command,
    container_env,
    container_labels,
    hostile_log_lines,
    hostile_pod,
    leaked,
)
from tests.hostile.deadline import within


@pytest.mark.parametrize("line", LINES)
def test_every_free_text_syntax_is_masked(line):
    out = mask_secrets_in(line)
    assert leaked(out) == [] and MASK in out


def test_what_is_not_secret_stays_literal():
    for text in ("passed: 3 tests", "author: ann", "user=alice path=/a/b", "https://example.com/a:b",
                 "automountServiceAccountToken: true", "ports 8080:80"):
        assert mask_secrets_in(text) == text
    assert mask_secrets_in("password=hunter2 user=alice") == f"password={MASK} user=alice"
    assert mask_secrets_in(mask_secrets_in("token: abc")) == f"token: {MASK}"  # idempotent


def test_structured_objects_by_key_by_value_and_by_pair():
    pod = mask_secrets_value(hostile_pod("shop", "p"))
    for text in (yaml.safe_dump(pod), json.dumps(pod), str(pod)):
        assert leaked(text) == []
    raw = hostile_pod("shop", "p")  # the text forms of the unmasked object, masked as text
    for text in (yaml.safe_dump(raw), json.dumps(raw), json.dumps(raw, indent=2), str(raw)):
        assert leaked(mask_secrets_in(text)) == [], text[:200]
    assert leaked(" ".join(mask_args(container_command()))) == []
    assert leaked("\n".join(mask_env(e) for e in container_env())) == []
    assert leaked(str(mask_secrets_value(container_labels()))) == []


def test_deep_nesting_is_cut_not_recursed():
    deep: list = []
    cur = deep
    for _ in range(10_000):
        nxt: list = []
        cur.append(nxt)
        cur = nxt
    out = within(30, mask_secrets_value, deep)
    assert DEEP in json.dumps(out, ensure_ascii=False)


def test_hostile_lines_mask_within_deadline():
    """Each line is 64 KB at most; a quadratic pattern took minutes on these."""
    lines = [*hostile_log_lines(), "password:" + "a " * 30_000, "--pass " * 9000, "name: password\n" * 4000,
             "a=" * 32_000, "x://" * 16_000, "'" * 65_000, "\\\"" * 30_000]
    out = within(60, lambda: [prepare_line(line) for line in lines])
    assert not any(leaked(line) for line in out)
    assert not any("\x1b" in line or "\x00" in line or "\x9b" in line for line in out)


def test_audit_record_and_changelog_entry_carry_no_planted_secret():
    target = Target("container", "web", "docker", f"ssh://ops:{SECRETS['url_user']}@prod-1", id="abc")
    spec = ActionSpec(verb="restart", targets=(target,), risk=Risk.HIGH, execute=lambda t, timeout: None,
                      summary=f"restart web --password {SECRETS['flag_space']}",
                      undo_hint=f"docker start web # token={SECRETS['env']}",
                      details={"cmd": f"--token={SECRETS['flag_eq']}", "db_password": "plain-secret-under-key"})
    record = make_record(spec, target, Outcome.SUCCEEDED, operator=current_operator(), action_id="id-1",
                         reason=" ".join(LINES), detail=f"Authorization: Bearer {SECRETS['bearer']}",
                         changes=(Change("env", f"API_KEY={SECRETS['api_key']}", f'password = "{SECRETS["hcl"]}"'),))
    text = json.dumps(record) + render_markdown(record)
    assert leaked(text) == [] and "plain-secret-under-key" not in text


def test_safe_text_masks_by_value_unless_an_audited_reveal():
    from console.text import safe_text

    assert leaked(safe_text(" ".join(LINES)).plain) == []
    assert safe_text("\x1b[31mtoken=abc").plain == f"token={MASK}"
    assert safe_text("token=abc", mask=False).plain == "token=abc"


def test_file_locations_are_not_key_value_pairs():
    assert mask_secrets_in("OPS-REPO-004 at infra/secrets.env:3") == "OPS-REPO-004 at infra/secrets.env:3"
    assert mask_secrets_in('{"password":"x"}') == '{"password":"' + MASK + '"}'
