"""KV307 against the real consumer: Debian 12's cloud-init (22.4) renders networkData with its
networkd, eni and sysconfig renderers. A route ``to: default`` is rejected by every one of them,
which is what lint warns about; the networkData kvnet itself writes is rendered by all three."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from testlib import EXAMPLES, run_kvnet

CORPUS = Path(__file__).parent / "corpus"
RENDERERS = (("networkd", "debian"), ("eni", "debian"), ("sysconfig", "rhel"))

pytestmark = pytest.mark.skipif(shutil.which("cloud-init") is None, reason="cloud-init is not installed")


def net_convert(network_data: str, tmp: Path, renderer: str, distro: str) -> subprocess.CompletedProcess[str]:
    src = tmp / "network-data.yaml"
    src.write_text(network_data)
    out = tmp / f"out-{renderer}"
    return subprocess.run(["cloud-init", "devel", "net-convert", "-p", str(src), "-k", "yaml", "-d", str(out),
                           "-D", distro, "-O", renderer], capture_output=True, text=True, timeout=120)


def _network_data(stream: str, vm: str) -> str:
    for obj in yaml.safe_load_all(stream):
        if obj and obj.get("kind") == "VirtualMachine" and obj["metadata"]["name"] == vm:
            for vol in obj["spec"]["template"]["spec"]["volumes"]:
                if "cloudInitNoCloud" in vol:
                    return str(vol["cloudInitNoCloud"]["networkData"])
    raise AssertionError(f"no networkData for {vm}")


@pytest.mark.parametrize("renderer,distro", RENDERERS)
def test_to_default_is_rejected_and_kvnet_output_is_not(renderer: str, distro: str, tmp_path: Path) -> None:
    flagged = (CORPUS / "networkdata-to-default.yaml").read_text()
    lint = run_kvnet("lint", str(CORPUS / "networkdata-to-default.yaml"))
    assert "warning[KV307]" in lint.out
    bad = net_convert(_network_data(flagged, "db-1"), tmp_path, renderer, distro)
    assert bad.returncode != 0 and "default is not a valid ip address" in bad.stderr

    built = run_kvnet("build", str(EXAMPLES / "k3s-lan-static"))
    assert "KV307" not in run_kvnet("lint", "-", input=built.out).out
    good = net_convert(_network_data(built.out, "ubuntu-rulai-multus-vm"), tmp_path, renderer, distro)
    assert good.returncode == 0, good.stderr[-500:]
