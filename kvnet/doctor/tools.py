"""The node's own tools (iproute2's ``bridge``, ``ovs-vsctl``), run where doctor runs or, with
``--host-tools``, inside the node's root (``chroot ROOT TOOL``).

Doctor in a pod (examples/doctor/job.yaml: kvnet's image, the node's ``/`` at ``/host``,
``hostNetwork: true``) has neither tool in its image, so the uplink's VLAN membership went
unread (KV517) and Open vSwitch's database unasked (KV523). With ``hostNetwork`` the pod is in
the node's network namespace, so the node's own binaries, run in its root by chroot(8) (GNU
coreutils; CAP_SYS_CHROOT is in the container runtimes' default capability set), read the
node's bridges and its ``/run/openvswitch/db.sock``, whatever the image lacks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from kvnet.record import dataclass

from kvnet.doctor.rootfs import RootFS

#: the PATH a node's tools are looked up in inside its root (Debian's, systemd's default PATH)
NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Tools:
    """How to run a node tool: here (``chroot`` None), or inside the node root ``chroot``."""

    chroot: str | None = None

    def where(self) -> str:
        """Where the tools are looked up, for messages."""
        return "where doctor runs" if self.chroot is None else f"in the node's root {self.chroot} (--host-tools)"

    def command(self, tool: str, *args: str) -> list[str] | None:
        """The argv that runs ``tool`` (a command name), or None when it is not installed."""
        if self.chroot is None:
            found = shutil.which(tool)
            return None if found is None else [found, *args]
        chroot, fs = shutil.which("chroot"), RootFS(self.chroot)
        looks = (fs.lookup(f"{d}/{tool}") for d in NODE_PATH.split(":"))  # symlinks resolved inside the root
        inside = next((look.path for look in looks if look.resolved and fs.is_executable_file(look.resolved)), None)
        if chroot is None or inside is None:
            return None
        return [chroot, self.chroot, inside, *args]

    def run(self, tool: str, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str] | str:
        """Run ``tool ARGS``: its completed process, or why it could not run."""
        argv = self.command(tool, *args)
        if argv is None:
            return f"{tool} is not installed {self.where()}"
        env = dict(os.environ, PATH=NODE_PATH, LC_ALL="C") if self.chroot is not None else None
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{tool} failed: {exc}"
