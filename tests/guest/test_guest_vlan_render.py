"""A trunk NIC's VLAN sub-interfaces (issue 24, interface ``vlans``): kvnet's networkData,
rendered by the real cloud-init 22.4.2 (Debian 12) and 26.2 into every output kind and by
``netplan generate``, gives the guest ``eth1.<id>`` on ``eth1`` with its addresses (both families
on a dual-stack VLAN, issue 25), and no DHCP on the trunk NIC itself. cloud-init 22.4.2's networkd renderer writes no ``.netdev`` for a VLAN
(the sub-interface is never made): that limit is listed and checked to still hold (README
"Guest VLANs")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from guest_tools import KINDS, finish, netplan_binary, netplan_generate, render_all, versions
from testlib import run_kvnet, write

pytestmark = pytest.mark.slow

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: trunks, namespace: vms}
spec:
  networks:
    - {name: trunk, type: bridge, bridge: br0, trunk: [{id: 30}, {minID: 40, maxID: 49}]}
    - {name: lan-30, type: bridge, bridge: br0, vlan: 30, subnet: 10.30.0.0/24, gateway: 10.30.0.1}
    - {name: lan-42, type: bridge, bridge: br0, vlan: 42, subnet: [10.42.0.0/24, 'fd00:42::/64'],
       gateway: [10.42.0.1, 'fd00:42::1']}
  vms:
    - name: router
      image: quay.io/containerdisks/debian:12
      interfaces:
        - network: default
        - network: trunk
          vlans: [{id: 30, address: 10.30.0.5}, {id: 41, address: 'fd00:41::5/64'},
                  {id: 42, address: [10.42.0.5, 'fd00:42::5']}, {id: 43, address: ['fd00:43::5/64', 10.43.0.5/24]}]
"""
# VLAN -> (id, parent, addresses); 42 and 43 are dual-stack (issue 25): both prefixes from lan-42's
# subnets, or as written
WANT = {"eth1.30": (30, "eth1", frozenset({"10.30.0.5/24"})), "eth1.41": (41, "eth1", frozenset({"fd00:41::5/64"})),
        "eth1.42": (42, "eth1", frozenset({"10.42.0.5/24", "fd00:42::5/64"})),
        "eth1.43": (43, "eth1", frozenset({"10.43.0.5/24", "fd00:43::5/64"}))}
Vlans = dict[str, tuple[int, str, frozenset[str]]]
LIMITS = {("22.4.2", "networkd")}  # no .netdev: the VLAN device is never created


def _ini(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def parse_networkd(d: Path) -> Vlans:
    """VLAN name -> (id, parent, addresses) from systemd-networkd units in ``d``."""
    units = {p.name: _ini(p) for p in sorted(d.glob("*")) if p.suffix in (".netdev", ".network")}
    parent = {v: u["Name"][0] for u in units.values() for v in u.get("VLAN", []) if "Name" in u}
    out = {}
    for name, u in units.items():
        if name.endswith(".netdev") and u.get("Kind") == ["vlan"]:
            dev = u["Name"][0]
            net = next((n for n in units.values() if n.get("Name") == [dev] and "Kind" not in n), {})
            out[dev] = (int(u["Id"][0]), parent.get(dev, ""), frozenset(net.get("Address") or []))
    return out


def parse_netplan(root: Path) -> Vlans:
    doc = yaml.safe_load((root / "etc/netplan/50-cloud-init.yaml").read_text())["network"]
    return {n: (v["id"], v["link"], frozenset(v["addresses"])) for n, v in (doc.get("vlans") or {}).items()}


def parse_eni(root: Path) -> Vlans:
    """Each VLAN's ``inet`` and ``inet6`` stanzas (the second family is a control-alias stanza)."""
    text = (root / "etc/network/interfaces.d/50-cloud-init").read_text()
    link: dict[str, tuple[int, str]] = {}
    addrs: dict[str, set[str]] = {}
    for m in re.finditer(r"^iface (\S+) inet6? static\n((?:    .*\n?)*)", text, re.M):
        opts = dict(line.strip().split(None, 1) for line in m.group(2).splitlines() if line.strip())
        addrs.setdefault(m.group(1), set()).add(opts["address"])
        if "vlan-raw-device" in opts:
            vid = opts.get("vlan-id", opts.get("vlan_id", "0"))  # 26.2 writes vlan-id, 22.4.2 vlan_id
            link[m.group(1)] = (int(vid), opts["vlan-raw-device"])
    return {n: (*link[n], frozenset(addrs[n])) for n in link}


def parse_sysconfig(root: Path) -> Vlans:
    out = {}
    for p in sorted((root / "etc/sysconfig/network-scripts").glob("ifcfg-*")):
        kv = {k: v[0] for k, v in _ini(p).items()}
        if kv.get("VLAN") == "yes":
            addrs = {kv["IPV6ADDR"]} if "IPV6ADDR" in kv else set()
            if "IPADDR" in kv:
                addrs.add(f"{kv['IPADDR']}/{sum(bin(int(o)).count('1') for o in kv['NETMASK'].split('.'))}")
            out[kv["DEVICE"]] = (int(kv["DEVICE"].rsplit(".", 1)[1]), kv["PHYSDEV"], frozenset(addrs))
    return out


def parse_network_manager(root: Path) -> Vlans:
    conns = {}
    for p in sorted((root / "etc/NetworkManager/system-connections").glob("*.nmconnection")):
        section, kv = "", {}
        for line in p.read_text().splitlines():
            if line.startswith("["):
                section = line.strip("[]")
            elif "=" in line:
                key, value = line.split("=", 1)
                kv[f"{section}.{key}"] = value
        conns[kv["connection.uuid"]] = kv
    names = {u: c.get("connection.interface-name", c["connection.id"].removeprefix("cloud-init ")) for u, c in conns.items()}
    return {c["connection.interface-name"]: (int(c["vlan.id"]), names.get(c["vlan.parent"], c["vlan.parent"]),
                                             frozenset(c[k] for k in ("ipv4.address1", "ipv6.address1") if k in c))
            for c in conns.values() if c.get("connection.type") == "vlan"}


PARSERS = {"netplan": parse_netplan, "networkd": lambda r: parse_networkd(r / "etc/systemd/network"),
           "eni": parse_eni, "sysconfig": parse_sysconfig, "network-manager": parse_network_manager}


def test_guest_vlans_in_every_renderer(tmp_path: Path) -> None:
    found, missing = versions()
    if not found:
        pytest.skip("; ".join(missing))
    write(tmp_path / "plan" / "kvnet.yaml", PLAN)
    built = run_kvnet("build", str(tmp_path / "plan"))
    assert built.code == 0, built.err
    vm = next(o for o in yaml.safe_load_all(built.out) if o and o["kind"] == "VirtualMachine")
    nd = next(v["cloudInitNoCloud"]["networkData"] for v in vm["spec"]["template"]["spec"]["volumes"]
              if "cloudInitNoCloud" in v)
    assert "dhcp" not in yaml.safe_load(nd)["ethernets"]["eth1"]  # the trunk NIC itself: link only
    write(tmp_path / "nd.yaml", nd)
    jobs = {v: [{"input": str(tmp_path / "nd.yaml"), "distro": d, "kind": k, "out": str(tmp_path / v.name / k)}
                for k, d in KINDS.items()] for v in found}
    results = {v: finish(render_all(v, j)) for v, j in jobs.items()}
    got: dict[tuple[str, str], Vlans] = {}
    for v in found:
        for job, res in zip(jobs[v], results[v], strict=True):
            assert not res["error"], (v.name, job["kind"], res["error"])
            got[(v.name, job["kind"])] = PARSERS[job["kind"]](Path(job["out"]))
    netplan = netplan_binary()
    if netplan is not None:
        files = [tmp_path / v.name / "netplan/etc/netplan/50-cloud-init.yaml" for v in found]
        generated = netplan_generate(netplan, files, tmp_path / "generated")
        for v, f in zip(found, files, strict=True):
            root, err = generated[f]
            assert not err, err
            got[(v.name, "netplan-generate")] = parse_networkd(root / "run/systemd/network")
    wrong = {k: g for k, g in got.items() if (g != WANT) != (k in LIMITS)}
    assert not wrong, f"want {WANT} everywhere but in {sorted(LIMITS)} (which render none): {wrong}"
