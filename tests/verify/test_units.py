"""Pieces of verify that need neither root nor plugins: parsing, expectations, rendering."""

from __future__ import annotations

import json

import pytest

from kvnet.verify import checks
from kvnet.verify.inputs import NadCase, load_inputs
from kvnet.verify.kernel import required_features
from kvnet.verify.plugins import ConfigError, parse_netconf, plugin_error, reported_ips
from kvnet.verify.report import Summary, render_results
from kvnet.verify.runner import CaseResult, Status
from kvnet.verify.standins import StandIn, Unverifiable, standins_for


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ("[]", "must be a JSON object"),
    ('{"cniVersion": 1, "type": "x"}', "cniVersion must be a string"),
    ('{"cniVersion": "1.0.0", "plugins": []}', "non-empty list"),
    ('{"cniVersion": "1.0.0", "plugins": [{"type": "bridge"}, {}]}', "plugins[1] has no plugin type"),
    ('{"cniVersion": "1.0.0", "type": "../../bin/sh"}', "is not a plugin name"),
    ('{"cniVersion": "1.0.0", "type": "macvlan", "ipam": {"subnet": "10.0.0.0/8"}}', "ipam has no valid type"),
])
def test_parse_netconf_rejects(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_netconf(text)


def test_parse_conflist() -> None:
    conf = parse_netconf('{"cniVersion": "0.3.1", "name": "n", "disableCheck": true,'
                         ' "plugins": [{"type": "bridge"}, {"type": "tuning"}]}')
    assert conf.is_list and conf.types == ["bridge", "tuning"] and conf.disable_check
    assert not conf.supports_check()
    assert parse_netconf('{"cniVersion": "0.4.0", "type": "bridge"}').supports_check()


def test_plugin_error_prefers_cni_error_json() -> None:
    assert plugin_error('{"code": 7, "msg": "bad", "details": "why"}', "noise", 1, False) == "bad: why"
    assert plugin_error("", "line one\n  line two\n", 1, False) == "line one line two"
    assert plugin_error("", "", 3, False) == "exit status 3"


def test_reported_ips_all_versions() -> None:
    assert reported_ips({"ips": [{"address": "10.0.0.2/24"}, {"address": "fd00::2/64"}]}) == ["10.0.0.2/24", "fd00::2/64"]
    assert reported_ips({"ip4": {"ip": "10.0.0.2/24"}}) == ["10.0.0.2/24"]
    assert reported_ips(None) == []


def test_static_expectation() -> None:
    plugins = [{"type": "macvlan", "ipam": {"type": "static", "addresses": [{"address": "10.1.0.5/24"}]}}]
    exp = checks.expectation(plugins)
    assert exp.kind == "static"
    assert checks.check_reported(exp, ["10.1.0.5/24"]) == []
    assert checks.check_reported(exp, ["10.1.0.6/24"]) == [
        "static IPAM asked for 10.1.0.5/24 but the plugin reported 10.1.0.6/24"]
    assert checks.check_reported(exp, []) == ["static IPAM asked for 10.1.0.5/24 but the plugin reported no address"]


def test_host_local_expectation() -> None:
    plugins = [{"type": "bridge", "ipam": {"type": "host-local", "subnet": "10.2.0.0/24",
                                          "rangeStart": "10.2.0.100", "rangeEnd": "10.2.0.110"}}]
    exp = checks.expectation(plugins)
    assert checks.check_reported(exp, ["10.2.0.100/24"]) == []
    assert "outside the configured range" in checks.check_reported(exp, ["10.2.0.50/24"])[0]
    assert "prefix /16" in checks.check_reported(exp, ["10.2.0.101/16"])[0]
    assert "1 range set(s)" in checks.check_reported(exp, ["10.2.0.101/24", "10.2.0.102/24"])[0]
    ranges = [{"type": "x", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.3.0.0/24", "gateway": "10.3.0.1"}]]}}]
    exp2 = checks.expectation(ranges)
    assert "is the gateway" in checks.check_reported(exp2, ["10.3.0.1/24"])[0]


def test_no_ipam_expectation() -> None:
    exp = checks.expectation([{"type": "bridge"}])
    assert exp.kind == "none" and checks.check_reported(exp, []) == []
    assert checks.check_reported(exp, ["10.0.0.2/24"]) == ["no IPAM configured but the plugin reported 10.0.0.2/24"]


def test_check_configured_reads_ip_json() -> None:
    shown = json.dumps([{"ifname": "net1", "addr_info": [{"local": "10.0.0.2", "prefixlen": 24},
                                                         {"local": "fe80::1", "prefixlen": 64}]}])
    assert checks.check_configured(["10.0.0.2/24"], shown, "net1") == []
    assert checks.check_configured(["10.0.0.3/24"], shown, "net1") == [
        "reported address 10.0.0.3/24 is not configured on net1 in the pod namespace"]
    assert checks.check_configured([], "[]", "net1") == ["interface net1 is missing from the pod namespace after ADD"]


def test_config_problems() -> None:
    ok = [{"type": "m", "ipam": {"type": "static", "addresses": [{"address": "10.0.0.5/24", "gateway": "10.0.0.1"}]}}]
    assert checks.config_problems(ok) == []
    p2p = [{"type": "m", "ipam": {"type": "static", "addresses": [{"address": "10.0.0.0/31"}]}}]
    assert checks.config_problems(p2p) == [], "a /31 has no network/broadcast address"
    gw_self = [{"type": "m", "ipam": {"type": "static", "addresses": [{"address": "10.0.0.5/24", "gateway": "10.0.0.5"}]}}]
    assert checks.config_problems(gw_self) == ["gateway 10.0.0.5 is the interface's own address 10.0.0.5/24"]
    hl = [{"type": "m", "ipam": {"type": "host-local", "subnet": "10.0.0.0/24", "gateway": "10.9.0.1"}}]
    assert checks.config_problems(hl) == ["gateway 10.9.0.1 is outside the subnet 10.0.0.0/24"]


def test_required_features_and_standins() -> None:
    plugins = [{"type": "bridge", "bridge": "br-lan", "vlan": 10}, {"type": "ipvlan", "master": "bond0.5"},
               {"type": "tuning"}]
    assert required_features(plugins) == ["veth", "bridge", "bridge-vlan-filtering", "ipvlan"]
    assert standins_for(plugins) == [StandIn("br-lan", "bridge"), StandIn("bond0.5", "veth")]
    assert standins_for([{"type": "macvlan"}]) == [StandIn("eth0", "veth", default_route=True)]
    assert standins_for([{"type": "host-device", "hwaddr": "02:00:00:00:00:42"}]) == [
        StandIn("kvhostdev0", "veth", mac="02:00:00:00:00:42")]
    with pytest.raises(Unverifiable):
        standins_for([{"type": "host-device", "pciBusID": "0000:3b:00.1"}])


def test_inputs_find_nads_and_lines(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(
        "# comment\napiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\n"
        "metadata:\n  name: x\n  namespace: ns\nspec:\n  config: |\n    {}\n---\n"
        "apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\n")
    inputs = load_inputs([str(tmp_path)])
    assert inputs.diagnostics == []
    assert inputs.cases == [NadCase("x", "ns", str(tmp_path / "a.yaml"), 8, "{}\n")]
    assert inputs.plan_paths == [str(tmp_path)]


def _result(name: str, status: Status, message: str = "", **kw: object) -> CaseResult:
    return CaseResult(NadCase(name, None, "f.yaml", 3, "{}"), status, message, **kw)  # type: ignore[arg-type]


def test_render_formats() -> None:
    results = [_result("a", Status.OK, plugins=["macvlan"], ipam="static", steps=["ADD", "CHECK", "DEL"],
                       ips=["10.0.0.5/24"]),
               _result("bb", Status.FAILED, "ADD bridge: 50%, bad:\nx"),
               _result("c", Status.SKIPPED, "kernel lacks ipvlan support")]
    summary = Summary.of(results, 1.234, 2, "/usr/lib/cni")
    text = render_results(results, summary, "text").splitlines()
    assert text[0] == "ok       a   f.yaml:3  macvlan (static IPAM): ADD, CHECK, DEL passed; 10.0.0.5/24"
    assert text[1].startswith("FAILED   bb  f.yaml:3  ADD bridge: 50%, bad:")
    assert text[-1] == "verify: 3 NADs: 1 ok, 1 failed, 1 skipped (1.23s, 2 jobs, plugins from /usr/lib/cni)"
    gh = render_results(results, summary, "github").splitlines()
    assert gh[1] == "::error file=f.yaml,line=3,title=kvnet verify failed%3A bb::bb: ADD bridge: 50%25, bad:%0Ax"
    assert gh[2].startswith("::notice file=f.yaml,line=3,")
    doc = json.loads(render_results(results, summary, "json"))
    assert [r["status"] for r in doc["results"]] == ["ok", "failed", "skipped"]
    assert doc["summary"]["failed"] == 1 and doc["summary"]["cniBinDir"] == "/usr/lib/cni"
