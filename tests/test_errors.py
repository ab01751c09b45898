"""Every input error class of SPEC §4: code, file:line:col, exit 1, empty stdout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testlib import run_kvnet, write

BASE = """\
apiVersion: kvnet.dev/v1alpha1
kind: NetworkPlan
metadata:
  name: lab
  namespace: vms
spec:
  networks:
{networks}
  vms:
{vms}
"""

LAN = """\
    - name: lan
      type: bridge
      bridge: br-lan
      subnet: 192.168.1.0/24
      gateway: 192.168.1.1
"""


def vm(name: str = "web-1", ifaces: str = "        - network: default\n        - network: lan\n") -> str:
    return (f"    - name: {name}\n      image: quay.io/containerdisks/ubuntu:22.04\n"
            f"      interfaces:\n{ifaces}")


def plan(networks: str = LAN, vms: str | None = None) -> str:
    return BASE.format(networks=networks.rstrip("\n"), vms=(vm() if vms is None else vms).rstrip("\n"))


# (id, plan text, code, line containing this text, column of this text within that line)
CASES: list[tuple[str, str, str, str, str]] = [
    ("unknown-field", plan(LAN.replace("bridge: br-lan", "bridg: br-lan")), "KV101", "bridg: br-lan", "bridg"),
    ("wrong-type", plan(LAN + "      mtu: big\n"), "KV102", "mtu: big", "big"),
    ("missing-required", plan("    - name: lan\n      bridge: br-lan\n"), "KV103", "- name: lan", "name"),
    ("bad-enum", plan(LAN.replace("type: bridge", "type: vxlan")), "KV104", "type: vxlan", "vxlan"),
    ("bad-dns-name", plan(LAN.replace("name: lan", "name: LAN_1")), "KV105", "name: LAN_1", "LAN_1"),
    ("name-too-long", plan(vms=vm("v" * 64)), "KV105", "v" * 64, "v" * 64),
    ("bad-ifname-long", plan(LAN.replace("br-lan", "br-external-uplink0")), "KV105", "br-external-uplink0",
     "br-external-uplink0"),
    ("bad-ifname-char", plan(LAN.replace("br-lan", "br/lan")), "KV105", "br/lan", "br/lan"),
    ("vlan-range", plan(LAN + "      vlan: 4095\n"), "KV104", "vlan: 4095", "4095"),
    ("mtu-range", plan(LAN + "      mtu: 67\n"), "KV104", "mtu: 67", "67"),
    ("reserved-default", plan(LAN + LAN.replace("name: lan", "name: default").replace("br-lan", "br-x")),
     "KV206", "name: default", "default"),
    ("duplicate-network", plan(LAN + LAN.replace("br-lan", "br-two")), "KV201", "- name: lan", "lan"),
    ("duplicate-vm", plan(vms=vm() + vm()), "KV202", None, None),
    ("duplicate-interface", plan(vms=vm(ifaces="        - network: lan\n        - network: lan\n")),
     "KV203", None, None),
    ("unknown-network", plan(vms=vm(ifaces="        - network: lna\n")), "KV204", "network: lna", "lna"),
    ("two-pod-networks", plan(vms=vm(ifaces="        - network: default\n        - network: default\n")),
     "KV205", None, None),
    ("subnet-host-bits", plan(LAN.replace("192.168.1.0/24", "192.168.1.200/24")), "KV210",
     "192.168.1.200/24", "192.168.1.200/24"),
    ("address-outside", plan(vms=vm(ifaces="        - network: lan\n          address: 10.0.0.5/24\n")),
     "KV211", "10.0.0.5/24", "10.0.0.5/24"),
    ("address-network", plan(vms=vm(ifaces="        - network: lan\n          address: 192.168.1.0\n")),
     "KV212", "address: 192.168.1.0", "192.168.1.0"),
    ("address-broadcast", plan(vms=vm(ifaces="        - network: lan\n          address: 192.168.1.255/24\n")),
     "KV212", "192.168.1.255/24", "192.168.1.255/24"),
    ("address-gateway", plan(vms=vm(ifaces="        - network: lan\n          address: 192.168.1.1/24\n")),
     "KV213", "address: 192.168.1.1/24", "192.168.1.1/24"),
    ("gateway-outside", plan(LAN.replace("gateway: 192.168.1.1", "gateway: 192.168.2.1")), "KV214",
     "gateway: 192.168.2.1", "192.168.2.1"),
    ("pool-outside", plan(LAN + "      ipam: host-local\n      range: 192.168.2.10-192.168.2.20\n"), "KV215",
     "range: 192.168.2.10", "192.168.2.10"),
    ("pool-reversed", plan(LAN + "      ipam: whereabouts\n      range: 192.168.1.200-192.168.1.100\n"), "KV215",
     "range: 192.168.1.200", "192.168.1.200"),
    ("same-address-twice", plan(vms=vm("a", "        - network: lan\n          address: 192.168.1.20\n")
                                + vm("b", "        - network: lan\n          address: 192.168.1.20/24\n")),
     "KV216", "address: 192.168.1.20/24", "192.168.1.20/24"),
    ("same-mac-twice", plan(vms=vm("a", "        - network: lan\n          mac: 02:00:00:00:00:01\n")
                            + vm("b", "        - network: lan\n          mac: 02:00:00:00:00:01\n")),
     "KV217", None, None),
    ("static-without-address", plan(LAN + "      ipam: static\n"), "KV218", "- network: lan", "lan"),
    ("address-on-pool", plan(LAN + "      ipam: host-local\n",
                             vm(ifaces="        - network: lan\n          address: 192.168.1.20\n")),
     "KV219", "address: 192.168.1.20", "192.168.1.20"),
    ("duplicate-default-route",
     plan(vms=vm(ifaces="        - network: default\n          defaultRoute: true\n"
                        "        - network: lan\n          defaultRoute: true\n")),
     "KV221", "defaultRoute: true", "true"),
    ("default-route-without-gateway",
     plan(LAN.replace("      gateway: 192.168.1.1\n", "") + "      ipam: host-local\n",
          vm(ifaces="        - network: default\n        - network: lan\n          defaultRoute: true\n")),
     "KV222", "defaultRoute: true", "true"),
    ("route-to-host-bits", plan(LAN + "      routes: [{to: 10.0.0.1/8, via: 192.168.1.254}]\n"),
     "KV223", "routes:", "10.0.0.1/8"),
    ("route-to-default", plan(LAN + "      routes: [{to: default, via: 192.168.1.254}]\n"),
     "KV223", "routes:", "default,"),
    ("route-via-outside", plan(LAN + "      routes: [{to: 10.0.0.0/8, via: 192.168.2.254}]\n"),
     "KV224", "routes:", "192.168.2.254"),
    ("route-family", plan(LAN + "      routes: [{to: fd00:20::/64, via: 192.168.1.254}]\n"),
     "KV225", "routes:", "fd00:20::/64"),
    ("masquerade-on-secondary", plan(vms=vm(ifaces="        - network: lan\n          binding: masquerade\n")),
     "KV230", "binding: masquerade", "masquerade"),
    ("sriov-binding-on-bridge", plan(vms=vm(ifaces="        - network: lan\n          binding: sriov\n")),
     "KV230", "binding: sriov", "sriov"),
    ("bridge-binding-on-macvlan",
     plan("    - name: lan\n      type: macvlan\n      master: eth0\n      mode: bridge\n"),
     "KV230", "- network: lan", "lan"),
    ("macvtap-binding-on-bridge", plan(vms=vm(ifaces="        - network: lan\n          binding: macvtap\n")),
     "KV230", "binding: macvtap", "macvtap"),
    ("multus-annotation", plan(vms=vm() + "      annotations:\n        k8s.v1.cni.cncf.io/networks: lan\n"),
     "KV240", "k8s.v1.cni.cncf.io/networks", "k8s.v1.cni.cncf.io/networks"),
    ("multus-annotation-in-template",
     plan(vms=vm() + "      template:\n        metadata:\n          annotations:\n"
          "            k8s.v1.cni.cncf.io/networks: lan\n"),
     "KV240", "k8s.v1.cni.cncf.io/networks", "k8s.v1.cni.cncf.io/networks"),
    ("template-networks", plan(vms=vm() + "      template:\n        networks: []\n"), "KV241",
     "networks: []", "networks"),
    ("duplicate-key", plan(LAN + "      bridge: br-again\n"), "KV002", "bridge: br-again", "bridge"),
    ("yaml-syntax", plan(LAN + "      mtu: [1500\n"), "KV001", None, None),
]


def _position(text: str, line_has: str | None, col_of: str | None, occurrence: str) -> tuple[int, int] | None:
    if line_has is None:
        return None
    lines = text.splitlines()
    idx = [i for i, line in enumerate(lines) if line_has in line]
    assert idx, f"test bug: {line_has!r} not in plan"
    i = idx[-1] if occurrence == "last" else idx[0]
    return i + 1, lines[i].index(col_of or line_has.strip()) + 1


@pytest.mark.parametrize("name,text,code,line_has,col_of", CASES, ids=[c[0] for c in CASES])
def test_error_class(tmp_path: Path, kvnet, name: str, text: str, code: str, line_has: str | None,
                     col_of: str | None) -> None:
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1, res.err
    assert res.out == ""
    first = next(line for line in res.err.splitlines() if ": error[" in line)  # warnings may come first
    assert f"error[{code}]" in first, res.err
    assert first.startswith(f"{path}:"), first
    pos = _position(text, line_has, col_of, "last" if name.startswith(("duplicate", "same-")) else "first")
    if pos is not None:
        assert first.startswith(f"{path}:{pos[0]}:{pos[1]}: error[{code}]"), (first, pos)
    assert "Traceback" not in res.err
    # validate reports the same problem
    again = kvnet("validate", str(path))
    assert again.code == 1 and again.err == ""
    assert again.out.startswith(res.err) and re.search(r": [1-9][0-9]* errors, [0-9]+ warnings\n\Z", again.out), again.out


def test_duplicate_vm_points_at_second(tmp_path: Path, kvnet) -> None:
    text = plan(vms=vm() + vm())
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    lines = text.splitlines()
    second = [i for i, line in enumerate(lines) if "- name: web-1" in line][1] + 1
    assert res.err.startswith(f"{path}:{second}:13: error[KV202]: duplicate VM name 'web-1' (first at {path}:")


def test_unknown_field_did_you_mean(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(LAN.replace("gateway:", "gatway:")))
    res = kvnet("build", str(path))
    assert "unknown field 'spec.networks[0].gatway' (did you mean 'gateway'?)" in res.err
    assert "  hint: allowed here:" in res.err


def test_bridge_on_macvlan_hint_names_the_fix(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan("    - name: lan\n      type: macvlan\n      master: eth0\n"))
    res = kvnet("build", str(path))
    assert "passes no traffic" in res.err
    assert "hint:" in res.err and "type: bridge" in res.err and "macvtap" in res.err


def test_subnet_host_bits_says_network_address(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(LAN.replace("192.168.1.0/24", "192.168.1.200/24")))
    res = kvnet("build", str(path))
    assert "has host bits set; the network address is 192.168.1.0/24" in res.err


def test_non_mapping_document(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", "- just\n- a list\n")
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{path}:1:1: error[KV005]: document 1 is a list, not a mapping")


def test_scalar_document_after_plan(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan() + "---\nhello\n")
    res = kvnet("build", str(path))
    n = plan().count("\n") + 2
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{path}:{n}:1: error[KV005]")


def test_alias_bomb_is_bounded(tmp_path: Path, kvnet) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    path = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert "error[KV003]: alias expansion exceeds" in res.err
    assert res.err.startswith(f"{path}:")
    assert "set KVNET_MAX_ALIAS_NODES (now 100000)" in res.err  # the hint names what raises the bound


def test_raised_alias_bound_reads_what_the_default_refuses(tmp_path: Path) -> None:
    """Aliases a user means (1,100 nodes through them) pass once KVNET_MAX_ALIAS_NODES allows them."""
    anchor = "x: &a [" + ", ".join(["1"] * 10) + "]\n"
    path = write(tmp_path / "kvnet.yaml", plan() + "---\n" + anchor + "".join(f"y{i}: *a\n" for i in range(100)))
    res = run_kvnet("build", str(path), env={"KVNET_MAX_ALIAS_NODES": "1000"})
    assert res.code == 1 and "error[KV003]: alias expansion exceeds 1000" in res.err
    assert "set KVNET_MAX_ALIAS_NODES (now 1000)" in res.err
    res = run_kvnet("build", str(path), env={"KVNET_MAX_ALIAS_NODES": "2000"})
    assert "KV003" not in res.err, res.err


def test_node_bound_names_the_setting_that_raises_it(tmp_path: Path) -> None:
    path = write(tmp_path / "kvnet.yaml", plan() + "---\nx: [" + "1," * 3000 + "1]\n")
    res = run_kvnet("build", str(path), env={"KVNET_MAX_NODES": "1000"})
    assert res.code == 1 and res.out == "" and "error[KV003]: the input has more" in res.err
    assert "set KVNET_MAX_NODES (now 1000)" in res.err
    res = run_kvnet("build", str(path), env={"KVNET_MAX_NODES": "5000"})
    assert "KV003" not in res.err, res.err


def test_file_over_the_input_bound_names_the_setting_that_raises_it(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(plan() + "#" + "x" * (10 * 1024 * 1024) + "\n")
    res = run_kvnet("build", str(path), env={"KVNET_MAX_INPUT_MB": "10"})
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{path}:1:1: error[KV004]: file is ")
    assert "hint: set KVNET_MAX_INPUT_MB (now 10)" in res.err
    res = run_kvnet("validate", str(path), env={"KVNET_MAX_INPUT_MB": "11"})
    assert res.code == 0, res.err


def test_plan_parts_disagree_on_namespace(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "a.yaml", plan(vms="    []"))
    write(tmp_path / "b.yaml", plan(vms="    []").replace("namespace: vms", "namespace: other"))
    res = kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{tmp_path / 'b.yaml'}:5:14: error[KV007]")


def test_empty_output_is_an_error(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kustomization.yaml", "resources: []\n")
    res = kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == ""
    assert "error[KV006]: no objects to emit: no NetworkPlan document found" in res.err
    assert "--allow-empty" in res.err
    ok = kvnet("build", "--allow-empty", str(tmp_path))
    assert ok.code == 0 and ok.out == ""


def test_missing_path_is_usage_error(tmp_path: Path, kvnet) -> None:
    res = kvnet("build", str(tmp_path / "nope.yaml"))
    assert res.code == 2 and res.out == ""
    assert res.err.startswith(f"{tmp_path / 'nope.yaml'}:1:1: error[KV000]: no such file or directory")


def test_bad_kube_version_is_usage_error(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan())
    res = kvnet("build", "--kube-version", "9.99", str(path))
    assert res.code == 2 and res.out == ""
    assert "--kube-version" in res.err


def test_not_utf8(tmp_path: Path, kvnet) -> None:
    path = tmp_path / "kvnet.yaml"
    path.write_bytes(b"apiVersion: \xff\xfe\n")
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == "" and "KV001" in res.err


def test_several_errors_are_all_reported_sorted(tmp_path: Path, kvnet) -> None:
    text = plan(vms=vm("a", "        - network: lan\n          address: 10.0.0.1/24\n")
                + vm("b", "        - network: lna\n"))
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    codes = [line.split("error[")[1][:5] for line in res.err.splitlines() if "error[" in line]
    assert codes == ["KV211", "KV204"]


def test_vlan_is_bridge_only(tmp_path: Path, kvnet) -> None:
    text = plan("    - name: lan\n      type: macvlan\n      master: eth0\n      vlan: 10\n",
                vm(ifaces="        - network: lan\n          binding: bridge\n"))
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert f"{path}:11:7: error[KV208]: network 'lan': field 'vlan' does not apply to type 'macvlan'" in res.err


def test_two_plans_with_different_clusters_conflict(tmp_path: Path, kvnet) -> None:
    a = plan().replace("spec:\n", "spec:\n  cluster:\n    distribution: k3s\n", 1)
    b = a.replace("name: lab", "name: other", 1).replace("k3s", "rke2").replace("web-1", "web-2")
    b = b.replace("- name: lan", "- name: lan2").replace("network: lan", "network: lan2")
    write(tmp_path / "a.yaml", a)
    write(tmp_path / "b.yaml", b)
    res = kvnet("build", str(tmp_path))
    assert res.code == 1 and res.out == ""
    assert f"{tmp_path / 'b.yaml'}:8:5: error[KV250]: plans 'lab' and 'other' both emit DaemonSet" in res.err
    same = b.replace("rke2", "k3s")
    write(tmp_path / "b.yaml", same)
    ok = kvnet("build", str(tmp_path))
    assert ok.code == 0, ok.err
    assert ok.out.count("kind: DaemonSet") >= 1 and ok.out.count("name: kube-multus-ds") == 1


def test_same_plan_name_in_two_directories_are_two_plans(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "dev" / "kvnet.yaml", plan())
    write(tmp_path / "prod" / "kvnet.yaml", plan().replace("namespace: vms", "namespace: prod"))
    res = kvnet("validate", str(tmp_path / "dev" / "kvnet.yaml"), str(tmp_path / "prod" / "kvnet.yaml"))
    assert res.code == 0, res.out
    built = kvnet("build", str(tmp_path / "dev"), str(tmp_path / "prod"))
    assert built.code == 0 and built.out.count("kind: VirtualMachine") == 2
    # the same namespace for both: the objects collide
    write(tmp_path / "prod" / "kvnet.yaml", plan())
    clash = kvnet("build", str(tmp_path / "dev"), str(tmp_path / "prod"))
    assert clash.code == 1 and clash.out == "" and "error[KV250]" in clash.err


def test_empty_file_names_the_file(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", "# nothing yet\n")
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{path}:1:1: error[KV006]: no objects to emit")
    empty_dir = kvnet("build", str(tmp_path / "kvnet.yaml").replace("kvnet.yaml", ""))
    assert empty_dir.code == 1 and "KV006" in empty_dir.err


def test_validate_checks_each_directory_as_its_own_app(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "dev" / "kvnet.yaml", plan())
    write(tmp_path / "prod" / "kvnet.yaml", plan())  # same plan, same namespace: two clusters
    ok = kvnet("validate", str(tmp_path / "dev" / "kvnet.yaml"), str(tmp_path / "prod" / "kvnet.yaml"))
    assert ok.code == 0, ok.out
    assert ok.err == "" and ok.out == "2 plans, 4 objects: 0 errors, 0 warnings\n"


def test_validate_whole_dir_sees_a_plan_split_over_files(tmp_path: Path, kvnet) -> None:
    full = plan()
    nets, vms_part = full.split("  vms:\n")
    write(tmp_path / "split" / "kvnet-net.yaml", nets)
    write(tmp_path / "split" / "kvnet-vms.yaml", nets.split("  networks:\n")[0] + "  vms:\n" + vms_part)
    alone = kvnet("validate", str(tmp_path / "split" / "kvnet-vms.yaml"))
    assert alone.code == 1 and "KV204" in alone.out
    whole = kvnet("validate", "--whole-dir", str(tmp_path / "split" / "kvnet-vms.yaml"))
    assert whole.code == 0, whole.out


def test_deeply_nested_flow_yaml_is_refused_not_a_crash(tmp_path: Path, kvnet) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 30000 + "\n")
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    # kvnet's bound (200), or a newer libyaml's own flow-depth limit, whichever trips first
    assert (res.err.startswith(f"{path}:1:201: error[KV003]: document nests deeper than 200 levels")
            or (res.err.startswith(f"{path}:1:") and "error[KV001]" in res.err and "nesting depth" in res.err)), res.err


@pytest.mark.parametrize("field,value,col", [("vlan", "100.0", "100.0"), ("mtu", "1500.0", "1500.0")])
def test_integers_written_as_floats_are_wrong_types(tmp_path: Path, kvnet, field: str, value: str,
                                                     col: str) -> None:
    text = plan(LAN + f"      {field}: {value}\n")
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    line = text.splitlines().index(f"      {field}: {value}") + 1
    assert res.code == 1 and res.out == ""
    assert res.err == (f"{path}:{line}:{9 + len(field)}: error[KV102]: spec.networks[0].{field}: "
                       f"expected integer, got number {value}\n")


@pytest.mark.parametrize("fragment", [
    "{domain: 1}", "{domain: {devices: x}}", "{domain: {devices: {disks: [{name: [a]}]}}}",
    "{volumes: [{name: {a: 1}}]}", "{metadata: 1}", "{nodeSelector: [1]}", "{foo: bar}"])
def test_bad_template_fragments_are_input_errors(tmp_path: Path, kvnet, fragment: str) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(vms=vm() + f"      template: {fragment}\n"))
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == "", res.err
    assert "error[KV901]" in res.err and "internal error" not in res.err


def test_nad_name_clash_points_at_the_second_attachment(tmp_path: Path, kvnet) -> None:
    nets = ("    - {name: b-c, type: bridge, bridge: br1, subnet: 10.0.0.0/24, ipam: static}\n"
            "    - {name: c, type: bridge, bridge: br2, subnet: 10.0.1.0/24, ipam: static}\n")
    vms = (vm("a", "        - {network: b-c, address: 10.0.0.5}\n")
           + vm("a-b", "        - {network: c, address: 10.0.1.5}\n"))
    text = plan(nets, vms)
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    line = text.splitlines().index("        - {network: c, address: 10.0.1.5}") + 1
    assert res.code == 1 and res.out == ""
    assert res.err.startswith(f"{path}:{line}:21: error[KV250]: plan 'lab' emits NetworkAttachmentDefinition "
                              "vms/a-b-c twice"), res.err


def test_dangling_link_in_plan_directory_is_unreadable(tmp_path: Path, kvnet) -> None:
    write(tmp_path / "kvnet.yaml", plan())
    (tmp_path / "broken.yaml").symlink_to(tmp_path / "nowhere.yaml")
    res = kvnet("build", str(tmp_path))
    assert res.code == 2 and res.out == ""
    assert res.err.startswith(f"{tmp_path / 'broken.yaml'}:1:1: error[KV000]: cannot read: dangling symbolic link")


def test_macvlan_hints_never_suggest_another_rejected_binding(tmp_path: Path, kvnet) -> None:
    for binding in ("masquerade", "passt", "sriov", "macvtap"):
        text = plan("    - name: lan\n      type: macvlan\n      master: eth0\n",
                    vm(ifaces=f"        - network: lan\n          binding: {binding}\n"))
        path = write(tmp_path / "kvnet.yaml", text)
        res = kvnet("build", str(path))
        assert res.code == 1 and "error[KV230]" in res.err
        assert "type: bridge" in res.err and "binding: bridge" not in res.err


@pytest.mark.parametrize("order", ["merge-first", "merge-last"])
def test_merge_key_overrides_are_not_duplicates(tmp_path: Path, kvnet, order: str) -> None:
    second = ("      <<: *base\n      name: web-2\n" if order == "merge-first"
              else "      name: web-2\n      <<: *base\n")
    text = plan(vms="    - &base\n      name: web-1\n      image: img\n      interfaces: [{network: default}]\n"
                    "    -\n" + second)
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 0, res.err
    assert "name: web-2" in res.out and "name: web-1" in res.out


@pytest.mark.parametrize("fragment,problem", [
    ("{volumes: [{name: rootdisk, persistentVolumeClaim: {claimName: f}}]}",
     "volume 'rootdisk' has more than one source: containerDisk, persistentVolumeClaim"),
    ("{domain: {devices: {disks: [{name: rootdisk, cdrom: {bus: sata}}]}}}",
     "disk 'rootdisk' is more than one device type: disk, cdrom"),
    ("{domain: {devices: {disks: [{name: extra, disk: {bus: virtio}}]}}}", "disk 'extra' has no volume"),
])
def test_template_storage_conflicts_are_input_errors(tmp_path: Path, kvnet, fragment: str, problem: str) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(vms=vm() + f"      template: {fragment}\n"))
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert "error[KV901]" in res.err and problem in res.err


def test_pool_network_needs_the_bridge_binding(tmp_path: Path, kvnet) -> None:
    nets = ("    - {name: vf, type: sriov, resourceName: intel.com/vf, subnet: 10.0.0.0/24, ipam: host-local}\n")
    text = plan(nets, vm(ifaces="        - network: vf\n"))
    path = write(tmp_path / "kvnet.yaml", text)
    res = kvnet("build", str(path))
    assert res.code == 1 and res.out == ""
    assert "error[KV219]" in res.err and "only KubeVirt's 'bridge' binding hands it on" in res.err


def test_dhcp_ipam_warns_about_the_daemon(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(LAN + "      ipam: dhcp\n"))
    res = kvnet("build", str(path))
    assert res.code == 0 and "warning[KV220]" in res.err and "dhcp daemon" in res.err


def test_unquoted_mac_gets_a_quote_hint(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(vms=vm(ifaces="        - network: lan\n          mac: 12:34:50:00:00:02\n")))
    res = kvnet("build", str(path))
    # YAML 1.1 reads it as a base-60 integer: the loader says so at its position (KV107)
    assert res.code == 1 and "error[KV107]" in res.err and 'hint: quote the value: "12:34:50:00:00:02"' in res.err


def test_reserved_labels_warn(tmp_path: Path, kvnet) -> None:
    path = write(tmp_path / "kvnet.yaml", plan(vms=vm() + "      labels: {app.kubernetes.io/managed-by: me}\n"
                                                   "      annotations: {argocd.argoproj.io/sync-wave: '5'}\n"))
    res = kvnet("build", str(path))
    assert res.code == 0 and "warning[KV242]: VM 'web-1': label 'app.kubernetes.io/managed-by' is kvnet's" in res.err
    assert "argocd.argoproj.io/sync-wave: '5'" in res.out  # a VM's own wave is kept
