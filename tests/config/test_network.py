import ipaddress

import pytest

from config import network


def test_network_addresses_are_reachable_ipv4_addresses_of_this_machine():
    for address in network.network_addresses():
        ip = ipaddress.ip_address(address)
        assert ip.version == 4
        assert not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def test_network_addresses_list_each_address_once():
    addresses = network.network_addresses()
    assert len(addresses) == len(set(addresses))


def test_host_names_include_the_mdns_form_of_the_machine_name(monkeypatch):
    monkeypatch.setattr(network.socket, "gethostname", lambda: "Classroom-Laptop.lan")
    assert network.host_names() == ["classroom-laptop.lan", "classroom-laptop", "classroom-laptop.local"]


def test_a_machine_called_localhost_adds_no_host_name(monkeypatch):
    monkeypatch.setattr(network.socket, "gethostname", lambda: "localhost")
    assert network.host_names() == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("app.localhost", True),
        ("[::1]", True),
        ("[::1]:8000", True),
        ("192.168.1.23:8000", False),
        ("[fe80::1]:8000", False),
        ("quiz.school.example", False),
    ],
)
def test_is_loopback_host(host, loopback):
    assert network.is_loopback_host(host) is loopback
