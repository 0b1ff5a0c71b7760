"""Hostile kubeconfig files: each is a clear error naming the file, never a traceback."""

from __future__ import annotations

import dataclasses

import pytest

from console.backends.kube_client import list_contexts
from console.config import Config
from console.errors import InvalidInput

BAD = {
    "binary": b"\x00\xff\xfe garbage: [",
    "deep": b"[" * 100_000,
    "not a mapping": b"- just\n- a list\n",
    "cut off": b"apiVersion: v1\nclusters: [\n",
    "contexts not a list": b"apiVersion: v1\ncontexts: 3\n",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_kubeconfig_names_the_file(tmp_path, name):
    path = tmp_path / "kubeconfig"
    path.write_bytes(BAD[name])
    config = Config()
    config = dataclasses.replace(config, kubernetes=dataclasses.replace(config.kubernetes, kubeconfig=str(path)))
    with pytest.raises(InvalidInput) as err:
        list_contexts(config)
    assert str(path) in str(err.value)
