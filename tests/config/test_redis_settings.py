"""The explicit redis-py settings reach the connections channels-redis makes, for both layers."""

import pytest
from django.utils.module_loading import import_string

from config.settings.base import channel_layers_for, channel_prefix

URL = "redis://127.0.0.1:6379/3"


def configured_layer(kind: str):
    layer = channel_layers_for(URL, kind, prefix=channel_prefix(URL))["default"]
    return import_string(layer["BACKEND"])(**layer["CONFIG"])


def assert_explicit_settings(pool) -> None:
    connection = pool.make_connection()
    assert connection.socket_timeout is None, "redis-py 8's 5 s default would cut the core layer's 5 s read"
    assert connection.socket_connect_timeout == 5
    assert connection.socket_keepalive is True
    assert connection.health_check_interval == 30
    assert connection.retry_on_timeout is True
    assert connection.db == 3
    assert pool.max_connections == 1000, "redis-py's default pool cap is 100"


async def test_the_pubsub_layer_opens_redis_connections_with_the_explicit_settings():
    layer = configured_layer("pubsub")
    shard = layer._get_layer()._shards[0]
    shard._ensure_redis()
    try:
        assert_explicit_settings(shard._redis.connection_pool)
    finally:
        await shard.flush()


async def test_the_core_layer_opens_redis_connections_with_the_explicit_settings():
    layer = configured_layer("core")
    pool = layer.create_pool(0)
    try:
        assert_explicit_settings(pool)
    finally:
        await pool.disconnect()


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("redis://127.0.0.1:6379/3", "quizcast3"),
        ("redis://127.0.0.1:6379", "quizcast0"),
        ("rediss://user:secret@redis.example:6380/0?db=5", "quizcast5"),
    ],
)
def test_the_database_number_in_redis_url_separates_pubsub_channels(url, prefix):
    assert channel_prefix(url) == prefix
    assert channel_layers_for(url, "pubsub", prefix=channel_prefix(url))["default"]["CONFIG"]["prefix"] == prefix
