"""A full disk and a read-only file system (issue #27): init, schema -o, build -o, overlay -o,
lock and check-rendered --fix end with one ``kvnet: cannot write the output: cannot ... PATH:
<reason>`` line and exit 2 (was exit 3, or "cannot write None"), keep what was there, and leave
no temporary file behind.

Needs root and unshare(1): a 400 KiB tmpfs is mounted in a private mount namespace, so nothing
is mounted on the host; elsewhere the test skips saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testlib import REPO

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="needs root and unshare(1) to mount a small tmpfs in a private mount namespace")

ALLOC = ("apiVersion: kvnet.dev/v1alpha1\nkind: NetworkPlan\nmetadata: {name: w, namespace: vms}\nspec:\n"
         "  networks: [{name: s, type: bridge, bridge: br-s, subnet: 10.20.0.0/24, ipam: static, "
         "allocate: 10.20.0.100-10.20.0.199}]\n"
         "  vms: [{name: a, image: 'quay.io/x/y:1', interfaces: [{network: s}]}]\n")

SCRIPT = r"""
set -u
m=$1; py=$2; r=$3
mount -t tmpfs -o size=400k tmpfs "$m" || exit 9
k() { "$py" -m kvnet "$@"; }
k init "$m/p" >/dev/null 2>&1; k build -o "$m/out" "$m/p" >/dev/null 2>&1
mkdir "$m/lk"; printf '%s' "$ALLOC" > "$m/lk/kvnet.yaml"
{ echo '# stale'; k build "$m/p"; } > "$m/p/rendered.yaml"; cp "$m/p/rendered.yaml" "$r/rendered.before"
ls -A "$m/out" > "$r/out.before"
cat /dev/zero > "$m/fill" 2>/dev/null
run() { name=$1; shift; "$@" >"$r/$name.out" 2>"$r/$name.err"
  echo "$name $? $(wc -c < "$r/$name.out") $(tail -1 "$r/$name.err")"; }
run init k init "$m/ini"
run schema k schema -o "$m/s.json"
run build k build -o "$m/out" "$m/p"
run overlay k overlay k3s -o "$m/ov"
run lock k lock "$m/lk"
run fix k check-rendered --fix "$m/p"
cmp -s "$m/p/rendered.yaml" "$r/rendered.before" && echo "kept rendered"
ls -A "$m/out" | cmp -s - "$r/out.before" && echo "kept out"
echo "leftovers $(find "$m" -name '.kvnet-*' | wc -l)"
rm -f "$m/fill"; mount -o remount,ro "$m"
run roinit k init "$m/ini2"
run roschema k schema -o "$m/s2.json"
run robuild k build -o "$m/out2" "$m/p"
run rolock k lock "$m/lk"
run rofix k check-rendered --fix "$m/p"
umount "$m"
"""


def test_full_disk_and_read_only_file_system(tmp_path: Path) -> None:
    mnt = tmp_path / "m"
    mnt.mkdir()
    script = tmp_path / "s.sh"
    script.write_text(SCRIPT)
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", str(script), str(mnt),
                           sys.executable, str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=REPO,
                          env={**os.environ, "ALLOC": ALLOC})
    if proc.returncode == 9:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    out = proc.stdout
    rows = {line.split(" ", 1)[0]: line for line in out.splitlines()}
    for name, path in (("init", "/ini/"), ("schema", "/s.json"), ("build", "into"), ("overlay", "/ov"),
                       ("lock", "/lk/kvnet.lock"), ("fix", "/p/rendered.yaml")):
        row = rows.get(name, "")  # check-rendered's report (its diff) goes to stdout first
        assert re.match(rf"{name} 2 {'[0-9]+' if name == 'fix' else '0'} kvnet: cannot write the output: cannot ",
                        row), out
        assert path in row and row.endswith("No space left on device"), out
    assert "kept rendered" in out and "kept out" in out and "leftovers 0" in out, out
    for name in ("roinit", "roschema", "robuild", "rolock", "rofix"):
        row = rows.get(name, "")
        assert re.match(rf"{name} 2 {'[0-9]+' if name == 'rofix' else '0'} kvnet: cannot write the output: cannot ",
                        row), out
        assert row.endswith("Read-only file system"), out
    assert "Traceback" not in out and "internal error" not in out and "None" not in out, out
