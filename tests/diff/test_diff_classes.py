"""``kvnet diff`` on plan changes of the examples: every effect class is produced by a real
change, every plan field is covered by the class table, and the report is what reviewers read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from diff_helpers import classes_of, diff, diff_json, edit, git, repo_with

from kvnet.diff.classes import CLASSES, OBJECT_RULES
from kvnet.diff.planfields import plan_classes

LAN = "k3s-lan-static"
POOL = "pool-shared"
VM = "VirtualMachine default/ubuntu-rulai-multus-vm"
NAD = "NetworkAttachmentDefinition default/external"
ADD_NET = ("  vms:\n", "    - {name: lan2, type: bridge, bridge: br-2}\n  vms:\n")

# (name, example, edits, lock edits, {class: objects expected in it}); each class at least once
CASES = [
    ("label", LAN, [("      cpu: 2\n", "      labels: {tier: web}\n      cpu: 2\n")], [], {"metadata": {VM}}),
    ("run-strategy", LAN, [("      cpu: 2\n", "      runStrategy: Manual\n      cpu: 2\n")], [], {"live": {VM}}),
    ("hot-plug", LAN, [ADD_NET, ("          address: 192.168.1.200/24\n",
                                 "          address: 192.168.1.200/24\n        - network: lan2\n")], [],
     {"live": {VM}, "create": {"NetworkAttachmentDefinition default/lan2"}, "next-boot": {VM}}),
    ("hot-plug-masquerade-needs-restart", LAN, [("        - network: default          # pod network: masquerade\n",
                                                 "")],
     [], {"restart": {VM}, "next-boot": {VM}}),
    ("link-down", LAN, [("          address: 192.168.1.200/24\n",
                         "          address: 192.168.1.200/24\n          state: down\n")], [], {"live": {VM}}),
    ("unplug", LAN, [("          address: 192.168.1.200/24\n",
                      "          address: 192.168.1.200/24\n          state: absent\n")], [],
     {"live": {VM}, "next-boot": {VM}}),
    ("mac", LAN, [("          address: 192.168.1.200/24\n",
                   "          address: 192.168.1.200/24\n          mac: 02:00:00:00:00:01\n")], [],
     {"restart": {VM}, "next-boot": {VM}}),
    ("memory", LAN, [("memory: 2Gi", "memory: 4Gi")], [], {"restart": {VM}}),
    ("dns", LAN, [("nameservers: [192.168.1.1]", "nameservers: [192.168.1.53]")], [], {"next-boot": {VM}}),
    ("nad-in-place", LAN, [("bridge: br-ext ", "bridge: br-lan ")], [], {"nad": {NAD}}),
    ("vm-rename", LAN, [("- name: ubuntu-rulai-multus-vm", "- name: ubuntu-2")], [],
     {"prune": {VM}, "create": {"VirtualMachine default/ubuntu-2"}}),
    ("lock", POOL, [], [("10.20.0.101", "10.20.0.150")],
     {"address": {"AddressLock vms/worker-2"}, "nad": {"NetworkAttachmentDefinition vms/worker-2-storage"},
      "next-boot": {"VirtualMachine vms/worker-2"}}),
]


def test_every_class_is_exercised() -> None:
    produced = {cls for *_, expect in CASES for cls in expect} | {"none"}
    assert produced == set(CLASSES)


@pytest.mark.parametrize("name,example,edits,lock_edits,expect", CASES, ids=[c[0] for c in CASES])
def test_plan_change_is_classified(tmp_path: Path, name: str, example: str, edits: list[tuple[str, str]],
                                   lock_edits: list[tuple[str, str]], expect: dict[str, set[str]]) -> None:
    repo = repo_with(tmp_path, example)
    if edits:
        edit(repo / example / "kvnet.yaml", *edits)
    if lock_edits:
        edit(repo / example / "kvnet.lock", *lock_edits)
    before = git(repo, "status", "--porcelain")
    got = classes_of(diff_json(repo, "HEAD", example))
    assert got == expect
    assert git(repo, "status", "--porcelain") == before  # the work tree and index are untouched


def test_unchanged_plan_says_so_in_one_line(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    edit(repo / LAN / "kvnet.yaml", ("# on each node", "# on every node"))  # a comment only
    run = diff(repo, "HEAD", LAN)
    assert run.code == 0 and run.err == ""
    assert run.out == "kvnet diff: nothing changes from base HEAD to the work tree (2 objects, 1 VMs)\n"


def test_text_table_names_field_values_and_nad_users(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    edit(repo / LAN / "kvnet.yaml", ("bridge: br-ext ", "bridge: br-lan "), ("memory: 2Gi", "memory: 4Gi"))
    run = diff(repo, "HEAD", LAN, "--fail-on", "restart")
    assert run.code == 1 and run.err == ""
    lines = run.out.splitlines()
    assert lines[0] == "kvnet diff: base HEAD -> the work tree: restart 1, nad 1 (0 objects unchanged)"
    assert lines[1].split() == ["CLASS", "OBJECT", "FIELD", "CHANGE", "WHY"]
    assert "resources.requests.memory  2Gi -> 4Gi" in lines[2]
    assert "spec.config.bridge" in lines[3] and "br-ext -> br-lan" in lines[3]
    assert lines[3].endswith("used by default/ubuntu-rulai-multus-vm")
    assert diff(repo, "HEAD", LAN, "--fail-on", "prune,create").code == 0


def test_revisions_and_directories(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    edit(repo / LAN / "kvnet.yaml", ("memory: 2Gi", "memory: 4Gi"))
    git(repo, "commit", "-qam", "more memory")
    assert diff(repo, "HEAD", LAN).out.startswith("kvnet diff: nothing changes")
    report = diff_json(repo, "HEAD~1", "--to", "HEAD", LAN)
    assert report["base"] == "base HEAD~1" and report["head"] == "head HEAD"
    assert classes_of(report) == {"restart": {VM}}
    old = tmp_path / "old"
    old.mkdir()
    (old / "kvnet.yaml").write_text(git(repo, "show", f"HEAD~1:{LAN}/kvnet.yaml"))
    assert classes_of(diff_json(tmp_path, "old", "--to", str(repo / LAN))) == {"restart": {VM}}


def test_new_plan_directory_is_all_create(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    import shutil
    from testlib import EXAMPLES
    shutil.copytree(EXAMPLES / POOL, repo / POOL)
    got = classes_of(diff_json(repo, "HEAD", POOL))
    assert set(got) == {"create", "address"} and len(got["create"]) == 6


def test_github_annotations_on_restart_and_prune_lines(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    plan = repo / LAN / "kvnet.yaml"
    edit(plan, ("          address: 192.168.1.200/24\n",
                "          address: 192.168.1.200/24\n          mac: 02:00:00:00:00:01\n"))
    mac_line = plan.read_text().splitlines().index("          mac: 02:00:00:00:00:01") + 1
    run = diff(repo, "HEAD", LAN, "--format", "github")
    assert run.code == 0
    first = run.out.splitlines()[0]
    assert first.startswith(f"::warning file={LAN}/kvnet.yaml,line={mac_line},col=16,title=kvnet diff%3A restart::")
    assert "interfaces[external].macAddress" in first
    assert run.out.splitlines()[-1].startswith("kvnet diff: base HEAD -> the work tree: restart 1")


def test_markdown_collapses_long_classes(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, POOL)
    plan = repo / POOL / "kvnet.yaml"
    vm = "    - name: worker-3\n      memory: 4Gi\n      image: quay.io/containerdisks/fedora:40\n"
    more = "".join(vm.replace("worker-3", f"extra-{n}").replace("4Gi", "1Gi")
                   for n in range(11))
    edit(plan, ("    - name: worker-3\n", more + "    - name: worker-3\n"), ("memory: 4Gi", "memory: 5Gi"))
    run = diff(repo, "HEAD", POOL, "--format", "markdown")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == "<!-- kvnet-diff -->"
    assert lines[1] == "### kvnet diff: base HEAD -> the work tree: restart 1, create 11 (5 objects unchanged)"
    assert "<details><summary>create (11): a new object (Argo CD creates it)</summary>" in lines
    assert "#### restart (1): the VM must restart to get it (KubeVirt sets RestartRequired, or cannot apply it " \
           "live)" in lines
    assert "| VirtualMachine vms/worker-1 | `resources.requests.memory` | `4Gi -> 5Gi` |" in run.out


def test_json_report_is_deterministic_and_complete(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    edit(repo / LAN / "kvnet.yaml", ("nameservers: [192.168.1.1]", "nameservers: [192.168.1.53]"))
    one, two = diff(repo, "HEAD", LAN, "--format", "json"), diff(repo, "HEAD", LAN, "--format", "json")
    assert one.out == two.out
    change = json.loads(one.out)["changes"][0]
    assert change["class"] == "next-boot" and change["file"] == f"{LAN}/kvnet.yaml"
    assert change["details"][0]["source"].startswith("pkg/virt-controller/watch/vm/vm.go")


def _schema_paths(node: dict, defs: dict, path: str, seen: frozenset[str]) -> list[str]:
    out: list[str] = []
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        if ref not in seen:
            out += _schema_paths(defs[ref], defs, path, seen | {ref})
    for name, sub in (node.get("properties") or {}).items():
        child = f"{path}.{name}" if path else name
        out.append(child)
        out += _schema_paths(sub, defs, child, seen)
    if isinstance(node.get("items"), dict):
        out.append(path + "[]")
        out += _schema_paths(node["items"], defs, path + "[]", seen)
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(key) or []:
            out += _schema_paths(sub, defs, path, seen)
    return out


def test_every_plan_field_is_classified() -> None:
    schema = json.loads((Path(__file__).resolve().parents[2] / "kvnet/schemas/networkplan.json").read_text())
    paths = sorted(set(_schema_paths(schema, schema.get("$defs", {}), "", frozenset())))
    assert len(paths) > 80
    uncovered = [p for p in paths if plan_classes(p) is None]
    assert uncovered == [], f"plan fields no class covers (add them to kvnet/diff/planfields.py): {uncovered}"
    for p in paths:
        classes, why = plan_classes(p) or ((), "")
        assert classes and set(classes) <= set(CLASSES) and why, p


def test_object_rules_cite_their_source() -> None:
    for kind, table in OBJECT_RULES.items():
        for (pattern, op), rule in table.items():
            assert rule.cls in CLASSES, (kind, pattern)
            if kind == "VirtualMachine":
                assert rule.source.startswith(("pkg/", "vm.go")), (pattern, op)


def test_dropping_an_unplugged_interface_is_live(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, LAN)
    plan = repo / LAN / "kvnet.yaml"
    edit(plan, ("          address: 192.168.1.200/24\n",
                "          address: 192.168.1.200/24\n          state: absent\n"))
    git(repo, "commit", "-qam", "unplug")
    edit(plan, ("        - network: external         # bridge binding on br-ext\n"
                "          address: 192.168.1.200/24\n          state: absent\n", ""))
    report = diff_json(repo, "HEAD", LAN)
    assert classes_of(report)["live"] == {VM}
    assert "restart" not in classes_of(report)
