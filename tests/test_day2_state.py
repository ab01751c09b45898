"""``state:`` on a VM interface (KV236-KV238): up, down (link down), absent (hot-unplug).

The accepted/refused matrix is KubeVirt's own admission rule, written out here independently of
kvnet's code: pkg/network/admitter/admit.go ``validateInterfaceStateValue`` refuses ``up`` and
``down`` on SR-IOV, ``absent`` on any binding but bridge, and ``absent`` on the pod network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kvnet.outputcheck.admission import check_vm_networks
from testlib import write

HEAD = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: lan, type: bridge, bridge: br-lan, subnet: 192.168.1.0/24, gateway: 192.168.1.1}
    - {name: wan, type: bridge, bridge: br-wan, subnet: 10.9.0.0/24, gateway: 10.9.0.1}
    - {name: vf, type: sriov, resourceName: intel.com/sriov}
    - {name: tap, type: macvtap, master: eth1}
    - {name: ext, type: external, nad: other/thing}
  vms:
"""
VM = """\
    - name: web-1
      image: quay.io/containerdisks/debian:12
      interfaces:
"""


def _plan(tmp: Path, interfaces: str) -> Path:
    return write(tmp / "kvnet.yaml", HEAD + VM + interfaces)


def _build(tmp: Path, kvnet, interfaces: str) -> tuple[int, list[dict[str, Any]], str]:
    res = kvnet("build", str(_plan(tmp, interfaces)))
    objs = [o for o in yaml.safe_load_all(res.out) if o] if res.code == 0 else []
    return res.code, objs, res.err


def _vm(objs: list[dict[str, Any]]) -> dict[str, Any]:
    return [o for o in objs if o["kind"] == "VirtualMachine"][0]["spec"]["template"]["spec"]


def _network_data(objs: list[dict[str, Any]]) -> dict[str, Any]:
    ci = [v["cloudInitNoCloud"] for v in _vm(objs)["volumes"] if "cloudInitNoCloud" in v][0]
    return yaml.safe_load(ci["networkData"])  # type: ignore[no-any-return]


def _kubevirt_refuses(binding: str, pod: bool, state: str) -> bool:
    return ((binding == "sriov" and state in ("up", "down")) or (state == "absent" and binding != "bridge")
            or (state == "absent" and pod))


# (interface line, binding KubeVirt sees, on the pod network)
INTERFACES = [
    ("{network: default}", "masquerade", True),
    ("{network: default, binding: bridge}", "bridge", True),
    ("{network: default, binding: passt}", "passt", True),
    ("{network: lan}", "bridge", False),
    ("{network: vf}", "sriov", False),
    ("{network: tap}", "macvtap", False),
    ("{network: ext, binding: sriov}", "sriov", False),
]


@pytest.mark.parametrize("state", ["up", "down", "absent"])
@pytest.mark.parametrize("line,binding,pod", INTERFACES, ids=[i[1] + ("-pod" if i[2] else "") for i in INTERFACES])
def test_every_state_binding_network_combination_follows_kubevirt(
        tmp_path: Path, kvnet, line: str, binding: str, pod: bool, state: str) -> None:
    iface = line[:-1] + f", state: {state}}}"
    code, objs, err = _build(tmp_path, kvnet, f"        - {iface}\n")
    if _kubevirt_refuses(binding, pod, state):
        assert code == 1 and objs == [], err
        codes = {c for c in ("KV236", "KV237") if f"error[{c}]" in err}
        assert codes == ({"KV236"} if binding != "bridge" or state != "absent" else set()) | (
            {"KV237"} if pod and state == "absent" else set()), err
        name = "default" if pod else line.split()[1].rstrip(",}")
        assert f"interface {name!r}" in err and "admit.go" in err, err  # names the interface and the source
    else:
        assert code == 0, err
        assert _vm(objs)["domain"]["devices"]["interfaces"][0]["state"] == state


def test_absent_keeps_its_mac_and_nad_and_loses_only_its_network_data(tmp_path: Path, kvnet) -> None:
    lines = ("        - network: default\n        - network: lan\n          address: 192.168.1.20\n"
             "        - network: wan\n          address: 10.9.0.20\n")
    code, before, err = _build(tmp_path / "a", kvnet, lines)
    assert code == 0, err
    code, after, err = _build(tmp_path / "b", kvnet, lines.replace("192.168.1.20\n", "192.168.1.20\n"
                                                                   "          state: absent\n"))
    assert code == 0, err
    old_ifaces, new_ifaces = (_vm(o)["domain"]["devices"]["interfaces"] for o in (before, after))
    assert [{k: v for k, v in i.items() if k != "state"} for i in new_ifaces] == old_ifaces  # MACs unchanged
    assert new_ifaces[1]["state"] == "absent" and _vm(after)["networks"] == _vm(before)["networks"]
    assert [o for o in after if o["kind"] == "NetworkAttachmentDefinition"] == \
        [o for o in before if o["kind"] == "NetworkAttachmentDefinition"]
    old_nd, new_nd = _network_data(before), _network_data(after)
    assert sorted(old_nd["ethernets"]) == ["eth0", "eth1", "eth2"] and sorted(new_nd["ethernets"]) == ["eth0", "eth2"]
    assert new_nd["ethernets"]["eth2"] == old_nd["ethernets"]["eth2"]
    assert new_nd["ethernets"]["eth0"] == old_nd["ethernets"]["eth0"]


def test_an_absent_interface_does_not_carry_the_default_route(tmp_path: Path, kvnet) -> None:
    lines = ("        - network: lan\n          address: 192.168.1.20\n        - network: wan\n"
             "          address: 10.9.0.20\n")
    absent = lines.replace("192.168.1.20\n", "192.168.1.20\n          state: absent\n")
    code, objs, err = _build(tmp_path, kvnet, absent)
    assert code == 0, err
    # moved to the next NIC with a gateway; a static NIC's IPv4 default route is gateway4 (issue 20 G2)
    assert _network_data(objs)["ethernets"]["eth1"]["gateway4"] == "10.9.0.1"
    code, objs, err = _build(tmp_path, kvnet, lines.replace("192.168.1.20\n", "192.168.1.20\n          state: absent\n"
                                                            "          defaultRoute: true\n"))
    assert code == 1 and "error[KV238]" in err and "'lan'" in err


def test_down_keeps_the_network_data(tmp_path: Path, kvnet) -> None:
    code, objs, err = _build(tmp_path, kvnet, "        - network: lan\n          address: 192.168.1.20\n"
                                              "          state: down\n")
    assert code == 0, err
    assert _network_data(objs)["ethernets"]["eth0"]["addresses"] == ["192.168.1.20/24"]


def test_an_unknown_state_is_a_schema_error(tmp_path: Path, kvnet) -> None:
    code, _, err = _build(tmp_path, kvnet, "        - {network: lan, state: gone}\n")
    assert code == 1 and "KV104" in err


def test_kvnet_lock_keeps_an_absent_interfaces_address(tmp_path: Path, kvnet) -> None:
    plan = _plan(tmp_path, "        - network: lan\n        - network: wan\n          state: absent\n")
    text = plan.read_text().replace("gateway: 10.9.0.1}", "gateway: 10.9.0.1, allocate: 10.9.0.50-10.9.0.60}")
    plan.write_text(text)
    assert kvnet("lock", str(plan)).code == 0
    lock = yaml.safe_load((tmp_path / "kvnet.lock").read_text())
    assert lock["plans"]["vms/lab"]["wan"] == {"web-1": "10.9.0.50"}
    assert kvnet("lock", "--check", str(plan)).code == 0
    plan.write_text(text.replace("        - network: wan\n          state: absent\n", ""))
    assert kvnet("lock", str(plan)).code == 0  # removed from the plan: the address is freed
    assert "wan" not in (yaml.safe_load((tmp_path / "kvnet.lock").read_text())["plans"] or {}).get("vms/lab", {})


def test_the_output_check_knows_kubevirts_state_rules() -> None:
    def vm(iface: dict[str, Any], net: dict[str, Any]) -> dict[str, Any]:
        return {"spec": {"template": {"spec": {"networks": [{"name": "n", **net}],
                                               "domain": {"devices": {"interfaces": [{"name": "n", **iface}]}}}}}}
    multus = {"multus": {"networkName": "x"}}
    assert check_vm_networks(vm({"bridge": {}, "state": "absent"}, multus)) == []
    assert check_vm_networks(vm({"sriov": {}, "state": "absent"}, multus))
    assert check_vm_networks(vm({"sriov": {}, "state": "up"}, multus))
    assert check_vm_networks(vm({"masquerade": {}, "state": "down"}, {"pod": {}})) == []
    assert check_vm_networks(vm({"bridge": {}, "state": "absent"}, {"pod": {}}))
    problems = check_vm_networks(vm({"bridge": {}, "state": "gone"}, multus))
    assert problems and problems[0].path[-1] == "state"


def test_import_reads_state_and_the_imported_plan_builds_the_same_interfaces(tmp_path: Path, kvnet) -> None:
    lines = ("        - network: default\n          state: down\n        - network: lan\n"
             "          address: 192.168.1.20\n          state: absent\n        - network: wan\n"
             "          address: 10.9.0.20\n")
    code, objs, err = _build(tmp_path, kvnet, lines)
    assert code == 0, err
    out = tmp_path / "out"
    out.mkdir()
    (out / "all.yaml").write_text(yaml.safe_dump_all(objs))
    imported = kvnet("import", str(out / "all.yaml"))
    assert imported.code == 0, imported.err
    plan = yaml.safe_load(imported.out)
    states = {i["network"]: i.get("state") for i in plan["spec"]["vms"][0]["interfaces"]}
    assert states["default"] == "down" and states["lan"] == "absent" and states["wan"] is None
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "kvnet.yaml").write_text(imported.out)
    again = kvnet("build", str(tmp_path / "again" / "kvnet.yaml"))
    assert again.code == 0, again.err
    rebuilt = [o for o in yaml.safe_load_all(again.out) if o and o["kind"] == "VirtualMachine"][0]
    assert rebuilt["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"] == \
        _vm(objs)["domain"]["devices"]["interfaces"]


def test_explain_says_an_absent_interface_is_unplugged(tmp_path: Path, kvnet) -> None:
    plan = _plan(tmp_path, "        - network: default\n"
                           "        - {network: lan, address: 192.168.1.20, state: absent}\n")
    res = kvnet("explain", str(plan))
    assert res.code == 0, res.err
    lan = [line for line in res.out.splitlines() if " lan " in line][0]
    assert "state: absent" in lan and "192.168.1.20" not in lan
