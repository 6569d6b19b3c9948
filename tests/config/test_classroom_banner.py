"""What `make run` prints: where students join, or why they cannot."""

import socket

from config.classroom import banner, port_problem


def test_students_join_at_the_best_network_address_printed_last():
    lines = banner(host="0.0.0.0", port=8000, addresses=["192.168.1.23", "10.0.0.5"], names=["laptop", "laptop.local"])
    assert lines[0] == "On this machine: http://127.0.0.1:8000/"
    assert lines[1] == "Also reachable at: http://10.0.0.5:8000/, http://laptop.local:8000/"
    assert lines[-1] == "Students join at http://192.168.1.23:8000/join/"


def test_the_port_is_the_one_the_server_listens_on():
    lines = banner(host="0.0.0.0", port=8123, addresses=["192.168.1.23"], names=[])
    assert lines == ["On this machine: http://127.0.0.1:8123/", "Students join at http://192.168.1.23:8123/join/"]


def test_a_loopback_host_says_the_server_is_reachable_from_this_machine_only():
    lines = banner(host="127.0.0.1", port=8000, addresses=["192.168.1.23"], names=["laptop"])
    assert "reachable from this machine only" in lines[0]
    assert lines[-1] == "Open http://127.0.0.1:8000/"
    assert not any("192.168.1.23" in line for line in lines)


def test_an_ipv6_loopback_host_is_written_in_brackets():
    assert banner(host="::1", port=8000, addresses=[], names=[])[-1] == "Open http://[::1]:8000/"


def test_with_no_network_at_all_it_says_so_and_gives_the_loopback_address():
    lines = banner(host="0.0.0.0", port=8000, addresses=[], names=["laptop"])
    assert lines[0].startswith("No network address found")
    assert lines[-1] == "Open http://127.0.0.1:8000/"


def test_a_single_address_as_host_is_the_one_students_join_at():
    assert banner(host="192.168.1.23", port=8000, addresses=["10.0.0.5"], names=[]) == [
        "Students join at http://192.168.1.23:8000/join/"
    ]


def test_a_port_in_use_is_reported_with_another_one_to_try():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        problem = port_problem("127.0.0.1", port)
    assert problem is not None
    assert f"Try PORT={port + 1}" in problem
    assert port_problem("127.0.0.1", port) is None
