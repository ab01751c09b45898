"""KV267: every network binding plugin a plan's interfaces use reminds that the KubeVirt CR must
register it (SPEC §9), with the fragment that does, one mechanism for all of them.

An interface with a binding plugin (``binding: {name: ...}``: ``macvtap``, the default on a
macvtap network; ``passt``; ``l2bridge``) makes KubeVirt look the name up in
``spec.configuration.network.binding`` of its CR; an unregistered one fails the VM's launcher
("couldn't find configuration for network binding", kubevirt/kubevirt
pkg/network/netbinding/netbinding.go). The entries and their sources are the bindings catalog's
(kvnet/nettypes/bindings.py). kvnet cannot see the cluster's CR, so this is a warning, one per
plugin at the first interface that needs it (a macvtap network: the network's ``type``, as the
binding follows from it). The hint is a JSON merge patch, which adds the entry beside bindings
already registered (a JSON patch ``add`` of ``/spec/configuration/network`` would replace them).
"""

from __future__ import annotations

from kvnet.diagnostics import Diagnostic, Loc, warning
from kvnet.input.facts import Facts, binding_of
from kvnet.input.model import Plan
from kvnet.nettypes.bindings import binding, is_plugin, registration_patch
from kvnet.rules.bindings import known_interfaces

OLD_KUBEVIRT = ("KubeVirt < v1.5 also needs the NetworkBindingPlugins feature gate "
                "(spec.configuration.developerConfiguration.featureGates)")


def _first_uses(plan: Plan) -> dict[str, tuple[str, Loc]]:
    """Binding plugin -> (what first uses it, where), in plan order."""
    nets = {n.name: n for n in plan.networks}
    found: dict[str, tuple[str, Loc]] = {}
    for vm, iface, net_type in known_interfaces(plan):
        name = binding_of(iface, net_type)
        if not is_plugin(name) or name in found:
            continue
        if iface.binding is None and iface.network in nets:
            net = nets[iface.network]
            found[name] = (f"{net_type} network {net.name!r}", net.where.at("type"))
        else:
            found[name] = (f"VM {vm.name!r} interface {iface.network!r}", iface.where.at("binding"))
    return found


def check(plan: Plan, facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name, (what, at) in _first_uses(plan).items():
        entry = binding(name)
        source = entry.source if entry is not None else ""
        also = f"; it also needs {entry.also}" if entry is not None and entry.also else ""
        out.append(warning(
            "KV267", f"{what}: KubeVirt attaches it with the {name!r} network binding plugin, which must be "
            f"registered in the KubeVirt CR (spec.configuration.network.binding.{name}; {source})", at,
            hint=f"register it once per cluster: {registration_patch([name])} ({OLD_KUBEVIRT}{also})"))
    return out
