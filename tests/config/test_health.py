"""GET /health/ready/ (and /health/) reports the database and the channel layer, and answers promptly when Redis is
missing; GET /health/live/ says the process answers, whatever its services do."""

import socket
import time

import pytest
from django.conf import settings
from django.test import override_settings

from config.healthcheck import probe_host
from config.settings.base import channel_layers_for

pytestmark = [pytest.mark.django_db(transaction=True)]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_health_is_ok_with_the_configured_database_and_layer(async_client):
    response = await async_client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "channel_layer": "ok" if settings.REDIS_URL else "in-memory",
    }
    assert "no-cache" in response["Cache-Control"]


@override_settings(CHANNEL_LAYERS=channel_layers_for("", "pubsub"))
async def test_health_counts_the_in_memory_layer_as_healthy(async_client):
    response = await async_client.get("/health/")
    assert response.status_code == 200
    assert response.json()["channel_layer"] == "in-memory"


@pytest.mark.parametrize("layer", ["pubsub", "core"])
async def test_health_answers_503_at_once_when_redis_refuses_connections(async_client, layer):
    with override_settings(CHANNEL_LAYERS=channel_layers_for(f"redis://127.0.0.1:{closed_port()}/0", layer)):
        started = time.monotonic()
        response = await async_client.get("/health/")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["channel_layer"].startswith("error: ")
    assert elapsed < 1.0


async def test_health_answers_503_within_about_a_second_when_redis_never_replies(async_client):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel accepts connections; nobody ever reads or writes
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with override_settings(CHANNEL_LAYERS=channel_layers_for(url, "pubsub")):
            started = time.monotonic()
            response = await async_client.get("/health/")
            elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["channel_layer"].startswith("error: ")
    assert elapsed < 1.8


async def test_health_refuses_methods_that_change_state(async_client):
    response = await async_client.post("/health/")
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [("quiz.school.example", "quiz.school.example"), (" .school.example, other", "school.example"), ("", "localhost")],
)
def test_the_container_probe_asks_for_a_host_django_serves(allowed_hosts, host):
    assert probe_host(allowed_hosts) == host


async def test_readiness_is_served_at_health_ready_as_at_health(async_client):
    ready, health = await async_client.get("/health/ready/"), await async_client.get("/health/")
    assert (ready.status_code, ready.json()) == (health.status_code, health.json())
    assert ready.status_code == 200


@pytest.mark.parametrize("layer", ["pubsub", "core"])
def test_liveness_answers_200_without_asking_the_database_or_redis(client, django_assert_num_queries, layer):
    with override_settings(CHANNEL_LAYERS=channel_layers_for(f"redis://127.0.0.1:{closed_port()}/0", layer)):
        with django_assert_num_queries(0):
            response = client.get("/health/live/")
        assert client.get("/health/ready/").status_code == 503
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
