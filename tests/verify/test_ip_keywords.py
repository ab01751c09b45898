"""Interface names that are ip(8) keywords (issue #27): a bridge or master named ``help``,
``netns``, ``dev`` or ``type`` is a valid Linux name; its stand-in is created with ``name``/``dev``
before it, so verify passes the NAD instead of reporting a false FAILED."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from verify_helpers import Run, nad_yaml

KEYWORDS = ["help", "netns", "dev", "type", "name", "up", "address"]


@pytest.mark.parametrize("plugin", ["bridge", "macvlan"])
def test_interface_names_that_are_ip_keywords(runnable: str, tmp_path: Path, verify: Callable[..., Run],
                                              plugin: str) -> None:
    docs = []
    for i, word in enumerate(KEYWORDS):
        conf = {"cniVersion": "0.4.0", "name": f"n{i}", "type": plugin,
                "ipam": {"type": "host-local", "subnet": f"10.99.{i}.0/24"}}
        conf["bridge" if plugin == "bridge" else "master"] = word
        docs.append(nad_yaml(f"n{i}", conf, namespace="vms"))
    nads = tmp_path / "nads.yaml"
    nads.write_text("---\n".join(docs))
    r = verify([str(nads)], bin_dir=runnable)
    assert r.code == 0, r.out + r.err
    statuses = [(res["name"], res["status"]) for res in json.loads(r.out)["results"]]
    assert statuses == [(f"n{i}", "ok") for i in range(len(KEYWORDS))], r.out
