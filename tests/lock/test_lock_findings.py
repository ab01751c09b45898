"""Lock entries and address lists after an edit (acceptance check findings 1 and 2): a lock entry
of a family the network no longer has is stale (KV284, not "a second address"); a wrong address
list is its own one problem (KV211/KV600, no KV280 or lock diagnostic beside it); a third
address is KV600 at that value, not KV104 with a Python list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet

ADDRESS_LINE = "          address: [192.168.30.10]\n"  # VM 'web' on network 'lan' (examples/dual-stack)


def _example(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    shutil.copytree(EXAMPLES / "dual-stack", app)
    return app


def _edit(app: Path, old: str, new: str) -> tuple[int, str]:
    """Replace ``old`` by ``new`` in the plan; (line, text) of the line holding ``new``'s start."""
    text = (app / "kvnet.yaml").read_text()
    assert old in text
    text = text.replace(old, new)
    (app / "kvnet.yaml").write_text(text)
    line = text[:text.index(new)].count("\n") + 1
    return line, text.splitlines()[line - 1]


def _lock_pos(app: Path, needle: str) -> tuple[int, int]:
    lines = (app / "kvnet.lock").read_text().splitlines()
    row = next(n for n, t in enumerate(lines, 1) if needle in t)
    return row, lines[row - 1].index(needle) + 1


def test_entry_of_a_family_the_network_dropped_is_stale(tmp_path: Path) -> None:
    app = _example(tmp_path)
    text = (app / "kvnet.yaml").read_text()
    for old, new in (('[192.168.30.0/24, "fd00:30::/64"]', "[192.168.30.0/24]"),
                     ('[192.168.30.1, "fd00:30::1"]', "[192.168.30.1]"),
                     ('[192.168.30.53, "fd00:30::53"]', "[192.168.30.53]"),
                     ('[192.168.30.100-192.168.30.199, "fd00:30::100-fd00:30::1ff"]', "[192.168.30.100-192.168.30.199]")):
        assert old in text
        text = text.replace(old, new)
    (app / "kvnet.yaml").write_text(text)
    row, col = _lock_pos(app, '"fd00:30::100"')
    res = run_kvnet("build", str(app))
    assert res.code == 1 and res.out == "" and "Traceback" not in res.err
    first = res.err.splitlines()[0]
    assert first == (f"{app / 'kvnet.lock'}:{row}:{col}: error[KV284]: kvnet.lock: address fd00:30::100 of VM 'db' "
                     "on network 'lan' is stale: network 'lan' has no IPv6 subnet"), res.err
    assert "second" not in res.err and "KV282" not in res.err
    assert "hint: the entry is left from an earlier plan: run 'kvnet lock' (it drops the entry)" in res.err
    # the hint is true: kvnet lock drops the IPv6 entries, and the build is clean
    assert run_kvnet("lock", str(app)).code == 0
    assert yaml.safe_load((app / "kvnet.lock").read_text())["plans"]["dual/dual"]["lan"] == {"db": "192.168.30.100"}
    built = run_kvnet("build", str(app))
    assert built.code == 0 and built.err == "", built.err


def test_entry_of_a_family_the_vm_now_writes_is_stale(tmp_path: Path) -> None:
    app = _example(tmp_path)
    _edit(app, ADDRESS_LINE, '          address: [192.168.30.10, "fd00:30::10"]\n')
    row, col = _lock_pos(app, '"fd00:30::101"')
    res = run_kvnet("build", str(app))
    assert res.code == 1 and res.out == ""
    assert res.err.splitlines()[0].startswith(f"{app / 'kvnet.lock'}:{row}:") and "error[KV284]" in res.err, res.err
    assert "KV282" not in res.err and "KV280" not in res.err


@pytest.mark.parametrize(("written", "bad", "code"), [
    ("[192.168.30.1000]", "192.168.30.1000", "KV211"),                    # malformed: IPv4 not given
    ('[192.168.30.1000, "fd00:30::5"]', "192.168.30.1000", "KV211"),      # malformed beside a valid IPv6
    ("[192.168.30.10, 192.168.30.11]", "192.168.30.11", "KV600"),         # two of one family: IPv6 not given
    ('["fd00:30::5", "fd00:30::6"]', '"fd00:30::6"', "KV600"),           # two IPv6: IPv4 not given
])
def test_a_wrong_address_list_is_the_one_problem(tmp_path: Path, written: str, bad: str, code: str) -> None:
    """The network allocates both families; the list's family is unknown, so kvnet.lock is no fix:
    no KV280 ("run kvnet lock"), no KV282/KV284 about web's lock entry."""
    app = _example(tmp_path)
    line, text = _edit(app, ADDRESS_LINE, f"          address: {written}\n")
    res = run_kvnet("build", str(app))
    assert res.code == 1 and res.out == "" and "Traceback" not in res.err
    errors = [t for t in res.err.splitlines() if not t.startswith("  ")]
    col = text.index(bad.strip('"'), text.index("[")) + (0 if bad.startswith('"') else 1)
    assert errors == [errors[0]] and errors[0].startswith(f"{app / 'kvnet.yaml'}:{line}:{col}: error[{code}]: "), res.err


def test_a_third_address_is_kv600_at_its_value(tmp_path: Path) -> None:
    app = _example(tmp_path)
    line, text = _edit(app, 'address: [10.40.0.11, "fd00:40::11"]', 'address: [10.40.0.11, "fd00:40::11", 10.40.0.12]')
    res = run_kvnet("build", str(app))
    assert res.code == 1 and res.out == ""
    col = text.index("10.40.0.12") + 1
    assert res.err.splitlines()[0] == (
        f"{app / 'kvnet.yaml'}:{line}:{col}: error[KV600]: spec.vms[1].interfaces[1]: address 10.40.0.12 is a second "
        "IPv4 value; address takes one value per address family"), res.err
    assert "KV104" not in res.err and "['" not in res.err  # no Python list repr
    checked = run_kvnet("validate", str(app))  # validate reports on stdout
    assert checked.code == 1 and f"{line}:{col}: error[KV600]" in checked.out
