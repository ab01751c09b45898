"""Build (or reuse) the Debian 12 guest images the booted-guest tests boot.

One ``mmdebstrap`` root file system (Debian packages, through the host's own apt sources) gives
two raw ext4 images: ``base`` (systemd-networkd + ifupdown, NetworkManager masked: the guest the
netplan, networkd and eni renderers run in) and ``nm`` (NetworkManager, networkd disabled). Both
carry ``kvnet-report.service``, which reports the guest's network state on the second serial port
(``/dev/ttyS1``) once cloud-init is done, with its disk synced first. The guest then stays up
(answering its peers' pings) until the harness ends it once every guest of its boot has reported
(harness.boot): a guest that powered off at its report left its slower peers pinging it in vain.

The images are cached outside the clone in ``~/.cache/kvnet/boot-image-<key>/`` where ``<key>``
hashes this file (package list and build script). Run as a script to build the cache:
``python tests/boot/image.py`` (root; needs mmdebstrap and network access to the apt mirror).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = (
    "systemd-sysv udev dbus cloud-init netplan.io ifupdown isc-dhcp-client iproute2 iputils-ping "
    "systemd-resolved network-manager linux-image-cloud-amd64 python3"
).split()
SUITE = "bookworm"
VARIANTS = ("base", "nm")
# Units that only slow an emulated boot down or reach outside (none configures the network).
MASKED = (
    "systemd-networkd-wait-online.service NetworkManager-wait-online.service apt-daily.timer "
    "apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service "
    "getty@tty1.service"
).split()

REPORT_UNIT = """\
[Unit]
Description=kvnet booted-guest test: report the network state on ttyS1 (the harness ends the guest)
After=cloud-final.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/kvnet-report
TimeoutStartSec=600
[Install]
WantedBy=cloud-init.target
"""

# Runs inside the guest. Kernel command line: kvnet.wait=ADDR,... (addresses to wait for before
# reading the state back), kvnet.ping=ADDR,... (peers to ping, retried while they boot).
REPORT_SCRIPT = r'''#!/usr/bin/python3
import glob, json, os, subprocess, time

def out(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.stdout + p.stderr

opts = dict(w.split("=", 1) for w in open("/proc/cmdline").read().split() if w.startswith("kvnet.") and "=" in w)
wait = [a for a in opts.get("kvnet.wait", "").split(",") if a]
ping = [a for a in opts.get("kvnet.ping", "").split(",") if a]
# cloud-init is done when result.json exists (what 'cloud-init status --wait' polls, without a
# Python start-up of cloud-init under emulation)
end = time.monotonic() + 900
while not os.path.exists("/run/cloud-init/result.json") and time.monotonic() < end:
    time.sleep(1)
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    infos = [i for link in json.loads(out("ip", "-j", "addr") or "[]") for i in link.get("addr_info", [])]
    have = {i.get("local") for i in infos if not i.get("tentative")}
    if all(w in have for w in wait) and not any(i.get("tentative") for i in infos):
        break
    time.sleep(1)
time.sleep(4)
pings = {}
for addr in ping:
    ok, end = False, time.monotonic() + 240
    while not ok and time.monotonic() < end:
        ok = subprocess.run(["ping", "-c", "1", "-W", "2", addr], capture_output=True).returncode == 0
        if not ok:
            time.sleep(2)
    pings[addr] = ok
files = {}
for pattern in ("/etc/netplan/*", "/etc/systemd/network/*", "/run/systemd/network/*", "/etc/network/interfaces",
                "/etc/network/interfaces.d/*", "/etc/NetworkManager/system-connections/*", "/etc/resolv.conf",
                "/etc/cloud/cloud.cfg.d/99-*"):
    for path in sorted(glob.glob(pattern)):
        try:
            files[path] = open(path).read()
        except OSError as exc:
            files[path] = str(exc)
log = [l for l in open("/var/log/cloud-init.log", errors="replace") if "WARNING" in l or "ERROR" in l or "Traceback" in l]
report = {
    "addr": json.loads(out("ip", "-j", "addr") or "[]"),
    "route4": json.loads(out("ip", "-j", "route") or "[]"),
    "route6": json.loads(out("ip", "-j", "-6", "route") or "[]"),
    "dns": out("resolvectl", "dns"), "domain": out("resolvectl", "domain"),
    "ping": pings, "status": "".join(open(p).read() for p in ("/run/cloud-init/result.json", "/run/cloud-init/status.json")
                                     if os.path.exists(p)), "files": files, "log": log[-40:],
    "boots": out("journalctl", "--list-boots", "--no-pager"),
}
os.sync()  # the harness kills qemu once every guest has reported: a day-2 reboot needs this disk whole
with open("/dev/ttyS1", "w") as tty:
    tty.write("KVNET-REPORT-BEGIN\n" + json.dumps(report) + "\nKVNET-REPORT-END\n")
'''

# NoCloud only; no host keys or resize (no ssh in the image; the disk is already its size).
# Modules that configure no network are left out (each costs emulated CPU time on every boot);
# networkData and the 'updates' events are read by the init stages themselves, not by a module.
CLOUD_CFG = ("datasource_list: [NoCloud, None]\nresize_rootfs: false\nssh_genkeytypes: []\n"
             "cloud_init_modules: [seed_random, set_hostname, update_hostname]\ncloud_config_modules: []\n"
             "cloud_final_modules: [final_message]\n")


def cache_root() -> Path:
    """~/.cache/kvnet (XDG_CACHE_HOME honoured); the images live below it, outside the clone."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kvnet"


def image_key() -> str:
    """12 hex digits of sha256 over this file: a new package list or build step is a new image."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def image_dir() -> Path:
    """Where the cached images for the current key are (may not exist yet)."""
    return cache_root() / f"boot-image-{image_key()}"


def complete(path: Path) -> bool:
    """True when ``path`` holds every variant's disk, kernel and initrd."""
    return all((path / v / f).is_file() for v in VARIANTS for f in ("disk.img", "vmlinuz", "initrd.img"))


def _apt_sources() -> list[str]:
    """The host's apt sources as mmdebstrap mirror arguments (deb822 file), or Debian's default mirror."""
    deb822 = Path("/etc/apt/sources.list.d/debian.sources")
    if deb822.is_file():
        return [str(deb822)]
    return ["http://deb.debian.org/debian"]


def _systemctl(root: Path, *args: str) -> None:
    subprocess.run(["systemctl", f"--root={root}", "--quiet", *args], check=True)


def _customize(root: Path) -> None:
    """Report unit and script, NoCloud-only datasource list, networkd + resolved enabled."""
    (root / "usr/local/sbin/kvnet-report").write_text(REPORT_SCRIPT)
    (root / "usr/local/sbin/kvnet-report").chmod(0o755)
    (root / "etc/systemd/system/kvnet-report.service").write_text(REPORT_UNIT)
    (root / "etc/cloud/cloud.cfg.d/90-kvnet-test.cfg").write_text(CLOUD_CFG)
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    resolv.symlink_to("../run/systemd/resolve/stub-resolv.conf")
    _systemctl(root, "enable", "systemd-networkd.service", "systemd-resolved.service", "kvnet-report.service")
    _systemctl(root, "mask", *MASKED)


def _mkimage(root: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    boot = root / "boot"
    shutil.copy(sorted(boot.glob("vmlinuz-*"))[-1], dest / "vmlinuz")
    shutil.copy(sorted(boot.glob("initrd.img-*"))[-1], dest / "initrd.img")
    subprocess.run(["truncate", "-s", "3G", str(dest / "disk.img")], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-L", "root", "-d", str(root), str(dest / "disk.img")], check=True)


def build(dest: Path, log=sys.stderr) -> None:
    """Build both variants into ``dest`` (atomically: a temp dir renamed at the end). Root only."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=dest.parent))
    try:
        root = work / "rootfs"
        cmd = ["mmdebstrap", "--variant=apt", "--include=" + ",".join(PACKAGES), SUITE, str(root), *_apt_sources()]
        subprocess.run(cmd, check=True, stdout=log, stderr=log)
        _customize(root)
        _systemctl(root, "mask", "NetworkManager.service")
        _mkimage(root, work / "out" / "base")
        _systemctl(root, "unmask", "NetworkManager.service")
        _systemctl(root, "enable", "NetworkManager.service")
        _systemctl(root, "disable", "systemd-networkd.service", "systemd-networkd.socket")
        _mkimage(root, work / "out" / "nm")
        shutil.rmtree(root)
        os.replace(work / "out", dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure(log=sys.stderr) -> Path:
    """The cached image directory, built first when absent (one builder at a time, file lock)."""
    dest = image_dir()
    if complete(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not complete(dest):
            shutil.rmtree(dest, ignore_errors=True)
            build(dest, log)
    return dest


if __name__ == "__main__":
    print(ensure())
