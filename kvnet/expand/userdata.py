"""cloud-init update events in the VM's userData, so that a plan change reaches a booted guest.

KubeVirt's NoCloud metadata keeps the instance-id across restarts (``<vmi>.<namespace>``, or the
VM's firmware UUID: pkg/cloud-init/cloud-init.go ``GenerateLocalData``), and cloud-init applies
networkData only on the ``boot-new-instance`` event unless user-data says otherwise
(cloudinit/sources/__init__.py ``DataSource.default_update_events``; cloudinit/stages.py
``update_event_enabled`` merges the user-data ``updates`` key over it). So kvnet adds
``updates: {network: {when: [boot-new-instance, boot]}}`` to the userData of every VM it writes
networkData for: a restarted VM then applies the plan's current networkData on every boot.

``hotplug`` is not added. NoCloud accepts the event (it inherits ``supported_update_events``,
which lists HOTPLUG), but cloud-init's hotplug hook (cloudinit/cmd/devel/hotplug_hook.py,
``NetHandler.detect_hotplugged_device``) re-reads the datasource and waits for the new NIC's MAC
in its network config, while KubeVirt writes the NoCloud disk only when the VMI starts
(pkg/virt-launcher/virtwrap/manager.go ``startDomain`` -> ``generateCloudInitISO``): a NIC
plugged into a running VM is never in it, so the hook retries and gives up. A hot-plugged NIC
is configured by the next restart (see README "Day 2").

A user's own ``updates`` is kept as written. userData that is not ``#cloud-config`` (a script,
MIME multipart, ``#include``...) cannot take the key: :func:`add_update_events` says why, and
rule KV234 warns with the fix.
"""

from __future__ import annotations

import functools
import re
from kvnet.record import dataclass
from typing import Any

import yaml

from kvnet.input import safe_yaml
from kvnet.input.nodes import CONSTRUCT_ERRORS

CLOUD_CONFIG = "#cloud-config"
#: the update events kvnet asks for (cloud-init EventType values, cloudinit/event.py)
NETWORK_EVENTS: tuple[str, ...] = ("boot-new-instance", "boot")
UPDATES: dict[str, Any] = {"network": {"when": list(NETWORK_EVENTS)}}
UPDATES_BLOCK = (
    "# kvnet: apply the plan's networkData on every boot, not only the first\n"
    "updates:\n  network:\n    when: [" + ", ".join(NETWORK_EVENTS) + "]\n"
)
#: the userData kvnet writes when the plan gives none but kvnet writes networkData
DEFAULT_USER_DATA = f"{CLOUD_CONFIG}\n{UPDATES_BLOCK}"
# where libyaml's and PyYAML's own scanners may read a text differently: all but printable ASCII and \n
_SCANNERS_MAY_DIFFER = re.compile(r"[^\n\x20-\x7e]")
# cloud-init's Jinja header (cloudinit/handlers/jinja_template.py JINJA_PREFIX, matched case-insensitively)
_JINJA = re.compile(r"^##\s*template:\s*jinja\s*$", re.IGNORECASE)
#: the fix kvnet's warnings give: the key to add by hand, as a cloud-config part
MANUAL_FIX = ("add a '#cloud-config' part with 'updates: {network: {when: [boot-new-instance, boot]}}' "
              "(in MIME multipart: a part of Content-Type text/cloud-config), or write the userData as "
              "'#cloud-config' (a script's commands go under 'runcmd:') so kvnet adds it")


@dataclass(frozen=True)
class UserData:
    """The userData kvnet emits, and why it could not add the update events (None: it did, or the
    user's own ``updates`` is kept); ``updates`` is the user's own value when there was one."""

    text: str
    problem: str | None = None
    updates: Any = None


def _kind(first_line: str) -> str:
    """What cloud-init takes a userData for, from its first line (cloudinit/handlers/__init__.py
    type_from_starts_with; MIME by its headers)."""
    line = first_line.strip()
    if line.lower().startswith("content-type:") or line.lower().startswith("mime-version:"):
        return "MIME multipart"
    if line.startswith("#!"):
        return "a script"
    if line.startswith("#") and line.split()[0] != CLOUD_CONFIG:
        return f"'{line.split()[0]}'"
    return "not cloud-config" if line.split()[:1] != [CLOUD_CONFIG] else CLOUD_CONFIG


def _load(text: str) -> tuple[bool, Any]:
    """``(True, data)`` as cloud-init reads the userData (cloudinit/util.py ``load_yaml``:
    ``yaml.safe_load``, PyYAML's own scanner), ``(False, None)`` where it fails.

    libyaml's scanner, under the same SafeConstructor and resolver, builds the same objects
    7 times faster (at 1,000 VMs the pure-Python reads were half of ``kvnet build``); it reads
    text of printable ASCII lines. Anything else (tabs, which PyYAML's scanner refuses where libyaml
    takes them; CR, NEL and other line breaks; non-ASCII) and anything libyaml refuses is read
    by PyYAML's own scanner, so cloud-init's verdict decides."""
    if safe_yaml.available() and not _SCANNERS_MAY_DIFFER.search(text):
        try:
            return True, safe_yaml.load(text)
        except (yaml.YAMLError, RecursionError, *CONSTRUCT_ERRORS):
            pass  # PyYAML's own scanner decides
    try:
        return True, yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, *CONSTRUCT_ERRORS):  # a tag cloud-init's loader refuses as well
        return False, None


def _added(text: str, body_start: int, header_end: int, old: dict[str, Any]) -> str | None:
    """``text`` with the ``updates`` block appended (else right after the ``#cloud-config`` line,
    which ends at ``header_end``), when the result parses as ``old`` plus ``updates`` and nothing
    else changed; None when neither does."""
    sep = "" if text.endswith("\n") else "\n"
    head = text[:header_end] + ("" if text[:header_end].endswith("\n") else "\n")
    for candidate in (text + sep + UPDATES_BLOCK, head + UPDATES_BLOCK + text[header_end:]):
        ok, data = _load(candidate[body_start:])
        if ok and data == {**old, "updates": UPDATES}:
            return candidate
    return None


@functools.lru_cache(maxsize=1 << 16)  # the rule (KV234/KV235) and expansion ask for each VM's userData
def add_update_events(text: str) -> UserData:
    """``text`` (a VM's userData) with cloud-init's ``updates`` key for network events added.

    Kept as given, with ``problem`` set, when kvnet cannot add it: not ``#cloud-config``
    (scripts, MIME multipart, ``#include``, boothooks), YAML that does not parse or is not a
    mapping. A mapping that already has ``updates`` is kept, its value in ``updates``. A Jinja
    template (``## template: jinja``) that is not YAML before rendering gets the block appended.
    """
    lines = text.splitlines(keepends=True)
    body_start = 0
    if lines and _JINJA.match(lines[0].rstrip("\r\n")):
        body_start = len(lines[0])
        lines = lines[1:]
    kind = _kind(lines[0]) if lines else "empty"
    if kind != CLOUD_CONFIG:
        return UserData(text, f"the userData is {kind}, not '#cloud-config'")
    ok, data = _load(text[body_start:])
    if not ok and body_start:
        # a Jinja template is YAML only once cloud-init renders it: the block goes at the end,
        # outside any of its expressions
        return UserData(text + ("" if text.endswith("\n") else "\n") + UPDATES_BLOCK)
    if not ok:
        return UserData(text, "the userData's cloud-config is not valid YAML")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return UserData(text, "the userData's cloud-config is not a mapping")
    if "updates" in data:
        return UserData(text, None, data["updates"])
    new = _added(text, body_start, body_start + len(lines[0]), data)
    if new is None:
        return UserData(text, "kvnet could not add a top-level key to this cloud-config's layout")
    return UserData(new)


def boot_events_missing(updates: Any) -> bool:
    """True when a user's own ``updates`` value does not apply network config on every boot
    (cloudinit/event.py ``userdata_to_events``: ``{network: {when: [...]}}``; ``boot`` or
    ``boot-legacy`` re-applies it on a known instance)."""
    network = updates.get("network") if isinstance(updates, dict) else None
    when = network.get("when") if isinstance(network, dict) else None
    return not (isinstance(when, list) and ("boot" in when or "boot-legacy" in when))
