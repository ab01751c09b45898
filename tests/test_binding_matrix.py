"""Every binding x state x network x ports combination, table-driven (issue 25 part 2).

``REFUSALS`` says, with its source, which combinations are refused: KubeVirt's validating
webhook (kubevirt/kubevirt pkg/network/admitter, one file per concern), the binding plugins'
own documentation, and SPEC §4's bindings a network cannot carry. Every combination is one VM of
one plan, compiled once; each VM must get exactly the error codes its row predicts (none: it
builds), the diagnostic must name the interface, and a KubeVirt refusal must cite its source.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Callable, NamedTuple

import yaml
from testlib import run_kvnet, write

BINDINGS = ("masquerade", "bridge", "sriov", "macvtap", "passt", "l2bridge")
STATES = (None, "up", "down", "absent")
#: network name -> its plan line ("default": the pod network, no line)
NETWORKS = {
    "default": None,
    "lan": "{name: lan, type: bridge, bridge: br0}",
    "mvl": "{name: mvl, type: macvlan, master: eth0}",
    "vf": "{name: vf, type: sriov, resourceName: intel.com/sriov}",
    "tap": "{name: tap, type: macvtap, master: eth1}",
    "ovs": "{name: ovs, type: ovs, bridge: br1}",
    "l2": "{name: l2, type: ovn-layer2}",
    "ext": "{name: ext, type: external, nad: other/shared}",
}
TYPES = {"default": "pod", "lan": "bridge", "mvl": "macvlan", "vf": "sriov", "tap": "macvtap", "ovs": "ovs",
         "l2": "ovn-layer2", "ext": "external"}


class Case(NamedTuple):
    binding: str
    state: str | None
    network: str
    ports: bool

    @property
    def type(self) -> str:
        return TYPES[self.network]


class Refusal(NamedTuple):
    code: str
    applies: Callable[[Case], bool]
    source: str  # where the refusal comes from
    cited: str | None  # what the diagnostic must cite (KubeVirt's refusals), None: kvnet's own rule


ADMITTER = "pkg/network/admitter/"
REFUSALS = (
    Refusal("KV230", lambda c: c.binding == "masquerade" and c.type != "pod",
            "kubevirt pkg/network/admitter/binding.go validateMasqueradeBinding", ADMITTER + "binding.go"),
    Refusal("KV230", lambda c: c.binding == "passt" and c.type != "pod",
            "user guide network/net_binding_plugins/passt.md (Secondary network: No)", "passt.md"),
    Refusal("KV236", lambda c: c.binding == "sriov" and c.state in ("up", "down"),
            "kubevirt pkg/network/admitter/admit.go validateInterfaceStateValue (SR-IOV)", ADMITTER + "admit.go"),
    Refusal("KV236", lambda c: c.state == "absent" and c.binding != "bridge",
            "kubevirt pkg/network/admitter/admit.go validateInterfaceStateValue (absent: bridge only)",
            ADMITTER + "admit.go"),
    Refusal("KV237", lambda c: c.state == "absent" and c.type == "pod",
            "kubevirt pkg/network/admitter/admit.go validateInterfaceStateValue (absent: not default networks)",
            ADMITTER + "admit.go"),
    # SPEC §4 "a binding the network cannot carry"; external: its plugin is unknown (SPEC §9)
    Refusal("KV230", lambda c: c.binding == "sriov" and c.type not in ("sriov", "external"), "SPEC §4", None),
    Refusal("KV230", lambda c: c.binding == "macvtap" and c.type not in ("macvtap", "external"), "SPEC §4", None),
    Refusal("KV230", lambda c: c.type in ("sriov", "macvtap") and c.binding in ("bridge", "l2bridge"),
            "SPEC §4 (sriov and macvtap networks need their own binding)", None),
    Refusal("KV230", lambda c: c.type == "macvlan" and c.binding in ("bridge", "l2bridge"),
            "SPEC §4 (bridge not on macvlan/ipvlan: passes no traffic)", None),
    Refusal("KV620", lambda c: c.ports and not (c.binding in ("masquerade", "passt") and c.type == "pod"),
            "kubevirt netiface.go validatePortConfiguration: ports are forwarded by masquerade and passt on "
            "the pod network only", ADMITTER + "netiface.go"),
)
CASES = [Case(*c) for c in itertools.product(BINDINGS, STATES, NETWORKS, (False, True))]


def _plan(cases: list[Case]) -> str:
    nets = "".join(f"    - {line}\n" for line in NETWORKS.values() if line)
    vms = []
    for n, case in enumerate(cases):
        state = f", state: {case.state}" if case.state else ""
        ports = ", ports: [{name: http, port: 80}]" if case.ports else ""
        vms.append(f"    - name: vm-{n}\n      image: quay.io/containerdisks/ubuntu:22.04\n      interfaces:\n"
                   f"        - {{network: {case.network}, binding: {case.binding}{state}{ports}}}\n")
    return ("apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: matrix, namespace: vms}\n"
            "spec:\n  networks:\n" + nets + "  vms:\n" + "".join(vms))


def test_every_combination_is_refused_as_its_source_says(tmp_path: Path) -> None:
    text = _plan(CASES)
    path = write(tmp_path / "kvnet.yaml", text)
    res = run_kvnet("validate", str(path), "--format", "json")
    found: dict[int, list[dict[str, str]]] = {}
    lines = text.splitlines()
    for diag in json.loads(res.out or res.err):
        if diag["severity"] != "error":
            continue
        # the VM is the nearest "- name: vm-N" at or above the diagnostic's line
        row = next(r for r in range(diag["line"] - 1, -1, -1) if lines[r].startswith("    - name: vm-"))
        found.setdefault(int(lines[row].split("vm-")[1]), []).append(diag)
    wrong = []
    for n, case in enumerate(CASES):
        rows = [r for r in REFUSALS if r.applies(case)]
        want = sorted({r.code for r in rows})
        got = sorted({d["code"] for d in found.get(n, [])})
        if got != want:
            wrong.append(f"{case}: want {want} ({'; '.join(r.source for r in rows)}), got {got}")
            continue
        for d in found.get(n, []):
            assert f"interface '{case.network}'" in d["message"], d
        for r in rows:
            if r.cited is not None:
                assert any(r.cited in d["message"] and d["code"] == r.code for d in found[n]), (case, r.source)
    assert wrong == [], "\n".join(wrong)
    assert sum(len(v) for v in found.values()) >= 500


def test_every_accepted_combination_builds(tmp_path: Path) -> None:
    """The accepted combinations build, and the VMs pass kvnet's output checks (KubeVirt's VM
    schema and admission rules); ports are written where given."""
    accepted = [c for c in CASES if not any(r.applies(c) for r in REFUSALS)]
    assert len(accepted) > 50
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", _plan(accepted))))
    assert res.code == 0, res.err
    vms = [o for o in yaml.safe_load_all(res.out) if o["kind"] == "VirtualMachine"]
    assert len(vms) == len(accepted)
    for vm in vms:
        case = accepted[int(vm["metadata"]["name"].split("-")[1])]
        iface = vm["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]
        assert iface.get("ports") == ([{"name": "http", "port": 80, "protocol": "TCP"}] if case.ports else None)
        key = {"passt": "binding", "macvtap": "binding", "l2bridge": "binding"}.get(case.binding, case.binding)
        assert key in iface and (key != "binding" or iface["binding"] == {"name": case.binding})
