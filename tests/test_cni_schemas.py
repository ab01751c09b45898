"""Tests for kvnet's NAD and CNI configuration schemas (kvnet/schemas) and kvnet.outputcheck.cni_schemas."""

from __future__ import annotations

import copy
import ipaddress
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kvnet.outputcheck import cni_schemas
from kvnet.outputcheck.cni_schemas import IPAM_TYPES, PLUGIN_TYPES
from kvnet.outputcheck.problem import Problem, dotted_path

REPO = Path(__file__).parents[1]
SCHEMAS = REPO / "kvnet" / "schemas"
CNI_DIR = SCHEMAS / "cni"
UPSTREAM_NAD = REPO.parent / "shared/upstream/schemas/networkattachmentdefinition_v1.json"
NO_UPSTREAM_NAD = ("needs ../shared/upstream/schemas/networkattachmentdefinition_v1.json: upstream reference data "
                   "outside the repository (README, 'Tests')")
CNI_BIN = Path("/usr/lib/cni")


def compact(cfg: dict[str, Any]) -> str:
    return json.dumps(cfg, sort_keys=True, separators=(",", ":"))


def base(plugin: str, **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {"cniVersion": "1.0.0", "name": "lan", "type": plugin}
    cfg.update(extra)
    return cfg


def make_nad(cfg: dict[str, Any], name: str = "lan", namespace: str | None = "vms") -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name,
        "labels": {"app.kubernetes.io/managed-by": "kvnet", "kvnet.dev/plan": "lab"},
        "annotations": {
            "kvnet.dev/source": "plans/kvnet.yaml",
            "argocd.argoproj.io/sync-wave": "-1",
            "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
        },
    }
    if namespace is not None:
        metadata["namespace"] = namespace
    cfg = dict(cfg, name=name)
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": metadata,
        "spec": {"config": compact(cfg)},
    }


def lines(problems: list[Problem]) -> list[str]:
    """The problem texts, after checking that each one is led by its own path written out."""
    for p in problems:
        assert p.message.startswith(f"{dotted_path(p.path)}: "), p
    return [p.message for p in problems]


def validate_cni_config(config: Any, prefix: str = "") -> list[str]:
    return lines(cni_schemas.validate_cni_config(config, prefix=prefix))


def validate_nad(obj: Any) -> list[str]:
    return lines(cni_schemas.validate_nad(obj))


def has(problems: list[str], path: str, fragment: str = "") -> bool:
    """True when some problem is about exactly `path` and mentions `fragment`."""
    return any(p.startswith(f"{path}: ") and fragment in p for p in problems)


STATIC = {
    "type": "static",
    "addresses": [{"address": "192.168.1.20/24", "gateway": "192.168.1.1"}],
    "routes": [{"dst": "0.0.0.0/0", "gw": "192.168.1.1"}, {"dst": "10.0.0.0/8"}],
    "dns": {"nameservers": ["192.168.1.1", "2001:db8::53"], "search": ["lab.local"]},
}
STATIC6 = {"type": "static", "addresses": [{"address": "2001:db8:1::20/64", "gateway": "2001:db8:1::1"}]}
HOST_LOCAL = {
    "type": "host-local",
    "ranges": [
        [{"subnet": "192.168.1.0/24", "rangeStart": "192.168.1.100", "rangeEnd": "192.168.1.199", "gateway": "192.168.1.1"}],
        [{"subnet": "fd00:1::/64"}],
    ],
    "routes": [{"dst": "0.0.0.0/0"}],
    "dataDir": "/var/lib/cni/networks",
}
WHEREABOUTS = {
    "type": "whereabouts",
    "range": "192.168.1.0/24",
    "range_start": "192.168.1.100",
    "range_end": "192.168.1.199",
    "exclude": ["192.168.1.150/32"],
    "gateway": "192.168.1.1",
    "routes": [{"dst": "10.0.0.0/8", "gw": "192.168.1.1"}],
    "configuration_path": "/var/lib/rancher/k3s/agent/etc/cni/net.d/whereabouts.d/whereabouts.conf",
}
DHCP = {"type": "dhcp"}

VALID_CONFIGS: list[dict[str, Any]] = [
    base("bridge", bridge="br-lan"),
    base("bridge", bridge="br-lan", vlan=100, mtu=1500, ipam=STATIC),
    base("bridge", bridge="br0", vlan=1, mtu=68, ipam=STATIC6, cniVersion="0.3.1"),
    base("bridge", bridge="br0", vlan=4094, mtu=65535, ipam=HOST_LOCAL, cniVersion="0.4.0"),
    base("bridge", bridge="vmbr0.100", ipam=WHEREABOUTS),
    base("macvlan"),
    base("macvlan", master="eth0", mode="bridge", mtu=9000, ipam=DHCP),
    base("macvlan", master="enp3s0f1", mode="passthru"),
    base("ipvlan", master="eth1", mode="l3s", mtu=1500, ipam=STATIC),
    base("ipvlan", mode="l2"),
    base("host-device", device="ens1f0"),
    base("host-device", device="eth2", ipam=STATIC),
    base("sriov"),
    base("sriov", vlan=0),
    base("sriov", vlan=4094, ipam=WHEREABOUTS),
    base("macvtap"),
    base("macvtap", master="eno1", mode="vepa", mtu=1500),
    base("macvtap", mode="passthru"),
    base("sriov", vlan=200, spoofchk="off", trust="on"),
    base("ovs", bridge="br1", vlan=100, mtu=9000, ipam=STATIC),
    base("ovs", bridge="br1", trunk=[{"id": 42}, {"minID": 1000, "maxID": 1010}]),
    base("ovn-k8s-cni-overlay", topology="layer2", netAttachDefName="vms/lan", subnets="10.0.0.0/24",
         excludeSubnets="10.0.0.0/29", allowPersistentIPs=True, mtu=1300),
    base("ovn-k8s-cni-overlay", topology="localnet", netAttachDefName="vms/lan", vlanID=33),
]


# ---------------------------------------------------------------- schema files


def all_schema_files() -> list[Path]:
    return [SCHEMAS / "networkattachmentdefinition.json", *sorted(CNI_DIR.glob("*.json"))]


@pytest.mark.parametrize("path", all_schema_files(), ids=lambda p: p.name)
def test_schema_file_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    if path.parent == CNI_DIR:
        assert schema["$id"] == f"https://kvnet.dev/schemas/cni/{path.name}"
    for pattern in re.findall(r'"pattern": (".*?(?<!\\)")', path.read_text(encoding="utf-8")):
        re.compile(json.loads(pattern))


def test_every_type_has_a_schema_and_no_strays() -> None:
    names = {p.name for p in CNI_DIR.glob("*.json")}
    expected = {f"{t}.json" for t in PLUGIN_TYPES} | {f"ipam-{t}.json" for t in IPAM_TYPES}
    assert names == expected | {"ipam.json", "defs.json"}
    assert set(cni_schemas.load_cni_schemas()) == names


@pytest.mark.parametrize("plugin", PLUGIN_TYPES)
def test_plugin_schemas_are_strict_and_share_common_fields(plugin: str) -> None:
    schema = json.loads((CNI_DIR / f"{plugin}.json").read_text())
    assert schema["additionalProperties"] is False
    assert {"cniVersion", "name", "type"} <= set(schema["required"])
    assert schema["properties"]["type"] == {"const": plugin}
    if plugin == "ovn-k8s-cni-overlay":  # OVN-Kubernetes is its own IPAM ('subnets'): no CNI ipam section
        assert "ipam" not in schema["properties"]
    else:
        assert schema["properties"]["ipam"] == {"$ref": "ipam.json"}


@pytest.mark.parametrize("ipam", IPAM_TYPES)
def test_ipam_schemas_are_strict(ipam: str) -> None:
    schema = json.loads((CNI_DIR / f"ipam-{ipam}.json").read_text())
    assert schema["additionalProperties"] is False
    assert schema["properties"]["type"] == {"const": ipam}


def test_packaged_schemas_are_loaded_via_importlib_resources() -> None:
    assert cni_schemas.load_nad_schema()["$id"].endswith("/networkattachmentdefinition.json")
    assert cni_schemas.load_cni_schemas()["bridge.json"]["properties"]["type"] == {"const": "bridge"}


def test_validators_are_built_once_per_type() -> None:
    assert cni_schemas.plugin_validator("bridge") is cni_schemas.plugin_validator("bridge")
    assert cni_schemas.plugin_validator("bridge") is not cni_schemas.plugin_validator("macvlan")
    assert cni_schemas.plugin_validator("flannel") is None


def test_import_does_not_load_jsonschema() -> None:
    code = "import sys, kvnet.outputcheck.cni_schemas; print('jsonschema' in sys.modules, 'referencing' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------- IP patterns


def defs_pattern(name: str) -> re.Pattern[str]:
    return re.compile(json.loads((CNI_DIR / "defs.json").read_text())["$defs"][name]["pattern"])


def test_ip_pattern_agrees_with_ipaddress_module() -> None:
    pattern = defs_pattern("ip")
    rng = random.Random(20240501)
    samples = ["::", "::1", "1::", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "fe80::1"]
    for _ in range(3000):
        samples.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        v6 = ipaddress.IPv6Address(rng.getrandbits(128) >> rng.choice([0, 16, 64, 100, 120]))
        samples += [str(v6), v6.exploded, v6.exploded.upper()]
        samples.append("".join(rng.choice("0123456789abcdef:.") for _ in range(rng.randint(1, 24))))
    samples += ["1.2.3.04", "256.1.1.1", "1.2.3", "1.2.3.4.5", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", ""]
    samples += ["1.2.3.4\n", " 1.2.3.4", "g::1"]
    for text in samples:
        try:
            ipaddress.ip_address(text)
            expected = "%" not in text
        except ValueError:
            expected = False
        assert bool(pattern.search(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("192.168.1.0/24", True),
        ("0.0.0.0/0", True),
        ("10.1.2.3/32", True),
        ("2001:db8::/64", True),
        ("::/0", True),
        ("fd00::1/128", True),
        ("192.168.1.0/33", False),
        ("192.168.1.0", False),
        ("2001:db8::/129", False),
        ("192.168.1.0/024", False),
        ("300.1.1.1/8", False),
        ("192.168.1.0/24\n", False),
        ("x", False),
    ],
)
def test_cidr_pattern(text: str, ok: bool) -> None:
    assert bool(defs_pattern("cidr").search(text)) is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("eth0", True),
        ("br-lan", True),
        ("vmbr0.100", True),
        ("a" * 15, True),
        ("a" * 16, False),
        ("", False),
        (".", False),
        ("..", False),
        ("...", True),
        ("br/lan", False),
        ("br:0", False),
        ("br lan", False),
        ("br\tlan", False),
        ("eth0\n", False),
    ],
)
def test_ifname_pattern(text: str, ok: bool) -> None:
    assert bool(defs_pattern("ifname").search(text)) is ok


# ---------------------------------------------------------------- CNI configs


@pytest.mark.parametrize("cfg", VALID_CONFIGS, ids=lambda c: f"{c['type']}-{c.get('ipam', {}).get('type', 'l2')}")
def test_valid_configs_are_accepted(cfg: dict[str, Any]) -> None:
    assert validate_cni_config(cfg) == []


def test_every_plugin_and_ipam_type_has_a_valid_example() -> None:
    assert {c["type"] for c in VALID_CONFIGS} == set(PLUGIN_TYPES)
    assert {c["ipam"]["type"] for c in VALID_CONFIGS if "ipam" in c} == set(IPAM_TYPES)


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # common fields
    ("missing cniVersion", {"name": "lan", "type": "bridge", "bridge": "br0"}, "cniVersion", "required field missing"),
    ("bad cniVersion", base("bridge", bridge="br0", cniVersion="0.2.0"), "cniVersion", "'0.2.0' is not one of"),
    ("missing name", {"cniVersion": "1.0.0", "type": "macvlan"}, "name", "required field missing"),
    ("uppercase name", base("macvlan", name="Lan"), "name", "is not a DNS-1123 label"),
    ("long name", base("macvlan", name="a" * 64), "name", "is not a DNS-1123 label"),
    ("name type", base("macvlan", name=5), "name", "expected string, got integer"),
    ("unknown field", base("bridge", bridge="br0", isGateway=True), "isGateway", "unknown field"),
    ("typo field", base("bridge", bridge="br0", vlna=5), "vlna", "did you mean 'vlan'?"),
    # bridge
    ("bridge missing", base("bridge"), "bridge", "required field missing"),
    ("bridge slash", base("bridge", bridge="br/0"), "bridge", "is not a Linux interface name"),
    ("bridge too long", base("bridge", bridge="bridge-too-long0"), "bridge", "is not a Linux interface name"),
    ("bridge dot", base("bridge", bridge="."), "bridge", "is not a Linux interface name"),
    ("bridge vlan 0", base("bridge", bridge="br0", vlan=0), "vlan", "0 is out of range 1..4094"),
    ("bridge vlan 4095", base("bridge", bridge="br0", vlan=4095), "vlan", "4095 is out of range 1..4094"),
    ("bridge vlan str", base("bridge", bridge="br0", vlan="100"), "vlan", "expected integer, got string"),
    ("bridge vlan bool", base("bridge", bridge="br0", vlan=True), "vlan", "expected integer, got boolean"),
    ("bridge mtu low", base("bridge", bridge="br0", mtu=67), "mtu", "67 is out of range 68..65535"),
    ("bridge mtu high", base("bridge", bridge="br0", mtu=65536), "mtu", "out of range"),
    # macvlan
    ("macvlan mode", base("macvlan", mode="l2"), "mode", "'l2' is not one of bridge, private, vepa, passthru"),
    ("macvlan master", base("macvlan", master="eth 0"), "master", "is not a Linux interface name"),
    ("macvlan vlan", base("macvlan", vlan=5), "vlan", "unknown field"),
    # ipvlan
    ("ipvlan mode", base("ipvlan", mode="bridge"), "mode", "'bridge' is not one of l2, l3, l3s"),
    ("ipvlan master", base("ipvlan", master="eth0:1"), "master", "is not a Linux interface name"),
    ("ipvlan mtu", base("ipvlan", mtu=10), "mtu", "out of range"),
    # host-device
    ("host-device missing device", base("host-device"), "device", "required field missing"),
    ("host-device bad device", base("host-device", device=".."), "device", "is not a Linux interface name"),
    ("host-device pciBusID", base("host-device", device="eth1", pciBusID="0000:00:1f.6"), "pciBusID", "unknown field"),
    # sriov
    ("sriov vlan -1", base("sriov", vlan=-1), "vlan", "-1 is out of range 0..4094"),
    ("sriov vlan 4095", base("sriov", vlan=4095), "vlan", "4095 is out of range 0..4094"),
    ("sriov spoofchk not on/off", base("sriov", spoofchk=True), "spoofchk", "is not one of"),
    # macvtap
    ("macvtap mode", base("macvtap", mode="l3"), "mode", "is not one of bridge, vepa, private, passthru"),
    ("macvtap master", base("macvtap", master="x" * 16), "master", "is not a Linux interface name"),
    ("macvtap vlan", base("macvtap", vlan=10), "vlan", "unknown field"),
    # ipam dispatch
    ("ipam not object", base("macvlan", ipam="dhcp"), "ipam", "expected object, got string"),
    ("ipam no type", base("macvlan", ipam={}), "ipam.type", "required field missing"),
    ("ipam unknown type", base("macvlan", ipam={"type": "calico-ipam"}), "ipam.type", "is not an IPAM type kvnet emits"),
    # static
    ("static bad CIDR", base("macvlan", ipam={"type": "static", "addresses": [{"address": "x"}]}),
     "ipam.addresses[0].address", "'x' is not a CIDR"),
    ("static no prefix", base("macvlan", ipam={"type": "static", "addresses": [{"address": "192.168.1.20"}]}),
     "ipam.addresses[0].address", "is not a CIDR"),
    ("static prefix 33", base("macvlan", ipam={"type": "static", "addresses": [{"address": "192.168.1.20/33"}]}),
     "ipam.addresses[0].address", "is not a CIDR"),
    ("static bad gateway", base("macvlan", ipam={"type": "static", "addresses": [{"address": "10.0.0.2/24", "gateway": "10.0.0"}]}),
     "ipam.addresses[0].gateway", "is not an IP address"),
    ("static empty addresses", base("macvlan", ipam={"type": "static", "addresses": []}),
     "ipam.addresses", "at least 1 item"),
    ("static missing addresses", base("macvlan", ipam={"type": "static"}), "ipam.addresses", "required field missing"),
    ("static address extra", base("macvlan", ipam={"type": "static", "addresses": [{"address": "10.0.0.2/24", "mac": "x"}]}),
     "ipam.addresses[0].mac", "unknown field"),
    ("static route dst", base("macvlan", ipam=dict(STATIC, routes=[{"dst": "default"}])), "ipam.routes[0].dst", "is not a CIDR"),
    ("static route missing dst", base("macvlan", ipam=dict(STATIC, routes=[{"gw": "192.168.1.1"}])),
     "ipam.routes[0].dst", "required field missing"),
    ("static dns nameserver", base("macvlan", ipam=dict(STATIC, dns={"nameservers": ["dns.local"]})),
     "ipam.dns.nameservers[0]", "is not an IP address"),
    ("static dns domain", base("macvlan", ipam=dict(STATIC, dns={"domain": "lab.local"})), "ipam.dns.domain", "unknown field"),
    ("static gateway outside", base("macvlan", ipam={"type": "static", "addresses": [{"address": "10.0.0.2/24", "gateway": "10.0.1.1"}]}),
     "ipam.addresses[0].gateway", "is outside 10.0.0.0/24"),
    # host-local
    ("host-local missing ranges", base("bridge", bridge="br0", ipam={"type": "host-local"}), "ipam.ranges", "required field missing"),
    ("host-local empty rangeset", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [[]]}),
     "ipam.ranges[0]", "at least 1 item"),
    ("host-local bad subnet", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [[{"subnet": "192.168.1.0/40"}]]}),
     "ipam.ranges[0][0].subnet", "is not a CIDR"),
    ("host-local host bits", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [[{"subnet": "192.168.1.200/24"}]]}),
     "ipam.ranges[0][0].subnet", "has host bits set (network is 192.168.1.0/24)"),
    ("host-local rangeStart", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [[{"subnet": "192.168.1.0/24", "rangeStart": "192.168.1.x"}]]}),
     "ipam.ranges[0][0].rangeStart", "is not an IP address"),
    ("host-local start outside", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [[{"subnet": "192.168.1.0/24", "rangeStart": "192.168.2.1"}]]}),
     "ipam.ranges[0][0].rangeStart", "is outside subnet 192.168.1.0/24"),
    ("host-local reversed", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [[{"subnet": "192.168.1.0/24", "rangeStart": "192.168.1.200", "rangeEnd": "192.168.1.100"}]]}),
     "ipam.ranges[0][0].rangeEnd", "is before rangeStart"),
    ("host-local flat subnet", base("bridge", bridge="br0", ipam={"type": "host-local", "ranges": [], "subnet": "10.0.0.0/24"}),
     "ipam.subnet", "unknown field"),
    ("host-local dataDir", base("bridge", bridge="br0", ipam=dict(HOST_LOCAL, dataDir="relative")), "ipam.dataDir", "is not an absolute path"),
    # whereabouts
    ("whereabouts missing range", base("macvlan", ipam={"type": "whereabouts"}), "ipam.range", "required field missing"),
    ("whereabouts pool range", base("macvlan", ipam={"type": "whereabouts", "range": "192.168.1.100-192.168.1.199"}),
     "ipam.range", "is not a CIDR"),
    ("whereabouts exclude", base("macvlan", ipam=dict(WHEREABOUTS, exclude=["192.168.1.150"])), "ipam.exclude[0]", "is not a CIDR"),
    ("whereabouts exclude outside", base("macvlan", ipam=dict(WHEREABOUTS, exclude=["10.0.0.0/8"])), "ipam.exclude[0]", "is outside range"),
    ("whereabouts range_end", base("macvlan", ipam=dict(WHEREABOUTS, range_end="192.168.1.999")), "ipam.range_end", "is not an IP address"),
    ("whereabouts end outside", base("macvlan", ipam=dict(WHEREABOUTS, range_end="192.168.2.1")), "ipam.range_end", "is outside range"),
    ("whereabouts camelCase", base("macvlan", ipam=dict(WHEREABOUTS, rangeStart="192.168.1.100")), "ipam.rangeStart", "unknown field"),
    ("whereabouts config path", base("macvlan", ipam=dict(WHEREABOUTS, configuration_path=5)), "ipam.configuration_path", "expected string"),
    # dhcp
    ("dhcp extra", base("macvlan", ipam={"type": "dhcp", "daemonSocketPath": "/run/cni/dhcp.sock"}), "ipam.daemonSocketPath", "unknown field"),
]


@pytest.mark.parametrize(("case", "cfg", "path", "fragment"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_configs_are_rejected_with_path(case: str, cfg: dict[str, Any], path: str, fragment: str) -> None:
    problems = validate_cni_config(cfg)
    assert problems, case
    assert has(problems, path, fragment), problems


def test_unknown_plugin_type() -> None:
    problems = validate_cni_config(base("flannel"))
    assert problems == ["type: unknown plugin type 'flannel'"]
    assert validate_cni_config(base("macvlam")) == ["type: unknown plugin type 'macvlam' (did you mean 'macvlan'?)"]


def test_missing_or_mistyped_type() -> None:
    assert validate_cni_config({"cniVersion": "1.0.0", "name": "x"}) == ["type: required field missing"]
    assert validate_cni_config({"type": 1}) == ["type: expected string, got integer"]
    assert validate_cni_config([1]) == ["(root): expected object, got array"]  # type: ignore[arg-type]


def test_message_format_example_from_brief() -> None:
    cfg = base("macvlan", ipam={"type": "static", "addresses": [{"address": "x"}]})
    assert validate_cni_config(cfg) == [
        "ipam.addresses[0].address: 'x' is not a CIDR (IPv4 a.b.c.d/n or IPv6 addr/n)"
    ]


def test_several_problems_are_all_reported_sorted_and_once() -> None:
    cfg = base("bridge", bridge="br/0", vlan=0, mtu=1, extra=1)
    problems = validate_cni_config(cfg)
    assert [p.split(":")[0] for p in problems] == ["bridge", "extra", "mtu", "vlan"]
    assert len(problems) == len(set(problems))


def test_prefix_is_prepended() -> None:
    problems = validate_cni_config(base("bridge", vlan=0, bridge="br0"), prefix="spec.config")
    assert problems == ["spec.config.vlan: 0 is out of range 1..4094"]


def test_validation_does_not_mutate_input() -> None:
    cfg = base("bridge", bridge="br-lan", ipam=copy.deepcopy(HOST_LOCAL))
    before = copy.deepcopy(cfg)
    validate_cni_config(cfg)
    assert cfg == before


# ---------------------------------------------------------------- NADs


def good_nad() -> dict[str, Any]:
    return make_nad(base("bridge", bridge="br-lan", vlan=100, ipam=STATIC))


def test_good_nad_is_accepted() -> None:
    assert validate_nad(good_nad()) == []
    assert validate_nad(make_nad(base("sriov", vlan=5), namespace=None)) == []
    assert validate_nad(make_nad(base("macvtap"), name="web-1-" + "x" * 57)) == []


def test_nad_config_as_object_is_rejected() -> None:
    nad = good_nad()
    nad["spec"]["config"] = json.loads(nad["spec"]["config"])
    assert validate_nad(nad) == ["spec.config: expected string, got object"]


def test_nad_extra_spec_key_is_rejected() -> None:
    nad = good_nad()
    nad["spec"]["plugins"] = []
    assert has(validate_nad(nad), "spec.plugins", "unknown field")


def test_nad_missing_config_is_rejected() -> None:
    nad = good_nad()
    del nad["spec"]["config"]
    assert validate_nad(nad) == ["spec.config: required field missing"]


@pytest.mark.parametrize("name", ["Lan", "lan_1", "-lan", "lan-", "a" * 64, "lan.example", ""])
def test_nad_bad_names_are_rejected(name: str) -> None:
    nad = good_nad()
    nad["metadata"]["name"] = name
    problems = validate_nad(nad)
    assert has(problems, "metadata.name", "is not a DNS-1123 label"), problems


def test_nad_bad_namespace_is_rejected() -> None:
    nad = good_nad()
    nad["metadata"]["namespace"] = "VMs"
    assert has(validate_nad(nad), "metadata.namespace", "is not a DNS-1123 label")


def test_nad_metadata_is_restricted() -> None:
    nad = good_nad()
    nad["metadata"]["uid"] = "123"
    nad["metadata"]["annotations"]["k8s.v1.cni.cncf.io/resourceName"] = "intel.com/sriov"
    assert validate_nad(nad) == ["metadata.uid: unknown field"]


def test_nad_labels_and_annotations_are_string_maps() -> None:
    nad = good_nad()
    nad["metadata"]["labels"]["count"] = 3
    nad["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] = -1
    problems = validate_nad(nad)
    assert has(problems, "metadata.labels.count", "expected string, got integer")
    assert has(problems, "metadata.annotations.argocd.argoproj.io/sync-wave", "expected string, got integer")


def test_nad_label_keys_and_values_are_kubernetes_valid() -> None:
    nad = good_nad()
    nad["metadata"]["labels"]["bad key"] = "x"
    nad["metadata"]["labels"]["kvnet.dev/plan"] = "-lab"
    problems = validate_nad(nad)
    assert has(problems, "metadata.labels", "'bad key' is not a valid label/annotation key")
    assert has(problems, "metadata.labels.kvnet.dev/plan", "is not a valid label value")


def test_nad_root_is_strict() -> None:
    nad = good_nad()
    nad["status"] = {}
    nad["apiVersion"] = "k8s.cni.cncf.io/v1beta1"
    nad["kind"] = "NetAttachDef"
    problems = validate_nad(nad)
    assert "status: unknown field" in problems
    assert "apiVersion: must be 'k8s.cni.cncf.io/v1', got 'k8s.cni.cncf.io/v1beta1'" in problems
    assert has(problems, "kind", "must be 'NetworkAttachmentDefinition'")


def test_nad_config_must_be_compact_sorted_json() -> None:
    nad = good_nad()
    cfg = json.loads(nad["spec"]["config"])
    nad["spec"]["config"] = json.dumps(cfg)  # not compact
    assert has(validate_nad(nad), "spec.config", "not compact JSON with sorted keys")
    unsorted = dict(reversed(list(cfg.items())))
    nad["spec"]["config"] = json.dumps(unsorted, separators=(",", ":"))  # compact, not sorted
    assert has(validate_nad(nad), "spec.config", "not compact JSON with sorted keys")


def test_nad_config_must_be_json_object() -> None:
    nad = good_nad()
    nad["spec"]["config"] = "{'cniVersion': '1.0.0'}"
    assert has(validate_nad(nad), "spec.config", "not valid JSON")
    nad["spec"]["config"] = "[]"
    assert has(validate_nad(nad), "spec.config", "expected a JSON object, got array")


def test_nad_config_name_must_match_metadata_name() -> None:
    nad = good_nad()
    nad["metadata"]["name"] = "other"
    assert validate_nad(nad) == ["spec.config.name: 'lan' differs from metadata.name 'other'"]


def test_nad_config_problems_are_prefixed() -> None:
    nad = make_nad(base("bridge", bridge="br-lan", vlan=4095))
    assert validate_nad(nad) == ["spec.config.vlan: 4095 is out of range 1..4094"]
    nad = make_nad(base("flannel"))
    assert validate_nad(nad) == ["spec.config.type: unknown plugin type 'flannel'"]


@pytest.mark.skipif(not UPSTREAM_NAD.is_file(), reason=NO_UPSTREAM_NAD)
@pytest.mark.parametrize("cfg", VALID_CONFIGS, ids=lambda c: f"{c['type']}-{c.get('ipam', {}).get('type', 'l2')}")
def test_accepted_nads_also_pass_the_upstream_crd_schema(cfg: dict[str, Any]) -> None:
    upstream = json.loads(UPSTREAM_NAD.read_text(encoding="utf-8"))
    nad = make_nad(cfg)
    assert validate_nad(nad) == []
    assert list(Draft202012Validator(upstream).iter_errors(nad)) == []


@pytest.mark.skipif(not UPSTREAM_NAD.is_file(), reason=NO_UPSTREAM_NAD)
def test_upstream_schema_also_rejects_config_as_object() -> None:
    upstream = json.loads(UPSTREAM_NAD.read_text(encoding="utf-8"))
    nad = good_nad()
    nad["spec"]["config"] = json.loads(nad["spec"]["config"])
    assert list(Draft202012Validator(upstream).iter_errors(nad))


# ---------------------------------------------------------------- real plugins (optional)

REAL_PLUGINS = ("bridge", "dhcp", "host-device", "host-local", "ipvlan", "macvlan", "static")


@pytest.mark.parametrize("binary", REAL_PLUGINS)
def test_real_plugins_support_every_cni_version_kvnet_allows(binary: str) -> None:
    path = CNI_BIN / binary
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(f"{path} not installed (containernetworking-plugins)")
    schema = json.loads((CNI_DIR / "defs.json").read_text())
    allowed = schema["$defs"]["cniVersion"]["enum"]
    env = {"CNI_COMMAND": "VERSION", "PATH": os.environ.get("PATH", "")}
    out = subprocess.run([str(path)], input='{"cniVersion":"1.0.0"}', env=env, capture_output=True,
                         text=True, timeout=10, check=True)
    supported = json.loads(out.stdout)["supportedVersions"]
    assert set(allowed) <= set(supported), (binary, supported)

