"""A node applying kvnet's node-side netplan (issue 23): ``kvnet node-config --format netplan`` of
``examples/netplan-bond`` (bond0 of two uplinks with mode/miimon/MTU, br-vms on it filtering
VLANs 10 and 20, br-storage on a third uplink) written into a Debian 12 guest by cloud-init and
applied with ``netplan apply``; the guest reports ``ip -j -d link`` and ``bridge -j vlan show``.

The guest boots in the netplan renderer's first round, beside the plan VMs (no boot round of its
own). Its three extra virtio NICs are renamed to the plan's uplink names by MAC before the apply,
as a node's udev rules would name them. What it must show is read from the plan, not from the files.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import harness
import yaml

from testlib import EXAMPLES, run_kvnet

PLAN_DIR = EXAMPLES / "netplan-bond"
NAME = "node-rack-b"
STATE = "/etc/cloud/cloud.cfg.d/99-kvnet-node-state.json"  # a path the report copies back
POD_MAC = "02:6b:76:00:00:01"
SEGMENT = "node/uplinks"
# The image runs no write_files/runcmd (image.CLOUD_CFG, a cheaper boot); the node needs them
MODULES = ("cloud_init_modules: [seed_random, write_files, set_hostname, update_hostname]\n"
           "cloud_config_modules: [runcmd]\ncloud_final_modules: [scripts_user, final_message]\n")

APPLY = r"""set -u
{renames}
netplan apply > /run/kvnet-apply.log 2>&1; echo "netplan apply exit $?" >> /run/kvnet-apply.log
for i in $(seq 90); do
  {ready} && break
  sleep 1
done
sleep 3
python3 - <<'PY' > {state}
import json, subprocess
def run(*c):
    return subprocess.run(c, capture_output=True, text=True).stdout or "[]"
print(json.dumps({{"link": json.loads(run("ip", "-j", "-d", "link")), "vlan": json.loads(run("bridge", "-j", "vlan", "show")),
                  "apply": open("/run/kvnet-apply.log").read()}}))
PY
"""
RENAME = ('dev=$(ip -o link | awk -v m="{mac}" \'index($0, m) {{sub(":", "", $2); print $2}}\'); '
          'ip link set dev "$dev" down; ip link set dev "$dev" name {name}')


def _plan() -> dict[str, Any]:
    return next(d for d in yaml.safe_load_all((PLAN_DIR / "kvnet.yaml").read_text()) if d)


def uplinks(plan: dict[str, Any]) -> list[str]:
    """The node NICs the plan names: bond members and bridge uplinks that are no bond, sorted."""
    bonds = plan["spec"]["cluster"].get("bonds") or []
    names = {i for b in bonds for i in b["interfaces"]}
    names |= {n["uplink"] for n in plan["spec"]["networks"] if n.get("uplink")} - {b["name"] for b in bonds}
    return sorted(names)


def make() -> tuple[harness.Guest, list[harness.Segment]]:
    """The node guest (renderer netplan: cloud-init's own file for the pod NIC, kvnet's beside it)."""
    with tempfile.TemporaryDirectory() as tmp:
        run = run_kvnet("node-config", "--format", "netplan", "-o", tmp, str(PLAN_DIR))
        assert run.code == 0, run.err
        files = [{"path": "/" + str(p.relative_to(tmp)), "permissions": oct(p.stat().st_mode & 0o777),
                  "content": p.read_text()} for p in sorted(Path(tmp).rglob("*")) if p.is_file()]
    plan = _plan()
    names = uplinks(plan)
    macs = [f"02:6b:76:00:01:{n + 1:02x}" for n in range(len(names))]
    bridges = sorted({n["bridge"] for n in plan["spec"]["networks"] if n.get("uplink")})
    ready = " && ".join(f"ip link show {b} >/dev/null 2>&1" for b in bridges)
    script = APPLY.format(renames="\n".join(RENAME.format(mac=m, name=n) for m, n in zip(macs, names, strict=True)),
                          ready=ready, state=STATE)
    user_data = "#cloud-config\n" + yaml.safe_dump({"write_files": files, "runcmd": [["/bin/sh", "-c", script]]},
                                                   sort_keys=False, width=1000)
    network_data = yaml.safe_dump({"version": 2, "ethernets": {"eth0": {
        "match": {"macaddress": POD_MAC}, "set-name": "eth0", "dhcp4": True}}})
    nics = [harness.Nic(POD_MAC, None)] + [harness.Nic(m, SEGMENT) for m in macs]
    guest = harness.Guest(NAME, "netplan", network_data, user_data, f"{NAME}.node", nics)
    guest.cloud_cfg = MODULES
    return guest, [harness.Segment(SEGMENT)]


def check(report: dict[str, Any]) -> list[str]:
    """What the node shows against the plan: each bond (kind, mode, miimon, MTU, its members),
    each bridge (its uplink a port; VLAN filtering on and each VLAN on the uplink when a network on
    it has ``vlan``, off otherwise), from ``ip -j -d link`` and ``bridge -j vlan show``."""
    raw = report.get("files", {}).get(STATE)
    if raw is None:
        return [f"the node reported no state ({STATE} missing)"]
    state = json.loads(raw)
    links = {link["ifname"]: link for link in state["link"]}
    vlans = {e["ifname"]: {v["vlan"] for v in e.get("vlans", [])} for e in state["vlan"]}
    plan, bad = _plan(), []
    if "exit 0" not in state["apply"]:
        bad.append(f"netplan apply failed: {state['apply']}")
    for bond in plan["spec"]["cluster"].get("bonds") or []:
        info = links.get(bond["name"], {}).get("linkinfo", {})
        data = info.get("info_data", {})
        if (info.get("info_kind"), data.get("mode"), data.get("miimon"), links.get(bond["name"], {}).get("mtu")) != \
                ("bond", bond["mode"], bond["miimon"], bond["mtu"]):
            bad.append(f"bond {bond['name']}: {info} mtu {links.get(bond['name'], {}).get('mtu')}, plan {bond}")
        bad += [f"{m}: master {links.get(m, {}).get('master')}, plan {bond['name']}" for m in bond["interfaces"]
                if links.get(m, {}).get("master") != bond["name"]]
    for bridge in sorted({n["bridge"] for n in plan["spec"]["networks"] if n.get("uplink")}):
        nets = [n for n in plan["spec"]["networks"] if n.get("bridge") == bridge]
        uplink, want = nets[0]["uplink"], {n["vlan"] for n in nets if n.get("vlan")}
        info = links.get(bridge, {}).get("linkinfo", {})
        filtering = info.get("info_data", {}).get("vlan_filtering")
        if info.get("info_kind") != "bridge" or filtering != (1 if want else 0):
            bad.append(f"bridge {bridge}: {info.get('info_kind')} vlan_filtering {filtering}, plan VLANs {sorted(want)}")
        if links.get(uplink, {}).get("master") != bridge:
            bad.append(f"{uplink}: master {links.get(uplink, {}).get('master')}, plan {bridge}")
        if not want <= vlans.get(uplink, set()):
            bad.append(f"{uplink}: bridge VLANs {sorted(vlans.get(uplink, set()))}, plan {sorted(want)}")
    return bad
