"""kvnet's own output is clean for lint, and ``kvnet build`` -> ``kvnet import`` -> ``kvnet build``
reproduces the networking (SPEC §8): NAD configs as JSON, VM networks, interfaces and MACs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from testlib import REPO, example_dirs, run_kvnet, write

CORPUS = Path(__file__).parent / "corpus"
EXAMPLES = example_dirs()


def _distribution(example: Path) -> list[str]:
    plan = yaml.safe_load((example / "kvnet.yaml").read_text())
    dist = ((plan.get("spec") or {}).get("cluster") or {}).get("distribution")
    return ["--distribution", dist] if dist else []


def networking(stream: str) -> dict[tuple[str, str, str], Any]:
    """(kind, namespace, name) -> the NAD config as JSON, or the VM's networks and interfaces."""
    out: dict[tuple[str, str, str], Any] = {}
    for obj in yaml.safe_load_all(stream):
        if not obj:
            continue
        key = (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if obj["kind"] == "NetworkAttachmentDefinition":
            out[key] = json.loads(obj["spec"]["config"])
        elif obj["kind"] == "VirtualMachine":
            spec = obj["spec"]["template"]["spec"]
            out[key] = (spec["networks"], spec["domain"]["devices"]["interfaces"])
    return out


def _external_nads(example: Path) -> set[str]:
    plan = yaml.safe_load((example / "kvnet.yaml").read_text())
    return {n["nad"] for n in (plan.get("spec") or {}).get("networks") or [] if n.get("type") == "external"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_kvnet_output_lints_clean(example: Path) -> None:
    """No finding on what kvnet emits, but KV306 for the NAD of an external network (SPEC §9):
    kvnet attaches to it and, by design, does not emit it."""
    built = run_kvnet("build", str(example))
    assert built.code == 0, built.err
    run = run_kvnet("lint", "--format", "json", *_distribution(example), "-", input=built.out)
    assert run.code == 0, run.out
    externals = _external_nads(example)
    for d in json.loads(run.out):
        assert d["code"] == "KV306" and any(f"'{nad}'" in d["message"] for nad in externals), d
    if not externals:
        strict = run_kvnet("lint", "--strict", *_distribution(example), "-", input=built.out)
        assert strict.code == 0 and strict.out.endswith(": 0 errors, 0 warnings\n"), strict.out


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_build_import_build_round_trip(example: Path, tmp_path: Path) -> None:
    first = run_kvnet("build", str(example))
    imported = run_kvnet("import", "-", input=first.out)
    assert imported.code == 0, imported.err
    # the only notes on kvnet's own output: the node side, which a plan states as spec.cluster
    notes = [line for line in imported.err.splitlines() if not line.startswith("  hint: ")]
    assert all("warning[KV311]" in n and "is not imported" in n for n in notes), imported.err
    plan = write(tmp_path / "kvnet.yaml", imported.out)
    second = run_kvnet("build", str(plan))
    assert second.code == 0, second.err
    before, after = networking(first.out), networking(second.out)
    assert before and after == before


def test_import_of_the_l2_example_is_the_plan_back(tmp_path: Path) -> None:
    """An L2 NAD has no subnet: the guest's networkData gives subnet and DNS back (the gateway
    only where the NIC carries the default route; here the pod NIC does), so the rebuilt output
    is byte-identical, cloud-init networkData included."""
    first = run_kvnet("build", str(Path(EXAMPLES[0]).parent / "k3s-lan-static"))
    imported = run_kvnet("import", "-", input=first.out)
    plan = yaml.safe_load(imported.out)
    net = plan["spec"]["networks"][0]
    assert (net["subnet"], net["dns"]) == ("192.168.1.0/24", {"nameservers": ["192.168.1.1"]})
    second = run_kvnet("build", str(write(tmp_path / "kvnet.yaml", imported.out)))
    assert second.out == first.out


def test_import_refuses_wrong_input_with_lint_findings() -> None:
    run = run_kvnet("import", str(CORPUS / "field-incident.yaml"))
    assert run.code == 1 and run.out == ""
    for code in ("KV206", "KV210", "KV230", "KV240"):
        assert f"error[{code}]" in run.err


def test_import_warns_about_what_a_plan_cannot_express(tmp_path: Path) -> None:
    vm = (CORPUS / "clean-macvtap-binding-plugin.yaml").read_text()
    no_disk = run_kvnet("import", "-", input=vm)
    assert no_disk.code == 0 and "a plan VM needs 'image' or 'rootDisk'" in no_disk.err
    vm = vm.replace("""        devices:
          interfaces:""", """        devices:
          disks:
          - name: containerdisk
            disk: {bus: virtio}
          interfaces:""").replace("""      networks:
      - name: podnet""", """      volumes:
      - name: containerdisk
        containerDisk: {image: quay.io/containerdisks/fedora:40}
      networks:
      - name: podnet""")
    src = write(tmp_path / "in.yaml", vm + """---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata:
  name: gw
spec:
  config: '{"cniVersion":"1.0.0","type":"bridge","bridge":"br-gw","isGateway":true}'
""")
    run = run_kvnet("import", str(src))
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if "warning[KV311]" in line]
    assert any("'podnet' is named 'default'" in w for w in warnings)
    assert any("'hostnetwork' is named 'macvtapnetwork'" in w for w in warnings)
    assert any("isGateway" in w and w.startswith(f"{src}:") for w in warnings)
    assert any("root disk 'containerdisk' becomes disk 'rootdisk'" in w for w in warnings)
    plan = yaml.safe_load(run.out)
    assert [n["name"] for n in plan["spec"]["networks"]] == ["macvtapnetwork", "gw"]
    vm = plan["spec"]["vms"][0]
    assert vm["image"] == "quay.io/containerdisks/fedora:40" and "template" not in vm
    assert vm["interfaces"] == [{"network": "default"}, {"network": "macvtapnetwork"}]
    assert vm["cloudInit"] == {"networkData": "none"}
    # the plan it writes compiles
    rebuilt = run_kvnet("validate", str(write(tmp_path / "kvnet.yaml", run.out)))
    assert rebuilt.code == 0, rebuilt.err


def test_import_names_every_node_side_object_it_leaves_to_spec_cluster(tmp_path: Path) -> None:
    """SPEC §8: import warns, per object, about what a plan cannot express; the node side of a
    build (CRD, RBAC, Multus and installer DaemonSets) is spec.cluster in a plan, not imported."""
    built = run_kvnet("build", str(REPO / "examples" / "k3s-multus"))
    assert built.code == 0, built.err
    out = write(tmp_path / "out.yaml", built.out)
    res = run_kvnet("import", "--format", "json", str(out))
    assert res.code == 0, res.err
    notes = {(d["message"].split(" is not imported")[0], d["line"]) for d in json.loads(res.err)
             if d["code"] == "KV311" and "is not imported" in d["message"]}
    lines = built.out.splitlines()
    node_side = [o for o in yaml.safe_load_all(built.out) if o["kind"] not in ("NetworkAttachmentDefinition",
                                                                              "VirtualMachine")]
    assert node_side
    for obj in node_side:
        what = f"{obj['kind']} {obj['metadata']['name']!r}"
        line = next(n for (w, n) in notes if w == what)
        assert lines[line - 1] == f"kind: {obj['kind']}"


def test_import_reads_the_ipv6_gateway_kvnet_writes_as_gateway6(tmp_path: Path) -> None:
    """A static IPv6 NIC carries its default route as netplan's gateway6 (cloud-init 22.4 turns
    '::/0' into '::/64'); import reads it back as the network's gateway."""
    plan = write(tmp_path / "in" / "kvnet.yaml", """
        apiVersion: kvnet.dev/v1alpha1
        kind: NetworkPlan
        metadata: {name: lab, namespace: vms}
        spec:
          networks:
            - {name: lan6, type: bridge, bridge: br-lan, subnet: "2001:db8:1::/64", gateway: "2001:db8:1::1"}
          vms:
            - name: web-1
              image: quay.io/containerdisks/ubuntu:22.04
              interfaces:
                - {network: lan6, address: "2001:db8:1::20"}
        """)
    built = run_kvnet("build", str(plan.parent))
    assert built.code == 0 and "gateway6" in built.out, built.err
    imported = run_kvnet("import", "-", input=built.out)
    assert imported.code == 0, imported.err
    net = yaml.safe_load(imported.out)["spec"]["networks"][0]
    assert net["name"] == "lan6" and net["gateway"] == "2001:db8:1::1"


def test_import_names_an_external_network_after_its_nad_when_the_interface_name_is_taken(tmp_path: Path) -> None:
    """A VM interface 'lan' on another namespace's NAD 'lan', in a namespace with its own 'lan':
    the plan's external network is 'prod-lan' (the interface kept), and the plans validate."""
    nad = ("apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {{name: lan, namespace: {ns}}}\n"
           "spec: {{config: '{{\"cniVersion\":\"1.0.0\",\"type\":\"bridge\",\"bridge\":\"{br}\"}}'}}\n---\n")
    vm = ("apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {{name: {name}, namespace: lab}}\n"
          "spec: {{template: {{spec: {{domain: {{devices: {{disks: [{{name: rootdisk, disk: {{bus: virtio}}}}], "
          "interfaces: [{{name: lan, bridge: {{}}}}]}}}}, volumes: [{{name: rootdisk, containerDisk: {{image: img}}}}], "
          "networks: [{{name: lan, multus: {{networkName: {ref}}}}}]}}}}}}\n---\n")
    text = nad.format(ns="lab", br="br1") + nad.format(ns="prod", br="br2") + vm.format(name="a", ref="lan") \
        + vm.format(name="b", ref="prod/lan")
    imported = run_kvnet("import", "-", input=text)
    assert imported.code == 0, imported.err
    plans = [p for p in yaml.safe_load_all(imported.out) if p]
    lab = next(p for p in plans if p["metadata"].get("namespace") == "lab")
    assert {"name": "prod-lan", "type": "external", "nad": "prod/lan"} in lab["spec"]["networks"]
    b = next(v for v in lab["spec"]["vms"] if v["name"] == "b")
    assert b["interfaces"] == [{"network": "prod-lan"}]
    assert "interface 'lan' is named 'prod-lan'" in imported.err
    write(tmp_path / "kvnet.yaml", imported.out)
    assert run_kvnet("validate", str(tmp_path)).code == 0
