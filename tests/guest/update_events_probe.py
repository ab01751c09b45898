"""What cloud-init decides on a later boot of a NoCloud instance: its own code, not a model of it.

Started by tests/guest/test_update_events.py as ``/usr/bin/python3 update_events_probe.py`` (with
PYTHONPATH at cloud-init 26.2 for the new end, or nothing for Debian's 22.4.2). Reads JSON
``{"root": DIR, "network_config_next": TEXT}`` on stdin, where ``DIR/seed/nocloud/`` holds the
seed of the first boot (user-data, meta-data, network-config: kvnet's output for one VM).

1. DataSourceNoCloud reads the seed (``get_data``); its user-data goes through cloud-init's own
   UserDataProcessor and cloud-config part handler, giving the merged cloud-config the next
   boot reads back (``cfg``);
2. ``stages.update_event_enabled(ds, cfg, EVENT, NETWORK)`` for the boot events and hotplug;
3. the seed's network-config is replaced by the next plan's and, when BOOT is enabled,
   ``ds.update_metadata_if_supported([BOOT])`` re-reads it, as ``Init.apply_network_config``
   does on a boot that is not a new instance; prints ``ds.network_config`` then.

Prints ``{"version", "updates", "events": {event: bool}, "refreshed", "network_config"}``.
"""

import json
import os
import sys

from cloudinit import distros, handlers, helpers, stages
from cloudinit.event import EventScope, EventType
from cloudinit.handlers.cloud_config import CloudConfigPartHandler
from cloudinit.sources.DataSourceNoCloud import DataSourceNoCloud


def merged_cloud_config(ds: DataSourceNoCloud, paths: helpers.Paths) -> dict:
    """The user-data's cloud-config as cloud-init merges it (its part handler over every
    text/cloud-config part the UserDataProcessor made)."""
    handler = CloudConfigPartHandler(paths)
    handler.handle_part(None, handlers.CONTENT_START, None, None, None, None)
    for part in ds.get_userdata().walk():
        if part.get_content_type() == "text/cloud-config":
            handler.handle_part(None, part.get_content_type(), part.get_filename(),
                                part.get_payload(decode=True).decode(), None, dict(part.items()))
    return handler.cloud_buf or {}


def main() -> None:
    job = json.load(sys.stdin)
    root = job["root"]
    paths = helpers.Paths({"cloud_dir": os.path.join(root, "cloud"), "run_dir": os.path.join(root, "run")})
    os.makedirs(paths.get_cpath("data"), exist_ok=True)
    distro = distros.fetch("debian")("debian", {}, paths)
    seed = os.path.join(root, "seed", "nocloud")
    os.makedirs(paths.seed_dir, exist_ok=True)
    os.symlink(seed, os.path.join(paths.seed_dir, "nocloud"))
    ds = DataSourceNoCloud({}, distro, paths)
    assert ds.get_data(), "NoCloud found no seed"
    cfg = merged_cloud_config(ds, paths)
    events = {
        str(evt): stages.update_event_enabled(ds, cfg, evt, EventScope.NETWORK)
        for evt in (EventType.BOOT_NEW_INSTANCE, EventType.BOOT, EventType.BOOT_LEGACY, EventType.HOTPLUG)
    }
    with open(os.path.join(seed, "network-config"), "w", encoding="utf-8") as f:
        f.write(job["network_config_next"])
    refreshed = bool(events["boot"] and ds.update_metadata_if_supported([EventType.BOOT]))
    from cloudinit import version

    json.dump({"version": version.version_string(), "updates": cfg.get("updates"), "events": events,
               "refreshed": refreshed, "network_config": ds.network_config}, sys.stdout)


if __name__ == "__main__":
    main()
