"""deploy/nginx.conf hands the workers the client's address as nginx saw it: the sign-in lockout and the join limits
count by that address, and the workers trust the proxy's X-Forwarded-For (FORWARDED_ALLOW_IPS="*" in compose)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def test_every_proxied_location_overwrites_x_forwarded_for_with_the_address_nginx_saw():
    locations = re.findall(r"location\s+(?:=\s+)?(\S+)\s*\{(.*?)\n\s{8}\}", NGINX, flags=re.S)
    forwarded = {
        path: re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+);", body)
        for path, body in locations
        if "proxy_pass" in body
    }

    assert forwarded["/"] == forwarded["/ws/"] == ["$remote_addr"]
    assert all(values in ([], ["$remote_addr"]) for values in forwarded.values()), forwarded


def test_the_workers_trust_only_what_the_proxy_sends():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    assert compose["services"]["web"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"
    assert "ports" not in compose["services"]["web"]  # only the proxy reaches the workers
    assert "$proxy_add_x_forwarded_for" not in NGINX  # it would keep an address the client wrote
