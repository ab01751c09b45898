"""``kvnet doctor``: check a node's filesystem (under a root) against a distribution
profile and what plans need. Findings are values; the command renders them."""

from __future__ import annotations

from kvnet.record import replace

from kvnet.doctor.bridges import check_bridges
from kvnet.doctor.checks import (
    Context,
    check_dirs,
    check_kubeconfig,
    check_multus_binary,
    check_multus_conf,
    check_plugins,
    multus_flavor,
)
from kvnet.doctor.detect import choose_profile
from kvnet.doctor.findings import ERROR, OK, WARNING, Finding, NodeReport
from kvnet.doctor.needs import Needs, flavor_of
from kvnet.doctor.ovs import check_ovs
from kvnet.doctor.primary import check_primary, cilium_finding, cilium_renamed
from kvnet.doctor.rootfs import RootFS
from kvnet.doctor.tools import Tools
from kvnet.doctor.vlans import check_vlans
from kvnet.doctor.vlanstate import VlanState

__all__ = ["ERROR", "OK", "WARNING", "Finding", "Needs", "NodeReport", "diagnose"]


def diagnose(root: str, needs: Needs, distribution: str | None = None, flavor: str | None = None,
             vlan_state: VlanState | str | None = None, tools: Tools | None = None) -> NodeReport:
    """Check the node under ``root`` for ``needs`` (from ``--plan``; empty without one).
    ``vlan_state``: the bridge ports' VLANs (``bridge -j vlan show``) or why they were not read;
    ``tools``: where ``ovs-vsctl`` runs (:mod:`kvnet.doctor.tools`)."""
    fs = RootFS(root)
    profile, source = choose_profile(fs, distribution, needs.cluster)
    ctx = Context(fs, profile, needs, vlan_state=vlan_state, tools=tools or Tools())
    chosen_flavor = multus_flavor(ctx, flavor or flavor_of(needs.cluster))
    ctx = replace(ctx, flavor=chosen_flavor)
    report = NodeReport(root=fs.root, distribution=profile.distribution, distribution_from=source,
                        bin_dir=profile.bin_dir, conf_dir=profile.conf_dir, flavor=chosen_flavor)
    report.findings.extend(check_dirs(ctx))
    report.findings.extend(check_multus_binary(ctx, chosen_flavor))
    report.findings.extend(check_plugins(ctx))
    renamed = cilium_renamed(ctx)  # the cause of a missing 00-multus config, reported instead of it
    report.findings.extend(cilium_finding(ctx, renamed) if renamed and f.code == "KV504" else f
                           for f in check_multus_conf(ctx))
    report.findings.extend(check_primary(ctx))
    report.findings.extend(check_kubeconfig(ctx))
    report.findings.extend(check_bridges(ctx))
    report.findings.extend(check_vlans(ctx))
    report.findings.extend(check_ovs(ctx))
    return report
