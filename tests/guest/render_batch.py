"""Run cloud-init's own `devel net-convert` on many inputs in one interpreter.

Started by the guest tests as ``/usr/bin/python3 render_batch.py`` (with PYTHONPATH pointing at
cloud-init 26.2 for the new end, or nothing for Debian's 22.4.2): reads a JSON list of jobs
``{"input", "distro", "kind", "out"}`` on stdin (``"input_kind"``: net-convert's ``--kind``, default
``yaml``; ``network_data.json`` for ConfigDrive), calls the same ``handle_args`` the command
line calls for each, and prints ``[{"ok": bool, "error": str}]`` in job order. One process per
cloud-init version keeps the suite fast (an interpreter start costs ~0.3 s).
"""

import copy
import io
import json
import sys
import traceback
from contextlib import redirect_stderr

from cloudinit import distros
from cloudinit.cmd.devel import net_convert


def main() -> None:
    jobs = json.load(sys.stdin)
    # net-convert edits the distro class's renderer_configs in place (it trims netplan_path's
    # leading '/'); restore them before each job so every job sees what a fresh process sees
    saved = {}
    results = []
    for job in jobs:
        cls = distros.fetch(job["distro"])
        if cls not in saved:
            saved[cls] = copy.deepcopy(cls.renderer_configs)
        cls.renderer_configs = copy.deepcopy(saved[cls])
        argv = ["--network-data", job["input"], "--kind", job.get("input_kind", "yaml"), "--distro", job["distro"],
                "--output-kind", job["kind"], "--directory", job["out"]]
        err = io.StringIO()
        try:
            args = net_convert.get_parser().parse_args(argv)
            with redirect_stderr(err):
                net_convert.handle_args("net-convert", args)
            args.network_data.close()
            results.append({"ok": True, "error": ""})
        except BaseException:  # noqa: B036 - a renderer failure is the result being measured
            results.append({"ok": False, "error": err.getvalue() + traceback.format_exc(limit=3)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
