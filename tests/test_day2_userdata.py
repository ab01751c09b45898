"""userData carries cloud-init's network update events (kvnet.expand.userdata, KV234, KV235).

What cloud-init itself decides with that userData is proven in tests/guest/test_update_events.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kvnet.expand.userdata import DEFAULT_USER_DATA, UPDATES, UPDATES_BLOCK, add_update_events
from testlib import write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {{name: lab}}
spec:
  networks: []
  vms:
    - name: a
      image: quay.io/containerdisks/debian:12
{cloud_init}"""


def _build(tmp: Path, kvnet, cloud_init: str) -> tuple[dict[str, Any], str]:
    res = kvnet("build", str(write(tmp / "kvnet.yaml", PLAN.format(cloud_init=cloud_init))))
    assert res.code == 0, res.err
    vm = [o for o in yaml.safe_load_all(res.out) if o["kind"] == "VirtualMachine"][0]
    vols = [v["cloudInitNoCloud"] for v in vm["spec"]["template"]["spec"]["volumes"] if "cloudInitNoCloud" in v]
    return (vols[0] if vols else {}), res.err


def _user(text: str, extra: str = "") -> str:
    body = "".join(f"          {line}\n" for line in text.splitlines())
    return f"      cloudInit:\n{extra}        userData: |\n{body}"


def test_a_vm_without_user_data_gets_the_update_events(tmp_path: Path, kvnet) -> None:
    ci, err = _build(tmp_path, kvnet, "")
    assert ci["userData"] == DEFAULT_USER_DATA and "networkData" in ci and err == ""
    assert yaml.safe_load(ci["userData"]) == {"updates": UPDATES}


def test_the_users_cloud_config_is_kept_byte_for_byte_and_gains_updates(tmp_path: Path, kvnet) -> None:
    text = "#cloud-config\n# my comment\nruncmd:\n  - [touch, /run/x]\npackages: [htop]\n"
    ci, err = _build(tmp_path, kvnet, _user(text))
    assert ci["userData"] == text + UPDATES_BLOCK and err == ""
    assert yaml.safe_load(ci["userData"])["updates"] == UPDATES


def test_empty_user_data_is_no_user_data(tmp_path: Path, kvnet) -> None:
    ci, err = _build(tmp_path, kvnet, '      cloudInit: {userData: ""}\n')
    assert ci["userData"] == DEFAULT_USER_DATA and err == ""


def test_a_users_own_updates_is_kept(tmp_path: Path, kvnet) -> None:
    text = "#cloud-config\nupdates:\n  network:\n    when: [boot, hotplug]\n"
    ci, err = _build(tmp_path, kvnet, _user(text))
    assert ci["userData"] == text and err == ""


def test_a_users_updates_without_boot_is_kv235(tmp_path: Path, kvnet) -> None:
    text = "#cloud-config\nupdates:\n  network:\n    when: [boot-new-instance]\n"
    ci, err = _build(tmp_path, kvnet, _user(text))
    assert ci["userData"] == text
    assert "warning[KV235]" in err and "'a'" in err and "boot" in err


@pytest.mark.parametrize("text,what", [
    ("#!/bin/sh\necho hi\n", "a script"),
    ('Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n--XX--\n', "MIME multipart"),
    ("#include\nhttps://example.invalid/ud\n", "'#include'"),
    ("#cloud-config\n{runcmd: [[touch, /run/x]]}\n", "layout"),
    ("#cloud-config\n- a list\n", "not a mapping"),
    ("#cloud-config\nruncmd: [\n", "not valid YAML"),
])
def test_user_data_kvnet_cannot_extend_is_kept_with_kv234(tmp_path: Path, kvnet, text: str, what: str) -> None:
    ci, err = _build(tmp_path, kvnet, _user(text))
    assert ci["userData"] == text
    assert "warning[KV234]" in err and what in err, err
    assert "text/cloud-config" in err and "runcmd" in err  # the hint gives the fix


def test_network_data_none_keeps_user_data_verbatim_and_silent(tmp_path: Path, kvnet) -> None:
    ci, err = _build(tmp_path, kvnet, _user("#!/bin/sh\necho hi\n", "        networkData: none\n"))
    assert ci == {"userData": "#!/bin/sh\necho hi\n"} and err == ""


def test_jinja_cloud_config_and_missing_newline() -> None:
    jinja = "## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}-x\n"
    out = add_update_events(jinja)
    assert out.problem is None and out.text == jinja + UPDATES_BLOCK
    out = add_update_events("#cloud-config\nhostname: a")
    assert out.text == "#cloud-config\nhostname: a\n" + UPDATES_BLOCK
    # a block scalar with 'keep' chomping at the end keeps its trailing newlines
    keep = "#cloud-config\nwrite_files:\n  - path: /x\n    content: |+\n      a\n\n"
    out = add_update_events(keep)
    assert out.problem is None and yaml.safe_load(out.text) == {**yaml.safe_load(keep), "updates": UPDATES}
    # a document end marker: appending would land after it, so the block goes after the header
    ended = "#cloud-config\nhostname: a\n...\n"
    out = add_update_events(ended)
    assert out.text == "#cloud-config\n" + UPDATES_BLOCK + "hostname: a\n...\n"


def test_output_is_deterministic_and_idempotent() -> None:
    once = add_update_events("#cloud-config\nhostname: a\n").text
    assert add_update_events(once).text == once  # kvnet's own output, imported and built again


FRAGMENTS = ["a", "b: 1", "c: [1, 2]", "d: {e: f}", "- x", "  - y", "  g: h", "'q: r'", '"s\\\\t"', "# c", "k: |",
             "  block", "k2: >-", "  folded", "&a v", "*a", "<<: *m", "m: &m {n: 1}", "---", "...", "? x", ": y",
             "x:y", "u: on", "v: 0o17", "w: 1:30", "t: 2001-12-14", "z: ~", "[a, b]: c", "{p: q}", "'", '"', "[",
             "]", "{", "}", ",", "!!str 1", "!!int x", "!x y", "%YAML 1.1", "  ", "", "- - z", "key: value # c",
             "@", "`", "|", ">", "k: 'it''s'", "k: \"a\\\"b\"", "e: ! x"]


def test_userdata_is_read_as_cloud_init_reads_it() -> None:
    """kvnet reads ASCII userData with libyaml (fast), everything else with PyYAML's own scanner
    as cloud-init does (cloudinit/util.py load_yaml): on a seeded corpus of ASCII cloud-configs,
    libyaml's reading is PyYAML's, or libyaml refuses and PyYAML's own decides."""
    import random

    from kvnet.expand.userdata import _load

    rng = random.Random(28)
    for _ in range(3000):
        text = "#cloud-config\n" + "\n".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 6))) + "\n"
        try:
            expected: tuple[bool, Any] = (True, yaml.safe_load(text))
        except Exception:  # noqa: BLE001 (whatever PyYAML raises: cloud-init takes it as a failure)
            expected = (False, None)
        assert _load(text) == expected, text
