"""Network binding plugins (KV267, one mechanism for macvtap, passt, l2bridge) and interface
``ports`` (issue 25 part 2).

The KV267 hint is run by the real consumer: ``kubectl patch --local`` applies it to a KubeVirt CR
that already registers another binding, which must stay (a merge patch, not a JSON patch ``add``
that would replace ``spec.configuration.network``).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from testlib import run_kvnet, write

PLAN = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata: {name: lab, namespace: vms}
spec:
  networks:
    - {name: mv, type: macvtap, master: eth0}
  vms:
    - name: a
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces:
        - network: default
          binding: passt
          ports: [{name: http, port: 80}, {port: 53, protocol: UDP}]
        - network: mv
    - name: b
      image: quay.io/containerdisks/ubuntu:22.04
      interfaces:
        - {network: default, binding: l2bridge}
"""
KUBEVIRT_CR = """\
apiVersion: kubevirt.io/v1
kind: KubeVirt
metadata: {name: kubevirt, namespace: kubevirt}
spec:
  configuration:
    network:
      permitBridgeInterfaceOnPodNetwork: true
      binding:
        custom: {domainAttachmentType: tap}
"""
#: the registrations as their sources give them (user guide net_binding_plugins/passt.md and
#: macvtap.md; hyperconverged-cluster-operator primaryUserDefinedNetworkBinding)
SOURCES = {
    "passt": {"networkAttachmentDefinition": "default/netbindingpasst",
              "sidecarImage": "quay.io/kubevirt/network-passt-binding:v1.6.0", "migration": {}},
    "macvtap": {"domainAttachmentType": "tap"},
    "l2bridge": {"domainAttachmentType": "managedTap", "migration": {}},
}


def _hint_patches(err: str) -> dict[str, str]:
    """Binding plugin -> the merge patch of its KV267 hint."""
    out = {}
    for block in err.split("\n") if err else []:
        if "register it once per cluster: kubectl patch" in block:
            cmd = shlex.split(block.split("register it once per cluster: ", 1)[1].split(" (KubeVirt < v1.5", 1)[0])
            assert cmd[:6] == ["kubectl", "patch", "kubevirts", "-n", "kubevirt", "kubevirt"] and "--type=merge" in cmd
            patch = cmd[cmd.index("-p") + 1]
            (name,) = yaml.safe_load(patch)["spec"]["configuration"]["network"]["binding"]
            out[name] = patch
    return out


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_each_plugin_hint_registers_it_beside_the_bindings_already_there(tmp_path: Path) -> None:
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", PLAN)))
    assert res.code == 0, res.err
    assert res.err.count("warning[KV267]") == 3
    patches = _hint_patches(res.err)
    assert sorted(patches) == sorted(SOURCES)
    cr = write(tmp_path / "kubevirt.yaml", KUBEVIRT_CR)
    for name, patch in patches.items():
        run = subprocess.run(["kubectl", "patch", "--local", "-f", str(cr), "--type=merge", "-p", patch, "-o", "yaml"],
                             capture_output=True, text=True, timeout=60, check=True)
        network = yaml.safe_load(run.stdout)["spec"]["configuration"]["network"]
        assert network["binding"] == {"custom": {"domainAttachmentType": "tap"}, name: SOURCES[name]}
        assert network["permitBridgeInterfaceOnPodNetwork"] is True


def test_ports_are_written_as_kubevirt_ports(tmp_path: Path) -> None:
    res = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", PLAN)))
    vm = next(o for o in yaml.safe_load_all(res.out) if o["kind"] == "VirtualMachine" and o["metadata"]["name"] == "a")
    iface = vm["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"][0]
    assert iface["binding"] == {"name": "passt"}
    assert iface["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]


@pytest.mark.parametrize(("ports", "code", "column_of"), [
    ("[{port: 0}]", "KV104", "0}"),
    ("[{port: 70000}]", "KV104", "70000"),
    ("[{port: 80, protocol: SCTP}]", "KV104", "SCTP"),
    ("[{name: http, port: 80}, {name: http, port: 81}]", "KV621", "http, port: 81"),
    ("[{name: '80', port: 80}]", "KV621", "'80'"),
])
def test_bad_ports_are_positioned_errors(tmp_path: Path, ports: str, code: str, column_of: str) -> None:
    text = PLAN.replace("[{name: http, port: 80}, {port: 53, protocol: UDP}]", ports)
    path = write(tmp_path / "kvnet.yaml", text)
    res = run_kvnet("build", str(path))
    row = next(i for i, line in enumerate(text.splitlines()) if "ports:" in line)
    col = text.splitlines()[row].index(column_of) + 1
    assert res.code == 1 and res.out == "" and "Traceback" not in res.err
    assert f"{path}:{row + 1}:{col}: error[{code}]" in res.err, res.err
