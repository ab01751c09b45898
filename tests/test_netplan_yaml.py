from __future__ import annotations

import yaml

from kvnet.expand.netplan_yaml import dump


def test_round_trips_through_a_yaml_parser() -> None:
    doc = {"version": 2, "ethernets": {"eth0": {
        "match": {"macaddress": "02:00:00:00:00:10"}, "set-name": "eth0", "dhcp4": True,
        "addresses": ["192.168.1.20/24", "fd00::20/64"], "routes": [{"to": "0.0.0.0/0", "via": "192.168.1.1",
                                                                        "metric": 200}],
        "nameservers": {"addresses": ["1.1.1.1"], "search": ["a \"quoted\" name", "yes"]},
        "dhcp4-overrides": {"use-routes": False, "route-metric": 200}, "empty": {}, "none": []}}}
    text = dump(doc)
    assert yaml.safe_load(text) == doc
    assert 'macaddress: "02:00:00:00:00:10"' in text  # never a YAML 1.1 sexagesimal integer
    assert text.endswith("\n") and "\n- " not in text.split("routes:")[0]
