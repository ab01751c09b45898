"""Boot Debian 12 guests under qemu (TCG) with kvnet's NoCloud seed, in a private network namespace.

One boot group = one network namespace ``kvb-<random>`` holding, for every guest, one tap per VM
interface (the VM's MAC on the guest side) and:

- the pod NIC: its own tap with ``10.0.<n>.1/24`` and a dnsmasq that answers the way KubeVirt's
  masquerade DHCP does (the guest's address ``10.0.<n>.2``, router and DNS options, nothing else);
  on a dual-stack pod network (``Nic.ipv6``) the tap also has KubeVirt's IPv6 gateway
  ``fd10:0:2::1/120`` and the dnsmasq serves DHCPv6 with the one address ``fd10:0:2::2``, and, as
  in KubeVirt, nothing sends router advertisements (see :data:`POD_IPV6`);
- every other NIC: its tap enslaved to the group's bridge for that segment (``kvbr<k>``); a
  segment carries the address the plan gives the bridge side (``Segment.host``, e.g. the
  network's gateway) and, for pool networks, a dnsmasq that hands each MAC its address with no
  router, as KubeVirt's DHCP does on secondary networks.

Nothing routes out of the namespace: it has no link to the host's, and no default route.
Every namespace, process and image copy is removed in ``finally`` (also on timeout).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import measure

REPORT_BEGIN, REPORT_END = "KVNET-REPORT-BEGIN", "KVNET-REPORT-END"
RENDERER_VARIANT = {"netplan": "base", "networkd": "base", "eni": "base", "network-manager": "nm"}
#: KubeVirt's masquerade binding on a dual-stack pod: the VM side of virt-launcher's NAT is the
#: default vmIPv6NetworkCIDR fd10:0:2::/120, gateway fd10:0:2::1 on virt-launcher's bridge, the
#: guest fd10:0:2::2 (kubevirt/kubevirt pkg/network/dhcp/masquerade.go Generate with
#: virtnetlink.GenerateMasqueradeGatewayAndVmIPAddrs; user-guide "masquerade" / openshift-docs
#: modules/virt-configuring-masquerade-mode-dual-stack.adoc). virt-launcher serves it by DHCPv6
#: (pkg/network/dhcp/configurator.go startDHCP -> pkg/network/dhcp/serverv6/serverv6.go
#: SingleClientDHCPv6Server: IA_NA with that address, infinite lease, the pod's IPv6 DNS) and sends
#: no router advertisement (the older pkg/network/ndp RouterAdvertiser is gone), so no route comes
#: from it: the guest's networkData sets the address and ``gateway6`` itself.
POD_IPV6, POD_IPV6_GATEWAY = "fd10:0:2::2/120", "fd10:0:2::1"


@dataclass
class Segment:
    """One L2 segment (a bridge in the namespace): ``host`` CIDRs go on the bridge, ``leases``
    (MAC -> address) are served by a dnsmasq without router or DNS option (a pool NIC)."""
    name: str
    host: list[str] = field(default_factory=list)
    leases: dict[str, str] = field(default_factory=dict)
    netmask: str = "255.255.255.0"


@dataclass
class Nic:
    mac: str
    segment: str | None  # None: the pod NIC (masquerade)
    ipv6: bool = False  # the pod NIC on a dual-stack pod network (POD_IPV6)


@dataclass
class Guest:
    """One VM to boot: its seed (exactly kvnet's networkData and userData), NICs in order,
    the cloud-init renderer, addresses to wait for and peers to ping before reporting."""
    name: str
    renderer: str
    network_data: str
    user_data: str
    instance_id: str
    nics: list[Nic]
    wait: list[str] = field(default_factory=list)
    ping: list[str] = field(default_factory=list)
    disk: Path | None = None  # set by boot(); kept when keep_disk, to boot it again
    cloud_cfg: str = ""  # more /etc/cloud/cloud.cfg.d YAML for this guest (e.g. modules the image leaves out)
    pod_index: int = 0  # set by boot(): the pod NIC is 10.0.<2 + pod_index>.2


@dataclass
class Result:
    guest: Guest
    report: dict | None
    seconds: float
    console: str
    error: str = ""
    links: list[str] = field(default_factory=list)  # "<name> <kind>" of every link in the boot's namespace
    cpu: float | None = None  # qemu's CPU seconds when the guest was seen done (measure.cpu_seconds)
    cpu_end: float | None = None  # ... when the group ended (a reported guest idles until its peers report)


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def pod_address(guest: Guest) -> tuple[str, str]:
    """(guest address/24, router) the masquerade DHCP gives this guest's pod NIC."""
    return f"10.0.{2 + guest.pod_index}.2/24", f"10.0.{2 + guest.pod_index}.1"


def _seed(guest: Guest, work: Path) -> Path:
    (work / "network-config").write_text(guest.network_data)
    (work / "user-data").write_text(guest.user_data)
    (work / "meta-data").write_text(f"instance-id: {guest.instance_id}\nlocal-hostname: {guest.name}\n")
    seed = work / "seed.iso"
    _run("cloud-localds", "-N", str(work / "network-config"), str(seed), str(work / "user-data"),
         str(work / "meta-data"))
    return seed


def _disk(guest: Guest, images: Path, work: Path) -> Path:
    """A copy of the variant's image with the renderer chosen in /etc/cloud/cloud.cfg.d (debugfs);
    an existing ``guest.disk`` (a second boot of the same disk) is used as it is."""
    if guest.disk is not None:
        return guest.disk
    disk = work / "disk.img"
    _run("cp", "--sparse=always", str(images / RENDERER_VARIANT[guest.renderer] / "disk.img"), str(disk))
    cfg = work / "99-renderer.cfg"
    cfg.write_text(f"system_info:\n  network:\n    renderers: [{guest.renderer}]\n{guest.cloud_cfg}")
    cmds = work / "debugfs.cmd"
    cmds.write_text(f"cd /etc/cloud/cloud.cfg.d\nwrite {cfg} 99-renderer.cfg\n")
    _run("debugfs", "-w", "-f", str(cmds), str(disk))
    guest.disk = disk
    return disk


def _dnsmasq(ns: str, iface: str, work: Path, tag: str, hosts: dict[str, str], netmask: str,
             router: str | None, dns: str | None, dhcp6: str | None = None) -> subprocess.Popen:
    first = next(iter(hosts.values()))
    cmd = ["ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
           "--no-hosts", "--port=0", f"--interface={iface}", "--bind-interfaces", "--leasefile-ro",
           f"--dhcp-range={first},static,{netmask}", "--dhcp-authoritative", "--log-dhcp",
           f"--log-facility={work / f'dnsmasq-{tag}.log'}", "--pid-file=",
           "--dhcp-option=3" + (f",{router}" if router else ""), "--dhcp-option=6" + (f",{dns}" if dns else "")]
    cmd += [f"--dhcp-host={mac},{ip}" for mac, ip in hosts.items()]
    if dhcp6:  # one address, no RA (no --enable-ra): KubeVirt's SingleClientDHCPv6Server
        cmd.append(f"--dhcp-range={dhcp6},{dhcp6},{POD_IPV6.split('/')[1]}")
    err = work / f"dnsmasq-{tag}.err"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(err, "w"))
    time.sleep(0.3)
    if proc.poll() is not None:  # e.g. "cannot open log": the guest would just get no lease
        raise RuntimeError(f"dnsmasq on {iface} exited {proc.returncode}: {err.read_text().strip()}")
    return proc


def _qemu(ns: str, guest: Guest, images: Path, disk: Path, seed: Path, taps: list[str], work: Path) -> subprocess.Popen:
    variant = images / RENDERER_VARIANT[guest.renderer]
    # A starved TCG guest (twelve on two cores) otherwise fails the kernel's IO-APIC timer check (a
    # panic at 0.06 s: "IO-APIC + timer doesn't work!") and systemd's 90 s start timeouts
    # (systemd-resolved "Failed to start"): no_timer_check, systemd.default_timeout_start_sec.
    append = ("root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet no_timer_check"
              " systemd.default_timeout_start_sec=900")
    if guest.wait:
        append += " kvnet.wait=" + ",".join(guest.wait)
    if guest.ping:
        append += " kvnet.ping=" + ",".join(guest.ping)
    # -smp 1: a round runs more guests than the host has cores; a second vCPU only spins (RCU stalls,
    # MTTCG's all-vCPU rendezvous) while its sibling waits for the host
    cmd = ["ip", "netns", "exec", ns, "qemu-system-x86_64", "-accel", "tcg,thread=multi", "-cpu", "max",
           "-smp", "1", "-m", "1024", "-nographic", "-nodefaults", "-no-reboot",
           "-serial", f"file:{work / 'console.log'}", "-serial", f"file:{work / 'report.log'}",
           "-kernel", str(variant / "vmlinuz"), "-initrd", str(variant / "initrd.img"), "-append", append,
           "-drive", f"file={disk},if=virtio,format=raw", "-drive", f"file={seed},if=virtio,format=raw,readonly=on"]
    for n, (nic, tap) in enumerate(zip(guest.nics, taps, strict=True)):
        cmd += ["-netdev", f"tap,id=n{n},ifname={tap},script=no,downscript=no",
                "-device", f"virtio-net-pci,netdev=n{n},mac={nic.mac}"]
    return subprocess.Popen(cmd, stdout=open(work / "qemu.out", "w"), stderr=subprocess.STDOUT)


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def _network(ns: str, stack: ExitStack, segments: list[Segment], work: Path) -> dict[str, str]:
    """Bridges (and pool dnsmasqs) of the group's segments; segment name -> bridge name."""
    bridges: dict[str, str] = {}
    for k, seg in enumerate(segments):
        br = bridges[seg.name] = f"kvbr{k}"
        _run("ip", "-n", ns, "link", "add", br, "type", "bridge")
        _run("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{br}.accept_dad=0")
        for cidr in seg.host:
            _run("ip", "-n", ns, "addr", "add", cidr, "dev", br)
        _run("ip", "-n", ns, "link", "set", br, "up")
        if seg.leases:
            proc = _dnsmasq(ns, br, work, br, seg.leases, seg.netmask, None, None)
            stack.callback(_kill, proc)
    return bridges


def _guest_taps(ns: str, g: int, guest: Guest, bridges: dict[str, str], stack: ExitStack, work: Path) -> list[str]:
    taps = []
    for n, nic in enumerate(guest.nics):
        tap = f"kvt{g}n{n}"
        _run("ip", "-n", ns, "tuntap", "add", tap, "mode", "tap")
        if nic.segment is None:
            addr, router = pod_address(guest)
            _run("ip", "-n", ns, "addr", "add", router + "/24", "dev", tap)
            if nic.ipv6:
                _run("ip", "-n", ns, "addr", "add", f"{POD_IPV6_GATEWAY}/{POD_IPV6.split('/')[1]}", "dev", tap, "nodad")
            _run("ip", "-n", ns, "link", "set", tap, "up")
            proc = _dnsmasq(ns, tap, work, tap, {nic.mac: addr.split("/")[0]}, "255.255.255.0", router, router,
                            POD_IPV6.split("/")[0] if nic.ipv6 else None)
            stack.callback(_kill, proc)
        else:
            _run("ip", "-n", ns, "link", "set", tap, "master", bridges[nic.segment], "up")
        taps.append(tap)
    return taps


def read_report(text: str) -> dict | None:
    """The JSON the guest wrote between the markers on ttyS1, or None when it never finished."""
    if REPORT_BEGIN not in text or REPORT_END not in text:
        return None
    body = text.split(REPORT_BEGIN, 1)[1].split(REPORT_END, 1)[0]
    return json.loads(body.strip())


#: set by a SIGTERM (:func:`stop_on_sigterm`): every boot stops waiting and cleans up
ABORT = threading.Event()


def _on_sigterm(_signum: int, _frame: object) -> None:
    ABORT.set()
    raise KeyboardInterrupt("SIGTERM")


def stop_on_sigterm() -> None:
    """A SIGTERM (a CI timeout, ``kill``) ends the run as Ctrl-C does and makes every running boot
    stop waiting, so its ExitStack removes qemu, dnsmasq, taps and the namespace (a plain SIGTERM
    would kill Python without running any clean-up). Call from the main thread."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def _reported(path: Path) -> bool:
    return path.exists() and REPORT_END in path.read_text(errors="replace")


def _wait(procs: list[subprocess.Popen], reports: list[Path], deadline: float,
          cpu: dict[int, float]) -> dict[int, float]:
    """Wait until every guest has reported (or its qemu ended), the deadline or a SIGTERM; the
    monotonic time each guest was seen done, and in ``cpu`` its qemu's CPU seconds then (the last
    reading before an exit). Guests stay up after their report (image.py), so a slow guest's pings
    still find its peers; the caller's clean-up then kills every qemu."""
    done: dict[int, float] = {}
    while len(done) < len(procs) and time.monotonic() < deadline and not ABORT.is_set():
        cpu.update({k: c for k, p in enumerate(procs) if k not in done and (c := measure.cpu_seconds(p.pid)) is not None})
        time.sleep(2)
        now = time.monotonic()
        done.update({k: now for k, (p, r) in enumerate(zip(procs, reports, strict=True))
                     if k not in done and (p.poll() is not None or _reported(r))})
    return done


def boot(guests: list[Guest], segments: list[Segment], images: Path, work: Path, timeout: float = 1200,
         keep_disk: tuple[str, ...] = ()) -> list[Result]:
    """Boot ``guests`` at once in one fresh namespace; their reports, or why there is none.

    ``timeout`` (seconds) bounds the whole group: qemu is killed then. ``keep_disk`` names the
    guests whose disk copy (``guest.disk``) is kept for a second boot; the caller deletes it then.
    """
    ns = f"kvb-{uuid.uuid4().hex[:8]}"
    results: list[Result] = []
    # the segments' dnsmasqs log here before any guest's directory exists: without it dnsmasq
    # exits at start ("cannot open log") and pool NICs get no lease
    work.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        _run("ip", "netns", "add", ns)
        stack.callback(subprocess.run, ["ip", "netns", "del", ns], capture_output=True)
        _run("ip", "-n", ns, "link", "set", "lo", "up")
        bridges = _network(ns, stack, segments, work)
        procs, starts = [], []
        for g, guest in enumerate(guests):
            gwork = work / f"{g:02d}-{guest.name}"  # two plans may name a VM alike
            gwork.mkdir(parents=True, exist_ok=True)
            guest.pod_index = g
            if guest.name not in keep_disk:
                stack.callback(_drop_disk, guest)
            taps = _guest_taps(ns, g, guest, bridges, stack, gwork)
            proc = _qemu(ns, guest, images, _disk(guest, images, gwork), _seed(guest, gwork), taps, gwork)
            stack.callback(_kill, proc)
            procs.append(proc)
            starts.append(time.monotonic())
        links = _links(ns)
        cpu: dict[int, float] = {}
        done = _wait(procs, [work / f"{g:02d}-{x.name}" / "report.log" for g, x in enumerate(guests)],
                     time.monotonic() + timeout, cpu)
        cpu_end = [measure.cpu_seconds(p.pid) for p in procs]
        for g, (guest, proc, start) in enumerate(zip(guests, procs, starts, strict=True)):
            gwork = work / f"{g:02d}-{guest.name}"
            timed_out = proc.poll() is None
            text = (gwork / "report.log").read_text(errors="replace") if (gwork / "report.log").exists() else ""
            console = (gwork / "console.log").read_text(errors="replace") if (gwork / "console.log").exists() else ""
            report = read_report(text)
            error = "" if report else ("timed out" if timed_out else f"qemu exited {proc.returncode} without report")
            seconds = done.get(g, time.monotonic()) - start
            results.append(Result(guest, report, seconds, console[-6000:], error, links, cpu.get(g),
                                  cpu_end[g] if cpu_end[g] is not None else cpu.get(g)))
    return results


def _links(ns: str) -> list[str]:
    """Every link of the namespace as "<name> <kind>" (kind: bridge, tun, loopback, veth...): a
    link that could carry a frame out of the namespace (veth, macvlan, a physical NIC) would show."""
    out = subprocess.run(["ip", "-n", ns, "-j", "-d", "link"], check=True, capture_output=True, text=True).stdout
    return sorted(f"{link['ifname']} {(link.get('linkinfo') or {}).get('info_kind') or link.get('link_type')}"
                  for link in json.loads(out))


def _drop_disk(guest: Guest) -> None:
    if guest.disk is not None:
        guest.disk.unlink(missing_ok=True)
        guest.disk = None


def drop_disk(guest: Guest) -> None:
    """Delete the disk copy a ``keep_disk`` boot kept."""
    _drop_disk(guest)


def missing_tools() -> str | None:
    """Why this machine cannot boot guests (None when it can): root, tools, network namespaces."""
    if os.geteuid() != 0:
        return "booted-guest tests need root (network namespaces, taps)"
    for tool in ("qemu-system-x86_64", "cloud-localds", "dnsmasq", "debugfs", "ip", "mkfs.ext4"):
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            return f"booted-guest tests need {tool} (apt-get install qemu-system-x86 cloud-image-utils dnsmasq-base)"
    probe = subprocess.run(["ip", "netns", "add", "kvb-probe"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"booted-guest tests need network namespaces: {probe.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", "kvb-probe"], capture_output=True)
    return None
