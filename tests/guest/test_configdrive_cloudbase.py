"""ConfigDrive guests on Windows (issue 25 part 4, kubevirt/kubevirt#6268): cloudbase-init 1.1.9
(PyPI ``cloudbase-init``) reads kvnet's ``network_data.json`` from a config-2 drive with its own
parser (cloudbaseinit/metadata/services/configdrive.py ``ConfigDriveService`` ->
baseopenstackservice.py ``get_network_details_v2``) and applies it with its network plugin
(cloudbaseinit/plugins/common/networkconfig.py ``_process_network_details_v2``). The plugin's
Windows calls go to a recorder standing in for its osutils (the only part that needs Windows);
what it was told to configure is compared with the plan: each static NIC's adapter (found by MAC,
renamed to its link id ``eth<N>``) gets the address and prefix, the gateway of its family's default
route only on the carrier, the network's DNS servers.

What cloudbase-init does not apply (README's ConfigDrive table): routes other than the default
route, search domains; DHCP NICs are left to Windows' own DHCP client.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
import yaml
from guest_matrix import intents
from test_configdrive_render import _configdrive_plans, network_data_json
from testlib import run_kvnet

pytestmark = pytest.mark.slow


class RecordingOsUtils:
    """The calls cloudbase-init's network plugin makes on Windows, recorded; adapters named by MAC."""

    def __init__(self, macs: list[str]) -> None:
        self.adapters = {mac.lower(): f"Ethernet {n}" for n, mac in enumerate(macs)}
        self.static: dict[str, tuple[str, str, str | None, list[str]]] = {}

    def get_network_adapter_name_by_mac_address(self, mac: str) -> str:
        return self.adapters[mac.lower()]

    def rename_network_adapter(self, old: str, new: str) -> None:
        self.adapters = {m: new if n == old else n for m, n in self.adapters.items()}

    def set_network_adapter_mtu(self, name: str, mtu: int) -> None:
        pass

    def enable_network_adapter(self, name: str, enabled: bool) -> None:
        pass

    def set_static_network_config(self, name: str, address: str, prefix: str, gateway: str | None,
                                  dns: list[str]) -> bool:
        assert name not in self.static, f"{name} configured twice"
        self.static[name] = (address, prefix, gateway, list(dns))
        return False


def _apply(drive: Path, macs: list[str], monkeypatch: pytest.MonkeyPatch) -> RecordingOsUtils:
    from cloudbaseinit.metadata.services.configdrive import ConfigDriveService
    from cloudbaseinit.osutils import factory
    from cloudbaseinit.plugins.common import networkconfig

    service = ConfigDriveService()
    service._metadata_path = str(drive)  # what load() sets once it found the config-2 drive
    details = service.get_network_details_v2()
    rec = RecordingOsUtils(macs)
    monkeypatch.setattr(factory, "get_os_utils", lambda: rec)
    networkconfig.NetworkConfigPlugin._process_network_details_v2(details)
    return rec


def test_cloudbase_init_configures_what_the_plan_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("cloudbaseinit", reason="cloudbase-init is not installed (pip install cloudbase-init==1.1.9)")
    plans = _configdrive_plans(tmp_path)
    res = run_kvnet("build", *(str(d) for d, _ in plans.values()))
    assert res.code == 0, res.err
    objs = [o for o in yaml.safe_load_all(res.out) if o]
    checked = 0
    for label, (_d, raw) in plans.items():
        nets = {n["name"]: n for n in raw["spec"]["networks"]}
        built = {o["metadata"]["name"]: o for o in objs if o["kind"] == "VirtualMachine"
                 and o["metadata"]["namespace"] == raw["metadata"]["namespace"]}
        for intent in intents(label, raw, built):
            drive = tmp_path / "drives" / label / intent.vm
            (drive / "openstack" / "latest").mkdir(parents=True)
            text = network_data_json(built[intent.vm], objs)
            (drive / "openstack" / "latest" / "network_data.json").write_text(text)
            rec = _apply(drive, [n.mac for n in intent.nics], monkeypatch)
            for nic in intent.nics:
                got = rec.static.get(nic.ifname)
                assert rec.adapters[nic.mac.lower()] == nic.ifname, (label, intent.vm, nic.ifname)
                if not nic.addresses:
                    assert got is None, f"{label}/{intent.vm} {nic.ifname}: a DHCP NIC was configured static: {got}"
                    continue
                assert got is not None, f"{label}/{intent.vm} {nic.ifname}: not configured"
                want = ipaddress.ip_interface(next(iter(nic.addresses)))
                assert (got[0], got[1]) == (str(want.ip), str(want.network.prefixlen)), (label, intent.vm, got)
                net = nets[nic.network]
                carrier = intent.carriers.get(want.version) == nic.ifname
                assert got[2] == (str(net["gateway"]) if carrier else None), (label, intent.vm, nic.ifname, got)
                assert set(nic.dns) <= set(got[3]), (label, intent.vm, nic.ifname, got)
                checked += 1
            assert json.loads(text)["links"], label
    assert checked >= 20
