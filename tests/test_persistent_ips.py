"""Persistent IPs (issue 25 part 3): allowPersistentIPs where the IPAM honours IPAMClaims, KV622
where it does not, the prerequisites (KV623), pools behind live-migratable VMs (KV624), and
KV281's hint.

The premise of KV624/KV281 and of their hint is run by the real consumer: the reference CNI
plugins (/usr/lib/cni) read the NAD configs kvnet builds, once for the VM's pod and once for its
migration target pod. host-local hands the target another address; the static IPAM of an
``allocate:`` network hands both the address kvnet.lock holds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import run_kvnet, write

from kvnet.nettypes.ipam import IPAMS

CNI_BIN = Path("/usr/lib/cni")
DIAG = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>KV\d+)\]: ")


def plan(network: str, pod: str | None = "{network: default}", iface: str = "{network: lan}",
         cluster: str = "") -> str:
    pod_line = f"        - {pod}\n" if pod else ""
    return (
        "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: lab, namespace: vms}\nspec:\n"
        f"{cluster}  networks:\n    - {network}\n  vms:\n    - name: a\n"
        "      image: quay.io/containerdisks/ubuntu:22.04\n      interfaces:\n"
        f"{pod_line}        - {iface}\n"
    )


def diags(err: str) -> list[tuple[str, str, int]]:
    """(code, severity, line) of every diagnostic line of ``err``."""
    found = [DIAG.match(line) for line in err.splitlines()]
    return [(m["code"], m["sev"], int(m["line"])) for m in found if m]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


POOL = {"host-local": "range: 10.0.0.10-10.0.0.50", "whereabouts": "range: 10.0.0.10-10.0.0.50"}


def bridge_net(ipam: str, extra: str = "") -> str:
    subnet = "" if ipam in ("none", "dhcp") else ", subnet: 10.0.0.0/24"
    pool = f", {POOL[ipam]}" if ipam in POOL else ""
    return f"{{name: lan, type: bridge, bridge: br0, ipam: {ipam}{subnet}{pool}{extra}}}"


@pytest.mark.parametrize("ipam", [i.name for i in IPAMS if i.claims is None])
def test_allow_persistent_ips_where_the_ipam_ignores_claims_is_kv622(tmp_path: Path, ipam: str) -> None:
    iface = "{network: lan, address: 10.0.0.7}" if ipam == "static" else "{network: lan}"
    text = plan(bridge_net(ipam, ", allowPersistentIPs: true"), iface=iface)
    path = write(tmp_path / "kvnet.yaml", text)
    res = run_kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert "Traceback" not in res.err
    assert ("KV622", "error", line_of(text, "allowPersistentIPs")) in diags(res.err)
    [line] = [x for x in res.err.splitlines() if "[KV622]" in x]
    assert line.startswith(f"{path}:{line_of(text, 'allowPersistentIPs')}:")
    assert "allocate: START-END" in res.err  # the hint: what holds today
    assert "KV208" not in res.err  # the field applies; the IPAM is what refuses it


OVN = "{name: lan, type: ovn-layer2, subnet: 10.0.0.0/24, allowPersistentIPs: true}"


def nad_config(out: str, name: str = "lan") -> dict[str, Any]:
    [nad] = [d for d in yaml.safe_load_all(out) if d["kind"] == "NetworkAttachmentDefinition"
             and d["metadata"]["name"] == name]
    cfg: dict[str, Any] = json.loads(nad["spec"]["config"])
    return cfg


def test_ovn_persistent_ips_written_quiet_without_a_distribution(tmp_path: Path) -> None:
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", plan(OVN))))
    assert res.code == 0 and res.err == ""
    # kubevirt/ipam-extensions reads the key at the top of the NAD config (its README)
    assert nad_config(res.out)["allowPersistentIPs"] is True


def test_ovn_persistent_ips_prerequisites_off_openshift(tmp_path: Path) -> None:
    text = plan(OVN)
    path = write(tmp_path / "kvnet.yaml", text)
    res = run_kvnet("build", "--distribution", "k3s", str(path))
    assert res.code == 0 and res.out
    assert ("KV623", "warning", line_of(text, "allowPersistentIPs")) in diags(res.err)
    hint = res.err.split("[KV623]", 1)[1]
    for need in ("kubevirt/ipam-extensions", "IPAMClaim CRD", "--enable-persistent-ips", "cert-manager",
                 "no feature gate"):
        assert need in hint
    quiet = run_kvnet("build", "--distribution", "openshift", str(path))
    assert quiet.code == 0 and "KV623" not in quiet.err


def test_ovn_persistent_ips_unused_network_needs_no_claims(tmp_path: Path) -> None:
    text = plan(OVN, iface="{network: default}", pod=None)
    res = run_kvnet("build", "--distribution", "k3s", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 0 and "KV623" not in res.err


MIGRATABLE = [("masquerade pod", "{network: default}", "{network: lan}"),
              ("passt pod", "{network: default, binding: passt}", "{network: lan}"),
              ("no pod network", None, "{network: lan}")]


@pytest.mark.parametrize("ipam", ["whereabouts", "dhcp"])
@pytest.mark.parametrize("case", MIGRATABLE, ids=[c[0] for c in MIGRATABLE])
def test_pool_behind_a_live_migratable_vm_is_kv624(tmp_path: Path, ipam: str, case: tuple[str, Any, str]) -> None:
    text = plan(bridge_net(ipam), pod=case[1], iface=case[2])
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 0 and res.out
    assert ("KV624", "warning", line_of(text, "ipam:")) in diags(res.err)
    assert "allocate: START-END" in res.err.split("[KV624]", 1)[1]


def test_pool_behind_a_vm_that_cannot_migrate_is_quiet(tmp_path: Path) -> None:
    text = plan(bridge_net("whereabouts"), pod="{network: default, binding: bridge}")
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 0 and "KV624" not in res.err


def test_ovn_subnet_without_persistent_ips_is_kv624_with_its_fix(tmp_path: Path) -> None:
    text = plan("{name: lan, type: ovn-layer2, subnet: 10.0.0.0/24}")
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", text)))
    assert res.code == 0
    assert ("KV624", "warning", line_of(text, "subnet:")) in diags(res.err)
    assert "allowPersistentIPs: true" in res.err.split("[KV624]", 1)[1]


def test_host_local_is_kv281_whose_hint_says_allocate_holds(tmp_path: Path) -> None:
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", plan(bridge_net("host-local")))))
    assert res.code == 0
    codes = [d[0] for d in diags(res.err)]
    assert codes.count("KV281") == 1 and "KV624" not in codes
    hint = res.err.split("[KV281]", 1)[1]
    assert "allocate: START-END" in hint
    assert "whereabouts" in hint and "restart" in hint and "whereabouts#557" in hint


def test_lint_warns_kv624_for_hand_written_whereabouts(tmp_path: Path) -> None:
    nad = {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
           "metadata": {"name": "lan", "namespace": "vms"},
           "spec": {"config": json.dumps({"cniVersion": "0.3.1", "name": "lan", "type": "bridge", "bridge": "br0",
                                          "ipam": {"type": "whereabouts", "range": "10.0.0.0/24"}})}}
    vm = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "a", "namespace": "vms"},
          "spec": {"template": {"spec": {
              "domain": {"devices": {"interfaces": [{"name": "default", "masquerade": {}},
                                                    {"name": "lan", "bridge": {}}]}},
              "networks": [{"name": "default", "pod": {}}, {"name": "lan", "multus": {"networkName": "lan"}}]}}}}
    path = tmp_path / "in.yaml"
    path.write_text(yaml.safe_dump_all([nad, vm], sort_keys=False), encoding="utf-8")
    res = run_kvnet("lint", str(path))  # lint reports on stdout
    assert res.code == 0
    assert ("KV624", "warning", 7) in diags(res.out), res.out  # the NAD's spec.config line
    assert "allowPersistentIPs" in res.out.split("[KV624]", 1)[1]  # the manifest hint names both fixes


# ---------------------------------------------------------------- the real IPAM plugins


def cni_add(config: dict[str, Any], container: str, data_dir: Path) -> list[str]:
    """CNI ADD of ``config``'s IPAM plugin alone (what the main plugin delegates to), for pod
    ``container``: the addresses it hands out. host-local keeps its leases under ``data_dir``."""
    ipam = dict(config["ipam"])
    if ipam["type"] == "host-local":
        ipam["dataDir"] = str(data_dir)
    stdin = json.dumps({**config, "ipam": ipam})
    env = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": container, "CNI_NETNS": f"/run/netns/{container}",
           "CNI_IFNAME": "net1", "CNI_PATH": str(CNI_BIN), "PATH": os.environ.get("PATH", "")}
    proc = subprocess.run([str(CNI_BIN / ipam["type"])], input=stdin, env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [ip["address"] for ip in json.loads(proc.stdout)["ips"]]


def test_real_plugins_host_local_moves_allocate_holds(tmp_path: Path) -> None:
    for plugin in ("host-local", "static"):
        if not (CNI_BIN / plugin).is_file():
            pytest.skip(f"needs the reference CNI plugin {CNI_BIN / plugin} (apt-get install containernetworking-plugins)")
    text = plan(bridge_net("host-local")).replace("    - {name: lan", "    - {name: held, type: bridge, bridge: br0, "
                                                   "subnet: 10.1.0.0/24, ipam: static, allocate: 10.1.0.10-10.1.0.20}"
                                                   "\n    - {name: lan")
    text = text.replace("        - {network: lan}\n", "        - {network: lan}\n        - {network: held}\n")
    path = write(tmp_path / "plan" / "kvnet.yaml", text)
    locked = run_kvnet("lock", str(path.parent))
    assert locked.code == 0, locked.err
    res = run_kvnet("build", str(path.parent))
    assert res.code == 0, res.err
    pool, held = nad_config(res.out, "lan"), nad_config(res.out, "a-held")
    # the VM's pod, then its migration target pod while the source still runs
    source, target = cni_add(pool, "launcher-src", tmp_path), cni_add(pool, "launcher-dst", tmp_path)
    assert source != target  # KV281: the guest keeps the source's address, the pod has another
    lock = (path.parent / "kvnet.lock").read_text(encoding="utf-8")
    assert cni_add(held, "launcher-src", tmp_path) == cni_add(held, "launcher-dst", tmp_path)
    [address] = cni_add(held, "launcher-src", tmp_path)
    assert address.split("/")[0] in lock
