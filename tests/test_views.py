"""``kvnet explain`` and ``kvnet graph`` (issue 13): read from the real compiled output; the DOT is
rendered by Graphviz's ``dot``, the real consumer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, example_dirs, run_kvnet, write


def _built(path: Path) -> list[dict]:
    res = run_kvnet("build", str(path))
    assert res.code == 0, res.err
    return list(yaml.safe_load_all(res.out))


@pytest.mark.parametrize("example", example_dirs(), ids=lambda p: p.name)
def test_explain_rows_match_the_emitted_vms(example: Path) -> None:
    res = run_kvnet("explain", "--output", "json", str(example))
    assert res.code == 0, res.err
    rows = json.loads(res.out)
    vms = {o["metadata"]["name"]: o for o in _built(example) if o["kind"] == "VirtualMachine"}
    assert {r["vm"] for r in rows} == set(vms)
    for vm_name, vm in vms.items():
        ifaces = vm["spec"]["template"]["spec"]["domain"]["devices"]["interfaces"]
        mine = [r for r in rows if r["vm"] == vm_name]
        assert [r["network"] for r in mine] == [i["name"] for i in ifaces]
        assert [r["mac"] for r in mine] == [i["macAddress"] for i in ifaces]
        # exactly one NIC carries a static default route, or the pod NIC's DHCP does
        assert sum(r["default_route"].startswith("yes") for r in mine) <= 1


def test_explain_table_of_the_field_scenario() -> None:
    res = run_kvnet("explain", str(EXAMPLES / "k3s-lan-static"))
    assert res.code == 0, res.err
    header, *lines = res.out.splitlines()
    assert header.split()[:3] == ["VM", "IFACE", "NETWORK"]
    lan = next(line for line in lines if " external " in line)
    pod = next(line for line in lines if " default " in line)
    # the pod NIC carries the guest's one default route (SPEC §3); the LAN NIC none
    assert "192.168.1.200/24" in lan and "plan" in lan and lan.split()[-1] == "-"
    assert pod.split()[-1] == "DHCP"


def test_explain_of_bad_input_is_the_compile_diagnostic(tmp_path: Path) -> None:
    write(tmp_path / "kvnet.yaml", "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: x}\n"
                                   "spec: {vms: [{name: a, image: i:1, interfaces: [{network: nope}]}]}\n")
    res = run_kvnet("explain", str(tmp_path))
    assert res.code == 1 and res.out == "" and "error[KV204]" in res.err


@pytest.mark.parametrize("example", example_dirs(), ids=lambda p: p.name)
def test_graph_dot_renders_with_graphviz(example: Path, tmp_path: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz 'dot' is not installed (apt-get install graphviz)")
    res = run_kvnet("graph", str(example))
    assert res.code == 0, res.err
    svg = subprocess.run([dot, "-Tsvg"], input=res.out, capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(svg)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    edges = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "edge"]
    objs = _built(example)
    for vm in (o for o in objs if o["kind"] == "VirtualMachine"):
        assert f"VM {vm['metadata']['name']}" in texts
    for nad in (o for o in objs if o["kind"] == "NetworkAttachmentDefinition"):
        ns = nad["metadata"].get("namespace")
        assert f"NAD {ns + '/' if ns else ''}{nad['metadata']['name']}" in texts
    assert len(nodes) == res.out.count("shape=") and len(edges) == res.out.count(" -> ")


def test_graph_mermaid_edges_name_declared_nodes() -> None:
    res = run_kvnet("graph", "--output", "mermaid", str(EXAMPLES / "pool-shared"))
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == "flowchart LR"
    declared = {m.group(1) for line in lines if (m := re.match(r"\s+(n\d+)[\[(\{]", line))}
    edges = [re.findall(r"\b(n\d+)\b", line) for line in lines if "-->" in line]
    assert edges and all(len(e) == 2 and set(e) <= declared for e in edges)
