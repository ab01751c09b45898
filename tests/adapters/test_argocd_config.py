"""``kvnet argocd config`` (issue 26 item 5): the health Lua it prints runs in a real Lua 5.1
interpreter (lupa's, the Lua version Argo CD's gopher-lua implements) on VirtualMachines and
NodeNetworkConfigurationPolicies in each state, and its ignoreDifferences name the fields
KubeVirt writes after admission."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet

VM_KEY = "resource.customizations.health.kubevirt.io_VirtualMachine"
NNCP_KEY = "resource.customizations.health.nmstate.io_NodeNetworkConfigurationPolicy"
IGNORE_KEY = "resource.customizations.ignoreDifferences.kubevirt.io_VirtualMachine"


@pytest.fixture(scope="module")
def printed() -> dict[str, Any]:
    res = run_kvnet("argocd", "config")
    assert res.code == 0 and res.err == ""
    cm = yaml.safe_load(res.out)
    assert (cm["kind"], cm["metadata"]["name"], cm["metadata"]["namespace"]) == ("ConfigMap", "argocd-cm", "argocd")
    return cm["data"]  # type: ignore[no-any-return]


def health(script: str, obj: dict[str, Any]) -> tuple[str, str]:
    """(status, message) of the Argo CD health ``script`` on ``obj``, in Lua 5.1 as Argo CD runs it:
    the object as a global table ``obj``, the script's return value a table with status, message."""
    lua51 = pytest.importorskip("lupa.lua51", reason="lupa (a real Lua interpreter) is in .[test]")
    lua = lua51.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = lua.table_from(obj, recursive=True)
    result = lua.execute(script)
    return result["status"], result["message"]


def vm(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                           "metadata": {"name": "web-1", "namespace": "lab"}, "spec": {"runStrategy": "Always", **spec}}
    if status is not None:
        obj["status"] = status
    return obj


def cond(kind: str, status: str = "True", reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason, "message": message}


READY = cond("Ready")
VM_STATES = [
    ("no status yet", vm(), "Progressing", "waiting for KubeVirt"),
    ("running and ready", vm({"printableStatus": "Running", "ready": True, "conditions": [READY]}), "Healthy",
     "Running"),
    ("starting", vm({"printableStatus": "Starting", "conditions": [cond("Ready", "False", "GuestNotRunning")]}),
     "Progressing", "Starting"),
    ("running, guest not ready", vm({"printableStatus": "Running", "conditions": [
        cond("Ready", "False", "PodNotReady", "virt-launcher pod is not ready")]}), "Progressing",
     "Running: virt-launcher pod is not ready"),
    ("restart required", vm({"printableStatus": "Running", "conditions": [
        READY, cond("RestartRequired", "True", "", "a non-live-updatable field was changed")]}), "Progressing",
     "RestartRequired"),
    ("migrating", vm({"printableStatus": "Migrating", "conditions": [cond("Ready", "False")]}), "Progressing",
     "Migrating"),
    ("halted", vm({"printableStatus": "Stopped", "conditions": [cond("Ready", "False")]}, runStrategy="Halted"),
     "Suspended", "Stopped (runStrategy Halted)"),
    ("running: false", {**vm({"printableStatus": "Stopped"}), "spec": {"running": False}}, "Suspended",
     "Stopped (runStrategy Halted)"),
    ("stopped, Always restarts it", vm({"printableStatus": "Stopped"}), "Progressing", "KubeVirt starts it"),
    ("paused", vm({"printableStatus": "Paused", "conditions": [READY, cond("Paused")]}), "Suspended", "Paused"),
    ("image pull", vm({"printableStatus": "ErrImagePull", "conditions": [
        cond("Ready", "False", "", "Back-off pulling image quay.io/x")]}), "Degraded",
     "ErrImagePull: Back-off pulling image quay.io/x"),
    ("unschedulable", vm({"printableStatus": "ErrorUnschedulable"}), "Degraded", "ErrorUnschedulable"),
    ("controller failure", vm({"printableStatus": "Stopped", "conditions": [
        cond("Failure", "True", "FailedCreate", "admission webhook denied")]}), "Degraded",
     "Failure (FailedCreate): admission webhook denied"),
    ("being deleted", {**vm({"printableStatus": "Terminating"}), "metadata": {
        "name": "web-1", "deletionTimestamp": "2026-01-01T00:00:00Z"}}, "Progressing", "being deleted"),
]


@pytest.mark.parametrize("what, obj, status, message", VM_STATES, ids=[s[0] for s in VM_STATES])
def test_vm_health(printed: dict[str, Any], what: str, obj: dict[str, Any], status: str, message: str) -> None:
    got = health(printed[VM_KEY], obj)
    assert got[0] == status and message in got[1], (what, got)


def nncp(*conditions: dict[str, str]) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "nmstate.io/v1", "kind": "NodeNetworkConfigurationPolicy",
                           "metadata": {"name": "br-vms"}, "spec": {"desiredState": {"interfaces": []}}}
    if conditions:
        obj["status"] = {"conditions": list(conditions)}
    return obj


NNCP_STATES = [
    ("no status yet", nncp(), "Progressing", "waiting for kubernetes-nmstate"),
    ("available", nncp(cond("Available", "True", "SuccessfullyConfigured", "2/2 nodes successfully configured"),
                       cond("Degraded", "False"), cond("Progressing", "False")), "Healthy",
     "SuccessfullyConfigured: 2/2 nodes"),
    ("progressing", nncp(cond("Available", "Unknown"), cond("Progressing", "True", "ConfigurationProgressing",
                                                            "1/2 nodes finished")), "Progressing", "1/2 nodes"),
    ("failed on a node", nncp(cond("Degraded", "True", "FailedToConfigure", "1/2 nodes failed to configure"),
                              cond("Available", "False")), "Degraded", "FailedToConfigure"),
    ("matches no node", nncp(cond("Ignored", "True", "NoMatchingNode", "Policy does not match any node")),
     "Degraded", "no node gets the bridge"),
]


@pytest.mark.parametrize("what, obj, status, message", NNCP_STATES, ids=[s[0] for s in NNCP_STATES])
def test_nncp_health(printed: dict[str, Any], what: str, obj: dict[str, Any], status: str, message: str) -> None:
    got = health(printed[NNCP_KEY], obj)
    assert got[0] == status and message in got[1], (what, got)


def test_vms_kvnet_builds_are_judged_by_the_script(printed: dict[str, Any]) -> None:
    """The script reads kvnet's own VM (no status yet: Progressing), not only hand-made objects."""
    built = [o for o in yaml.safe_load_all(run_kvnet("build", str(EXAMPLES / "k3s-lan-static")).out)
             if o and o["kind"] == "VirtualMachine"]
    assert health(printed[VM_KEY], built[0])[0] == "Progressing"


def test_ignore_differences_name_only_fields_kubevirt_writes(printed: dict[str, Any]) -> None:
    pointers = yaml.safe_load(printed[IGNORE_KEY])["jsonPointers"]
    assert "/spec/template/spec/domain/firmware/uuid" in pointers and "/spec/template/spec/architecture" in pointers
    # kvnet writes none of them: ignoring them never hides a change of the plan
    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "kvnet.yaml").is_file()):
        for obj in yaml.safe_load_all(run_kvnet("build", str(example)).out):
            if not obj or obj["kind"] != "VirtualMachine":
                continue
            for pointer in pointers:
                node: Any = obj
                for part in pointer.strip("/").split("/"):
                    part = part.replace("~1", "/").replace("~0", "~")
                    node = node.get(part) if isinstance(node, dict) else None
                assert node is None, (example.name, pointer)
