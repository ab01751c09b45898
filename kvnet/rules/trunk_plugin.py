"""KV328: a Linux bridge trunk needs the bridge CNI plugin v1.3.0 or newer (issue 24).

containernetworking/plugins added ``vlanTrunk`` to the bridge plugin in v1.3.0 (PR #829, commit
090af7db "bridge: add vlan trunk support"); older plugins (Debian 12 ships 1.1.1) decode the
config with Go's encoding/json, which drops the unknown key: the port is created without the
trunk and the VM's tagged frames go nowhere, with no error anywhere. kvnet can vouch for the
plugin only where it installs it itself: its installer (spec.cluster, pinned plugins image,
v1.9.x) never replaces a plugin the nodes already have, so the distribution's bridge stays.
"""

from __future__ import annotations

from kvnet import nettypes
from kvnet.diagnostics import Diagnostic, warning
from kvnet.input.facts import Facts
from kvnet.input.model import Plan

OLD_PLUGIN = "KV328"
MIN_VERSION = "v1.3.0"


def kvnet_installs_bridge(facts: Facts) -> bool:
    """kvnet's installer puts its own (new enough) bridge plugin on the nodes."""
    return facts.installs_plugins and facts.profile is not None and "bridge" not in facts.profile.plugins


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    """KV328 for every bridge network with a trunk whose bridge plugin kvnet does not install."""
    if kvnet_installs_bridge(facts):
        return []
    return [warning(OLD_PLUGIN, f"network {net.name!r}: a trunk needs the bridge CNI plugin {MIN_VERSION} or newer "
                    "(vlanTrunk); an older one ignores it silently and the VM gets no tagged frames (Debian 12 "
                    "ships 1.1.1)", net.where.at("trunk", key=True),
                    hint="check the nodes' plugin ('kvnet verify' on a node says 'not exercised: plugin lacks "
                         "vlanTrunk' where it is older), or let spec.cluster.plugins install a newer one where the "
                         "distribution ships none")
            for net in plan.networks if net.type == nettypes.BRIDGE_TYPE and net.trunk]
