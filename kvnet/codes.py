"""The one registry of diagnostic codes: code -> severity, one-line summary, SPEC section.

Every Diagnostic kvnet reports carries one of these codes; :func:`kvnet.diagnostics.error`
and :func:`kvnet.diagnostics.warning` take the severity from here (a mismatch is a kvnet bug
and raises). The README's code table lists the same set (a test checks code, registry and
README against each other). Ranges: KV0xx input files, KV1xx plan schema, KV2xx plan rules
(KV26x node side), KV9xx output checks and adapters.
"""

from __future__ import annotations

from kvnet.record import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """One registered diagnostic code."""

    code: str
    severity: Severity
    summary: str
    spec: str  # SPEC section the rule comes from ("" for adapters)


E, W = Severity.ERROR, Severity.WARNING

_TABLE: tuple[tuple[str, Severity, str, str], ...] = (
    ("KV000", E, "path missing or unreadable (exit 2)", "§5"),
    ("KV001", E, "YAML syntax error, or not UTF-8", "§4"),
    ("KV002", E, "duplicate key", "§4"),
    ("KV003", E, "alias expansion, YAML node count (whole input) or nesting beyond the bound", "§4"),
    ("KV004", E, "file over 64 MiB, or all input files over 128 MiB (KVNET_MAX_INPUT_MB raises both)", "§4"),
    ("KV005", E, "document is not a mapping", "§4"),
    ("KV006", E, "nothing to emit (use --allow-empty if intended)", "§5"),
    ("KV007", E, "parts of one plan disagree (namespace, spec.cluster twice)", "§2"),
    ("KV008", W, "a NetworkPlan of another apiVersion is ignored", "§2"),
    ("KV009", E, "a --crd file holds no usable CustomResourceDefinition (none, a list, structure, "
              "invalid schema)", "§4"),
    ("KV010", E, "import: the input holds a value no NetworkPlan accepts (a VM name that is no DNS-1123 label)", "§8"),
    ("KV050", W, "a suppression (a '# kvnet: ignore[KVnnn]: reason' comment) accepts no warning", "§5"),
    ("KV051", E, "a '# kvnet: ignore' comment without codes or a reason, with an unknown code, or naming an "
              "error (only warnings can be accepted)", "§5"),
    ("KV052", E, "the project configuration file (.kvnet.yaml) is not YAML, has an unknown key or a bad value "
              "(exit 2)", "§5"),
    ("KV053", E, "import: a VM interface a NetworkPlan cannot carry (a NAD named without a namespace and not in "
              "the input: use -n; a network with no plan equivalent); the plan would lose the NIC, nothing is "
              "written", "§8"),
    ("KV054", E, "lint: a VM names a NAD <other-namespace>/<name> not in the input while NAD <name> is in the VM's "
              "namespace: the namespace was changed after the VM was written (kustomize's namespace transformer)",
     "§8"),
    ("KV055", E, "(check-rendered, lock with --brief-plan-errors, as the pre-commit hooks run them) the plan has "
              "errors; 'kvnet validate' lists them", "§5"),
    ("KV056", E, "(kustomize plugin) the kustomization's namespace: would move kvnet's objects without what they "
              "name (the VMs' multus.networkName, the node side in kube-system)", "§6"),
    ("KV101", E, "unknown field (with did-you-mean)", "§4"),
    ("KV102", E, "wrong type", "§4"),
    ("KV103", E, "missing required field", "§4"),
    ("KV104", E, "value not allowed (enum, range)", "§4"),
    ("KV105", E, "bad name: DNS-1123 label/subdomain, Linux interface name, image, quantity", "§4"),
    ("KV106", E, "number Kubernetes would refuse: integer outside int64, infinity or NaN", "§4"),
    ("KV107", E, "YAML 1.1 base-60 number (1:30 reads as 90); quote it", "§4"),
    ("KV108", E, "object Kubernetes would refuse for its size (Secret/ConfigMap data over 1 MiB, "
              "object over 1.5 MiB)", "§4"),
    ("KV201", E, "duplicate network", "§4"),
    ("KV202", E, "duplicate VM", "§4"),
    ("KV203", E, "duplicate interface (network attached twice)", "§4"),
    ("KV204", E, "unknown network (with did-you-mean)", "§4"),
    ("KV205", E, "more than one pod network", "§4"),
    ("KV206", E, "'default' used as a network name (it is the pod network)", "§4"),
    ("KV208", E, "a field the network type does not use", "§2"),
    ("KV209", E, "a field the network type or VM needs is missing", "§2"),
    ("KV210", E, "subnet with host bits set", "§4"),
    ("KV211", E, "address not an IP, outside its subnet, or with another prefix", "§4"),
    ("KV212", E, "address is the network or broadcast address", "§4"),
    ("KV213", E, "address is the gateway", "§4"),
    ("KV214", E, "gateway outside the subnet", "§4"),
    ("KV215", E, "pool (range/exclude) outside the subnet or reversed", "§4"),
    ("KV216", E, "the same address twice on one L2 segment (a network, or networks on one bridge and VLAN, "
                 "across the plans of one directory)", "§4"),
    ("KV217", E, "MAC invalid (multicast, zero) or used twice on one L2 segment or in a VM", "§4"),
    ("KV218", E, "ipam: static interface without address", "§4"),
    ("KV219", E, "address on a pool or pod network; IPv6 pool; pool/dhcp network behind a binding other than bridge",
     "§3"),
    ("KV220", W, "ipam: dhcp needs the CNI DHCP daemon on every node", "§3"),
    ("KV221", E, "more than one interface of a VM sets defaultRoute: true for one address family", "§2"),
    ("KV222", E, "defaultRoute: true on a NIC that can get no gateway", "§3"),
    ("KV223", E, "route 'to' is not a network address, or is a default route", "§4"),
    ("KV224", E, "route 'via' is not an address inside the network's subnet", "§4"),
    ("KV225", E, "route family differs from the subnet's", "§4"),
    ("KV226", W, "a network's gateway reaches no route: another secondary carries that family's default route", "§3"),
    ("KV227", W, "a VM's declared guest (network-manager before cloud-init 26.2, eni) keeps a DHCP default route "
              "beside the carrier's (NetworkManager: it wins)", "§3"),
    ("KV228", W, "a VM's declared guest loses a network's routes (eni before cloud-init 26.2) or their metric "
              "(networkd, network-manager before 26.2)", "§3"),
    ("KV229", W, "a VM's declared guest applies no DNS server of a static NIC (eni without resolvconf; "
              "network-manager before cloud-init 26.2)", "§3"),
    ("KV230", E, "a binding the network cannot carry", "§4"),
    ("KV231", E, "ovs/bridge: 'vlan' together with 'trunk', or a trunk item not {id} or {minID <= maxID}", "§9"),
    ("KV232", E, "an OVN-Kubernetes network in a plan without metadata.namespace (netAttachDefName)", "§9"),
    ("KV233", E, "allowPersistentIPs without 'subnet' (OVN-Kubernetes assigns no addresses to keep)", "§9"),
    ("KV234", W, "kvnet cannot add cloud-init's network update events to a VM's userData (script, MIME, "
     "not a cloud-config mapping)", "§3"),
    ("KV235", W, "a VM's own userData 'updates' leaves out 'boot': networkData changes never reach the booted guest",
     "§3"),
    ("KV236", E, "an interface state KubeVirt refuses for its binding (down on SR-IOV; absent on any binding "
     "but bridge)", "§4"),
    ("KV237", E, "state: absent on the pod network (KubeVirt cannot hot-unplug it)", "§4"),
    ("KV238", E, "defaultRoute: true on an interface with state: absent", "§3"),
    ("KV239", E, "hotplug: true on an interface KubeVirt does not hot-plug (only virtio with bridge or sriov)", "§4"),
    ("KV240", E, "Multus annotation in the input", "§4"),
    ("KV241", E, "template sets networks or interfaces", "§2"),
    ("KV242", W, "a VM label/annotation that kvnet owns is replaced", "§6"),
    ("KV243", E, "a VM with an instancetype also sets cpu or memory (KubeVirt rejects it)", "§2"),
    ("KV244", W, "a VM's declared guest makes no VLAN sub-interface of a trunk NIC (networkd before cloud-init 26.2)",
     "§3"),
    ("KV250", E, "two objects with the same name", "§6"),
    ("KV260", E, "a CNI plugin a NAD needs is neither shipped by the distribution nor installed", "§4"),
    ("KV261", W, "a NAD needs an operator-provided plugin (sriov; macvtap, whereabouts when kvnet does not "
                       "deploy them)", "§4"),
    ("KV262", W, "plugins.install: always or multus.deploy: true ignored (operator-managed)", "§3"),
    ("KV263", E, "a node-side image is not pinned", "§3"),
    ("KV264", W, "the Multus image does not match multus.flavor", "§3"),
    ("KV265", W, "an ovs network needs ovs-cni and Open vSwitch on every node", "§9"),
    ("KV266", W, "an OVN-Kubernetes network needs OVN-Kubernetes as the cluster's CNI", "§9"),
    ("KV267", W, "a network binding plugin the plan uses (macvtap, passt, l2bridge) must be registered in the "
                 "KubeVirt CR", "§9"),
    ("KV268", E, "nodeNetwork nmstate, netplan or networkd and a bridge network without 'uplink'", "§9"),
    ("KV269", E, "networks on the same node bridge disagree on its 'uplink'", "§9"),
    ("KV270", W, "a plan plugs NICs into running VMs: KubeVirt migrates for it by itself only with LiveUpdate", "§3"),
    ("KV271", W, "a plan plugs NICs into running VMs without thick Multus and multus-dynamic-networks-controller: "
     "KubeVirt migrates the VMs", "§3"),
    ("KV272", E, "multus.hotplug: true with thin Multus", "§3"),
    ("KV273", W, "hotplug: true on an SR-IOV interface: KubeVirt live-migrates the VM to plug it", "§3"),
    ("KV274", W, "a hot-plugged interface before interfaces the VM already has (guest NIC names shift)", "§3"),
    ("KV275", E, "spec.cluster.bonds: a bond declared twice, or a NIC in two bonds or also a bridge's uplink", "§9"),
    ("KV276", E, "spec.cluster.bonds with nodeNetwork none (nothing creates the bonds)", "§9"),
    ("KV277", W, "a bond with miimon 0 (no link monitoring: a dead port is never noticed)", "§9"),
    ("KV280", E, "an interface needs an allocated address that kvnet.lock does not hold", "§7"),
    ("KV281", W, "a host-local pool network used by VMs (per-node pools: duplicates across nodes, moves)", "§7"),
    ("KV282", E, "a kvnet.lock address is not an IP, outside its allocate range, or reserved", "§7"),
    ("KV283", E, "a kvnet.lock address clashes with another entry or an explicit address", "§7"),
    ("KV284", E, "a kvnet.lock entry for an unknown network or VM, or an interface that needs none (of its family)",
     "§7"),
    ("KV285", E, "kvnet.lock is not an AddressLock (apiVersion, kind, plans mapping)", "§7"),
    ("KV286", E, "an allocate range has no free address left", "§7"),
    ("KV287", E, "kvnet lock --check: kvnet.lock is stale", "§7"),
    ("KV290", E, "an interface names a NAD outside the plan ('<namespace>/<name>'): use an external network", "§9"),
    ("KV291", E, "macvtap networks share a device-plugin resource but not its master or mode", "§9"),
    ("KV292", W, "networks on one L2 segment (node bridge and VLAN, OVS bridge and VLAN, OVN-Kubernetes "
                 "network) disagree on the subnet", "§4"),
    # issue 25 (bindings, persistent IPs, ConfigDrive): KV620-KV649
    ("KV620", E, "interface 'ports' with a binding that does not forward them (only masquerade/passt on the pod "
                 "network)", "§4"),
    ("KV621", E, "an interface port name KubeVirt refuses (not an IANA service name, or used twice)", "§4"),
    ("KV622", E, "allowPersistentIPs on a network whose IPAM does not honour IPAMClaims (host-local, whereabouts, "
                 "dhcp; none/static hold the plan's address already)", "§9"),
    ("KV623", W, "allowPersistentIPs used by VMs on a distribution that does not bring kubevirt/ipam-extensions, the "
                 "IPAMClaim CRD and OVN-Kubernetes --enable-persistent-ips", "§9"),
    ("KV624", W, "a pool IPAM without IPAMClaims (whereabouts, dhcp, an OVN subnet without allowPersistentIPs) "
                 "behind a live-migratable VM: new addresses on restart and migration", "§7"),
    ("KV625", E, "guest VLANs on a VM with the ConfigDrive datasource (network_data.json carries no netplan vlans)",
     "§3"),
    ("KV626", W, "ConfigDrive: a DHCP NIC whose server offers a router beside another NIC's IPv4 default route "
                 "(network_data.json cannot refuse the router)", "§3"),
    ("KV628", W, "ConfigDrive on a declared cloudbase-init guest: a network's routes (only the default route's "
                 "gateway is applied)", "§3"),
    ("KV629", W, "ConfigDrive on a declared cloudbase-init guest: a network's DNS search domains (not applied)", "§3"),
    ("KV630", W, "ConfigDrive on a declared cloudbase-init guest: a DHCP NIC's default route or DNS servers from the "
                 "plan (only static networks are configured)", "§3"),
    ("KV631", W, "a declared cloudbase-init guest on the NoCloud datasource (cloudbase-init's default metadata "
                 "services read ConfigDrive only)", "§3"),
    ("KV632", W, "guest.cloudInit beside renderer cloudbase-init (a cloud-init version; ignored)", "§3"),
    ("KV300", E, "lint: a NAD's spec.config is not a JSON object string", "§8"),
    ("KV301", E, "lint: a NAD config value kvnet's CNI schemas reject", "§8"),
    ("KV302", W, "lint: a NAD's CNI plugin type is not one kvnet knows (not checked)", "§8"),
    ("KV303", E, "lint: a NAD config with neither type nor plugins, or a conflist without plugins", "§8"),
    ("KV304", E, "lint: a NAD config's cniVersion is missing or not a CNI version", "§8"),
    ("KV305", E, "lint: a default route in a secondary NAD's IPAM", "§8"),
    ("KV306", W, "lint: a VM's multus network names a NAD not in the input", "§8"),
    ("KV307", W, "lint: networkData route 'to: default', which cloud-init < 25.3 rejects outside netplan", "§8"),
    ("KV308", E, "lint: the NAD CRD under a wrong name, group, plural or kind", "§1"),
    ("KV309", E, "lint: a Multus DaemonSet's CNI hostPath is not the distribution's", "§1"),
    ("KV310", E, "lint: --multus-kubeconfig-file-host missing or outside the distribution's conf dir", "§1"),
    ("KV311", W, "import: a part of the input a NetworkPlan cannot express", "§8"),
    ("KV312", W, "lint: a VM's cloud-init networkData cannot be read", "§8"),
    ("KV313", E, "lint: a VM's networks and interfaces break KubeVirt's admission rules", "§8"),
    ("KV320", E, "a network policy peer is not one of vm, vmLabels or cidr, or names a VM the plan does not have",
     "§9"),
    ("KV321", E, "a network policy peer's cidr or except is not a network, or except is not inside cidr", "§9"),
    ("KV322", W, "nothing enforces a network policy on the network's VMs (enforcer, network type, binding)", "§9"),
    ("KV323", W, "a network policy peer's vmLabels select no VM of the plan", "§9"),
    ("KV324", E, "lint: a MultiNetworkPolicy without policy-for, or against the MultiNetworkPolicy CRD's schema", "§8"),
    ("KV325", W, "lint: a MultiNetworkPolicy's policy-for names a NAD not in the input", "§8"),
    ("KV326", W, "lint: a MultiNetworkPolicy's policy-for names a NAD no VM uses while VMs use the NADs of its segment "
                 "(per-VM static NADs)", "§8"),
    ("KV327", E, "a plain manifest passed through beside the plan is invalid against its schema", "§4"),
    ("KV328", W, "a bridge network's trunk needs the bridge CNI plugin v1.3.0 or newer (vlanTrunk), which kvnet "
                 "does not install there", "§9"),
    ("KV329", E, "guest VLANs ('vlans') on an interface whose network has no 'trunk'", "§9"),
    ("KV330", E, "a guest VLAN id outside the network's trunk, or twice on one interface", "§9"),
    ("KV331", E, "a guest VLAN address: not an IP, no prefix length without a plan network for that VLAN, "
                 "outside that network's subnet of its family (or the network has none), or its network, broadcast "
                 "or gateway address", "§9"),
    ("KV500", E, "doctor: the profile's CNI bin dir or conf dir does not exist on the node", "§9"),
    ("KV501", E, "doctor: the Multus binary (multus, multus-shim) is not in the CNI bin dir", "§9"),
    ("KV502", E, "doctor: a CNI plugin the plan needs is not in the CNI bin dir", "§9"),
    ("KV503", E, "doctor: a binary in the CNI bin dir is not an executable file, or a dangling symlink", "§9"),
    ("KV504", E, "doctor: no 00-multus config in the CNI conf dir", "§9"),
    ("KV505", E, "doctor: another CNI config sorts before 00-multus", "§9"),
    ("KV506", E, "doctor: the 00-multus config is not a CNI config", "§9"),
    ("KV507", E, "doctor: the kubeconfig the 00-multus config names does not exist", "§9"),
    ("KV510", E, "doctor: a node bridge the plan needs does not exist", "§9"),
    ("KV511", E, "doctor: a node bridge's name is taken by a netdev that is not a Linux bridge", "§9"),
    ("KV512", E, "doctor: a node bridge has no ports (no uplink in the plan)", "§9"),
    ("KV513", E, "doctor: the plan's uplink is not a port of its node bridge", "§9"),
    ("KV514", E, "doctor: the plan's uplink does not exist on the node", "§9"),
    ("KV515", E, "doctor: a node bridge carrying VLAN networks does not filter VLANs (vlan_filtering 0)", "§9"),
    ("KV516", E, "doctor: the uplink is not a tagged member of a VLAN its bridge's networks use", "§9"),
    ("KV517", W, "doctor: the uplink's VLAN membership could not be read (no --bridge-vlan, no bridge tool)", "§9"),
    ("KV518", E, "doctor: the node's kernel has no bridge VLAN filtering, which VLAN bridge networks need", "§9"),
    ("KV519", E, "doctor: the --bridge-vlan file is not 'bridge -j vlan show' output", "§9"),
    ("KV520", E, "doctor: Open vSwitch is not running on the node", "§9"),
    ("KV521", E, "doctor: an Open vSwitch bridge the plan needs does not exist", "§9"),
    ("KV522", E, "doctor: a Linux bridge has the name of an Open vSwitch bridge the plan needs", "§9"),
    ("KV523", W, "doctor: a netdev named like the Open vSwitch bridge, but Open vSwitch's database was not read",
     "§9"),
    ("KV530", E, "doctor: Cilium's cni.exclusive renamed the 00-multus config (*.cilium_bak)", "§9"),
    ("KV531", W, "doctor: Cilium is the primary CNI and will rename 00-multus unless cni.exclusive is false", "§9"),
    ("KV532", E, "doctor: 00-multus delegates to a network that is no longer the node's primary CNI", "§9"),
    ("KV533", W, "doctor: more than one primary CNI config in the conf dir (a shipped or replaced CNI left on)",
     "§9"),
    ("KV400", E, "diff: a revision that does not exist in the repository (exit 2)", "§5"),
    ("KV401", E, "diff: a path that is not in a git repository, or paths in different repositories (exit 2)", "§5"),
    ("KV402", E, "diff: git is missing or failed reading a revision (exit 2)", "§5"),
    ("KV410", E, "diff --live: a NAD of the plan is not in the cluster", "§5"),
    ("KV411", E, "diff --live: a NAD's CNI config in the cluster differs from the plan", "§5"),
    ("KV412", E, "diff --live: a VM of the plan is not in the cluster", "§5"),
    ("KV413", E, "diff --live: a VM's interfaces, networks or cloud-init volume differ from the plan", "§5"),
    ("KV414", W, "diff --live: a VM has KubeVirt's RestartRequired condition", "§5"),
    ("KV415", E, "diff --live: a VMI's status.interfaces (MAC, guest-reported address, link state) differ "
              "from the plan", "§5"),
    ("KV416", W, "diff --live: an interface's hot-plug or hot-unplug is pending", "§5"),
    ("KV417", E, "diff --live: the live dump is not Kubernetes objects (exit 2)", "§5"),
    ("KV418", W, "diff --live: an object labelled with the plan is no longer in it (Argo CD prunes it)", "§5"),
    ("KV600", E, "a per-family value (subnet, gateway, range, allocate, address, a guest VLAN's address) has two "
                 "values of one address family (a third value, too)", "§2"),
    ("KV601", W, "a dual-stack pool network: KubeVirt hands the guest only the pod's IPv4 address (no DHCPv6 or "
                 "router adverts on the bridge binding)", "§3"),
    ("KV900", E, "kvnet emitted an invalid object (a kvnet bug)", "§4"),
    ("KV901", E, "the template fragment makes the VirtualMachine invalid", "§2"),
    ("KV960", E, "check-rendered: committed rendered output is stale", ""),
    ("KV961", E, "check-rendered: committed rendered output is missing", ""),
    ("KV970", E, "kustomize plugin: the generator config is not a mapping", ""),
    ("KV980", E, "kvnet fn: the input is not a ResourceList", ""),
)

CODES: dict[str, Code] = {c: Code(c, sev, summary, spec) for c, sev, summary, spec in _TABLE}


def lookup(code: str) -> Code:
    """The registered ``code``; KeyError names it when it is not registered (a kvnet bug)."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"diagnostic code {code} is not registered in kvnet.codes") from None
