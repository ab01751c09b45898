"""``kvnet verify`` against the real reference CNI plugins in throwaway namespaces."""

from __future__ import annotations

import ipaddress
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from verify_helpers import Run, nad_yaml

from kvnet.verify.trunk import LACKS

Write = Callable[..., Path]
Verify = Callable[..., Run]


def kernel_has(kind_args: list[str]) -> tuple[bool, str]:
    """Probe a link type ourselves, in a namespace of our own (not kvnet's code path)."""
    ns = f"kvnettest-{os.getpid()}-probe"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "add", "up0", "type", "veth", "peer", "name", "up1"], check=True)
        res = subprocess.run(["ip", "-n", ns, "link", "add", "probe0", "link", "up0", *kind_args],
                             capture_output=True, text=True)
        return res.returncode == 0, res.stderr.strip()
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=True)


def test_macvlan_host_local_ok(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "lan", "type": "macvlan", "master": "eth1", "mode": "bridge",
            "ipam": {"type": "host-local", "subnet": "10.10.0.0/24",
                     "rangeStart": "10.10.0.100", "rangeEnd": "10.10.0.199", "gateway": "10.10.0.1"}}
    r = verify([str(write_nads(nad_yaml("lan", conf, "vms")))])
    assert r.code == 0, (r.out, r.err)
    res = r.result("lan")
    assert res["status"] == "ok"
    assert res["namespace"] == "vms"
    assert res["steps"] == ["ADD", "CHECK", "DEL"]
    assert res["plugins"] == ["macvlan"] and res["ipam"] == "host-local"
    [ip] = res["ips"]
    iface = ipaddress.ip_interface(ip)
    assert iface.network == ipaddress.ip_network("10.10.0.0/24")
    assert ipaddress.ip_address("10.10.0.100") <= iface.ip <= ipaddress.ip_address("10.10.0.199")


def test_static_ipam_address_checked(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "0.4.0", "name": "web-1-lan", "type": "macvlan", "master": "eth0",
            "ipam": {"type": "static", "addresses": [{"address": "192.168.1.20/24", "gateway": "192.168.1.1"}],
                     "routes": [{"dst": "10.0.0.0/8", "gw": "192.168.1.1"}]}}
    r = verify([str(write_nads(nad_yaml("web-1-lan", conf)))])
    assert r.code == 0, (r.out, r.err)
    res = r.result("web-1-lan")
    assert res["status"] == "ok"
    assert res["ips"] == ["192.168.1.20/24"]
    assert res["steps"] == ["ADD", "CHECK", "DEL"]


def test_bridge_host_bits_fails_with_plugin_error(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "broken", "type": "bridge", "bridge": "br-lan",
            "ipam": {"type": "host-local", "subnet": "192.168.1.200/24"}}
    path = write_nads(nad_yaml("broken", conf))
    r = verify([str(path)])
    assert r.code == 1
    res = r.result("broken")
    assert res["status"] == "failed"
    assert "Network has host bits set" in res["message"]
    assert res["message"].startswith("ADD bridge:")
    assert r.json["summary"]["failed"] == 1


def test_unknown_plugin_type_fails_naming_it(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "odd", "type": "frobnicate-cni"}
    r = verify([str(write_nads(nad_yaml("odd", conf)))])
    assert r.code == 1
    res = r.result("odd")
    assert res["status"] == "failed"
    assert "'frobnicate-cni'" in res["message"] and runnable in res["message"]


def test_unknown_ipam_type_fails(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "odd", "type": "macvlan", "master": "eth0", "ipam": {"type": "nope-ipam"}}
    r = verify([str(write_nads(nad_yaml("odd", conf)))])
    assert r.code == 1
    assert "IPAM plugin type 'nope-ipam'" in r.result("odd")["message"]


@pytest.mark.parametrize("kind, conf_extra, feature", [
    ("ipvlan", {"mode": "l2"}, ["type", "ipvlan", "mode", "l2"]),
    ("vlan", {"vlanId": 100}, ["type", "vlan", "id", "100"]),
])
def test_link_types_follow_the_kernel(runnable: str, write_nads: Write, verify: Verify, kind: str,
                                      conf_extra: dict[str, object], feature: list[str]) -> None:
    supported, probe_error = kernel_has(feature)
    conf = {"cniVersion": "1.0.0", "name": f"{kind}-net", "type": kind, "master": "eth0", **conf_extra,
            "ipam": {"type": "static", "addresses": [{"address": "10.30.0.5/24"}]}}
    r = verify([str(write_nads(nad_yaml(f"{kind}-net", conf)))])
    res = r.result(f"{kind}-net")
    if supported:
        assert (r.code, res["status"], res["ips"]) == (0, "ok", ["10.30.0.5/24"]), r.out
    else:
        assert r.code == 0, "a kernel limitation is not a failure"
        assert res["status"] == "skipped"
        assert "kernel lacks" in res["message"] and probe_error in res["message"]


def test_bridge_vlan_follows_kernel(runnable: str, write_nads: Write, verify: Verify) -> None:
    ns = f"kvnettest-{os.getpid()}-brvf"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        supported = subprocess.run(["ip", "-n", ns, "link", "add", "br0", "type", "bridge", "vlan_filtering", "1"],
                                   capture_output=True).returncode == 0
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=True)
    conf = {"cniVersion": "1.0.0", "name": "vl100", "type": "bridge", "bridge": "br-lan", "vlan": 100,
            "ipam": {"type": "host-local", "subnet": "10.90.0.0/24"}}
    bad = {"cniVersion": "1.0.0", "name": "vl5000", "type": "bridge", "bridge": "br-lan", "vlan": 5000}
    r = verify([str(write_nads(nad_yaml("vl100", conf), nad_yaml("vl5000", bad)))])
    res = r.result("vl100")
    assert res["status"] == "ok", r.out
    assert ipaddress.ip_interface(res["ips"][0]).network == ipaddress.ip_network("10.90.0.0/24")
    vlan_note = [n for n in res["notes"] if n.startswith("VLAN tagging not exercised")]
    assert bool(vlan_note) is (not supported)
    if vlan_note:
        assert "bridge VLAN filtering" in vlan_note[0]
    failed = r.result("vl5000")
    assert failed["status"] == "failed" and "5000" in failed["message"]
    assert r.code == 1


def test_bridge_trunk_is_exercised_or_says_why_not(runnable: str, write_nads: Write, verify: Verify) -> None:
    """A vlanTrunk NAD (issue 24) through the installed bridge plugin: never a failure; the note
    says what was exercised: the trunk's VLANs on the port (plugin >= v1.3.0), 'plugin lacks
    vlanTrunk' (older: Debian 12's 1.1.1 ignores the key), or the kernel's missing VLAN filtering."""
    conf = {"cniVersion": "1.0.0", "name": "tr", "type": "bridge", "bridge": "br-tr",
            "vlanTrunk": [{"id": 30}, {"minID": 40, "maxID": 42}]}
    r = verify([str(write_nads(nad_yaml("tr", conf)))])
    res = r.result("tr")
    assert (r.code, res["status"]) == (0, "ok"), r.out
    kernel = [n for n in res["notes"] if n.startswith("VLAN tagging not exercised: kernel lacks")]
    trunk = [n for n in res["notes"] if n == LACKS or n == "vlanTrunk exercised: 4 VLAN(s) on the port"]
    assert len(kernel + trunk) == 1, res["notes"]


def test_conflist_chains_prev_result(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "chain", "plugins": [
        {"type": "bridge", "bridge": "br-x", "ipam": {"type": "host-local", "ranges": [
            [{"subnet": "10.20.0.0/24"}], [{"subnet": "fd00:20::/64"}]]}},
        {"type": "tuning", "mtu": 1400, "sysctl": {"net.ipv4.conf.net1.arp_ignore": "1"}},
    ]}
    r = verify([str(write_nads(nad_yaml("chain", conf)))])
    assert r.code == 0, (r.out, r.err)
    res = r.result("chain")
    assert res["plugins"] == ["bridge", "tuning"]
    assert res["steps"] == ["ADD", "CHECK", "DEL"]
    ips = sorted((ipaddress.ip_interface(i) for i in res["ips"]), key=lambda i: (i.version, i))
    assert [i.network for i in ips] == [ipaddress.ip_network("10.20.0.0/24"), ipaddress.ip_network("fd00:20::/64")]


def test_conflist_with_failing_second_plugin(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "chain", "plugins": [
        {"type": "macvlan", "master": "eth0"},
        {"type": "tuning", "sysctl": {"net.ipv4.no_such_knob": "1"}},
    ]}
    r = verify([str(write_nads(nad_yaml("chain", conf)))])
    res = r.result("chain")
    assert r.code == 1 and res["status"] == "failed"
    assert res["message"].startswith("ADD tuning:") and "no_such_knob" in res["message"]


def test_third_party_plugins_skipped(runnable: str, write_nads: Write, verify: Verify) -> None:
    docs = [
        nad_yaml("wb", {"cniVersion": "1.0.0", "name": "wb", "type": "macvlan", "master": "eth0",
                        "ipam": {"type": "whereabouts", "range": "10.0.0.0/24"}}),
        nad_yaml("sr", {"cniVersion": "1.0.0", "name": "sr", "type": "sriov", "vlan": 10}),
        nad_yaml("mt", {"cniVersion": "1.0.0", "name": "mt", "type": "macvtap", "mtu": 1500}),
        nad_yaml("dh", {"cniVersion": "1.0.0", "name": "dh", "type": "macvlan", "master": "eth0",
                        "ipam": {"type": "dhcp"}}),
    ]
    r = verify([str(write_nads(*docs))])
    assert r.code == 0, (r.out, r.err)
    for name, word in (("wb", "whereabouts"), ("sr", "sriov"), ("mt", "macvtap"), ("dh", "DHCP server")):
        res = r.result(name)
        assert res["status"] == "skipped", res
        assert word in res["message"]
    assert r.json["summary"] == {**r.json["summary"], "total": 4, "ok": 0, "failed": 0, "skipped": 4}


def test_silently_accepted_mistakes_fail(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "na", "type": "macvlan", "master": "eth0",
            "ipam": {"type": "static", "addresses": [{"address": "192.168.5.0/24", "gateway": "192.168.6.1"}]}}
    bc = {"cniVersion": "1.0.0", "name": "bc", "type": "macvlan", "master": "eth0",
          "ipam": {"type": "static", "addresses": [{"address": "192.168.5.255/24"}]}}
    r = verify([str(write_nads(nad_yaml("na", conf), nad_yaml("bc", bc)))])
    assert r.code == 1
    na = r.result("na")
    assert na["status"] == "failed"
    assert "network address of 192.168.5.0/24" in na["message"]
    assert "gateway 192.168.6.1 is outside the subnet" in na["message"]
    assert na["steps"] == ["ADD", "CHECK", "DEL"], "the plugins themselves accept it"
    assert "broadcast address" in r.result("bc")["message"]


def test_host_device_and_old_cni_version(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "0.3.1", "name": "hd", "type": "host-device", "device": "ens5f1"}
    r = verify([str(write_nads(nad_yaml("hd", conf)))], fmt="text")
    assert r.code == 0, (r.out, r.err)
    line = r.out.splitlines()[0]
    assert line.startswith("ok ") and "host-device: ADD, DEL passed" in line
    assert "CHECK not run: cniVersion 0.3.1 predates CHECK" in line


def test_bridge_l2_only(runnable: str, write_nads: Write, verify: Verify) -> None:
    conf = {"cniVersion": "1.0.0", "name": "l2", "type": "bridge", "bridge": "br-ext"}
    r = verify([str(write_nads(nad_yaml("l2", conf)))])
    res = r.result("l2")
    assert (r.code, res["status"], res["ips"]) == (0, "ok", [])
    assert "ADD" in res["steps"] and "DEL" in res["steps"]


def test_bad_nads_fail_with_messages(runnable: str, write_nads: Write, verify: Verify) -> None:
    no_config = ('{"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",'
                 ' "metadata": {"name": "empty"}, "spec": {}}\n')
    docs = [no_config, nad_yaml("badjson", '{"cniVersion": "1.0.0", "type": '),
            nad_yaml("notype", {"cniVersion": "1.0.0", "name": "notype"}),
            nad_yaml("badmaster", {"cniVersion": "1.0.0", "name": "badmaster", "type": "macvlan",
                                   "master": "this-name-is-too-long"})]
    r = verify([str(write_nads(*docs))])
    assert r.code == 1
    assert "no spec.config" in r.result("empty")["message"]
    assert "not valid JSON" in r.result("badjson")["message"]
    assert "no plugin type" in r.result("notype")["message"]
    assert "stand-in link 'this-name-is-too-long'" in r.result("badmaster")["message"]


def test_many_in_parallel_keep_input_order(runnable: str, write_nads: Write, verify: Verify) -> None:
    docs = [nad_yaml(f"n{i:02d}", {"cniVersion": "1.0.0", "name": f"n{i:02d}", "type": "macvlan", "master": "eth0",
                                   "ipam": {"type": "host-local", "subnet": f"10.40.{i}.0/24"}})
            for i in range(12)]
    r = verify([str(write_nads(*docs))], jobs=4)
    assert r.code == 0, (r.out, r.err)
    results = r.json["results"]
    assert [x["name"] for x in results] == [f"n{i:02d}" for i in range(12)]
    for i, x in enumerate(results):
        assert ipaddress.ip_interface(x["ips"][0]).network == ipaddress.ip_network(f"10.40.{i}.0/24")
    assert r.json["summary"]["jobs"] == 4


def test_directory_input_and_formats(runnable: str, tmp_path: Path, verify: Verify) -> None:
    ok = {"cniVersion": "1.0.0", "name": "good", "type": "macvlan", "master": "eth0"}
    bad = {"cniVersion": "1.0.0", "name": "bad", "type": "bridge", "ipam": {"type": "host-local", "subnet": "10.0.0.7/8"}}
    (tmp_path / "a.yaml").write_text(nad_yaml("good", ok))
    (tmp_path / "b.yml").write_text("# a comment first\n" + nad_yaml("bad", bad))
    (tmp_path / "ignored.json").write_text(nad_yaml("nope", ok))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text(nad_yaml("nested", ok))

    text = verify([str(tmp_path)], fmt="text")
    lines = text.out.splitlines()
    assert text.code == 1
    assert len(lines) == 3, text.out  # good, bad, summary: not recursive, *.yaml/*.yml only
    assert lines[0].startswith("ok ") and " good " in lines[0]
    assert lines[1].startswith("FAILED ") and "host bits" in lines[1] and "b.yml:2" in lines[1]
    assert lines[2].startswith("verify: 2 NADs: 1 ok, 1 failed, 0 skipped")

    gh = verify([str(tmp_path)], fmt="github")
    gh_lines = gh.out.splitlines()
    assert gh_lines[0].startswith("ok ")
    assert gh_lines[1].startswith(f"::error file={tmp_path / 'b.yml'},line=2,title=kvnet verify failed%3A bad::bad: ADD bridge")

    js = verify([str(tmp_path)], fmt="json")
    assert [x["status"] for x in js.json["results"]] == ["ok", "failed"]
    assert js.json["results"][1]["line"] == 2


def test_plugin_in_another_cni_dir_is_named(runnable: str, tmp_path: Path, write_nads: Write, verify: Verify) -> None:
    partial = tmp_path / "bin"
    partial.mkdir()
    (partial / "bridge").symlink_to(Path(runnable) / "bridge")
    conf = {"cniVersion": "1.0.0", "name": "m", "type": "macvlan", "master": "eth0"}
    r = verify([str(write_nads(nad_yaml("m", conf)))], bin_dir=str(partial))
    res = r.result("m")
    assert r.code == 1 and res["status"] == "failed"
    assert res["message"] == f"CNI plugin 'macvlan' is not in {partial} (found in {runnable}; pass --cni-bin-dir)"


def test_config_without_name_gets_the_nad_name(runnable: str, write_nads: Write, verify: Verify) -> None:
    """Multus fills a missing config name in from the NAD (multus-cni k8sclient); verify does the
    same, so the plugins run and the NAD passes instead of failing on 'missing network name'."""
    conf = {"cniVersion": "1.0.0", "type": "macvlan", "master": "eth0", "mode": "bridge",
            "ipam": {"type": "static", "addresses": [{"address": "192.168.1.20/24"}]}}
    r = verify([str(write_nads(nad_yaml("noname", conf, "vms")))])
    assert r.code == 0, (r.out, r.err)
    res = r.result("noname")
    assert res["status"] == "ok" and res["ips"] == ["192.168.1.20/24"]
