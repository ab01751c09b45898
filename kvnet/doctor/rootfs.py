"""Node paths looked up under ``--root``: symlinks are followed inside the root, with
absolute targets re-rooted (k3s's plugin entries are absolute symlinks)."""

from __future__ import annotations

import os
import stat
from kvnet.record import dataclass

MAX_LINKS = 40


@dataclass(frozen=True)
class Lookup:
    path: str  # node path asked for
    resolved: str | None  # node path after following every symlink; None if missing, dangling or looping
    via_link: bool  # a symlink was followed
    problem: str | None = None  # why resolved is None

    @property
    def exists(self) -> bool:
        return self.resolved is not None


class RootFS:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def real(self, node_path: str) -> str:
        """The local path of ``node_path`` (no symlink resolution)."""
        return os.path.join(self.root, node_path.lstrip("/"))

    def lookup(self, node_path: str) -> Lookup:
        parts = [p for p in node_path.split("/") if p]
        done: list[str] = []
        links = 0
        while parts:
            name = parts.pop(0)
            if name == ".":
                continue
            if name == "..":
                if done:
                    done.pop()
                continue
            here = "/" + "/".join(done + [name])
            local = self.real(here)
            if os.path.islink(local):
                links += 1
                if links > MAX_LINKS:
                    return Lookup(node_path, None, True, f"too many levels of symlinks at {here}")
                target = os.readlink(local)
                if target.startswith("/"):
                    done = []
                parts = [p for p in target.split("/") if p] + parts
                continue
            if not os.path.exists(local):
                if links:
                    return Lookup(node_path, None, True, f"symlink target {here} does not exist")
                return Lookup(node_path, None, False, f"{here} does not exist")
            done.append(name)
        return Lookup(node_path, "/" + "/".join(done), links > 0)

    def is_dir(self, node_path: str) -> bool:
        look = self.lookup(node_path)
        return look.resolved is not None and os.path.isdir(self.real(look.resolved))

    def is_executable_file(self, resolved: str) -> bool:
        try:
            st = os.stat(self.real(resolved))
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)

    def is_file(self, resolved: str) -> bool:
        return os.path.isfile(self.real(resolved))

    def listdir(self, node_dir: str) -> list[str]:
        look = self.lookup(node_dir)
        if look.resolved is None:
            return []
        try:
            return sorted(os.listdir(self.real(look.resolved)))
        except OSError:
            return []

    def read_text(self, node_path: str, limit: int = 1 << 20) -> str | None:
        look = self.lookup(node_path)
        if look.resolved is None:
            return None
        try:
            with open(self.real(look.resolved), encoding="utf-8", errors="replace") as fh:
                return fh.read(limit)
        except OSError:
            return None
