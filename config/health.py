"""Health checks of one worker, in two kinds (docs/operations.md, "Health"):

- GET /health/live/ (liveness): the process answers. It checks no dependency, so it is what container health checks
  and orchestrators use to restart a worker: restarting a worker never brings back a database or a Redis.
- GET /health/ready/ (readiness), also at /health/: can this worker reach its database and its channel layer? For
  load balancers and proxies, which should send requests elsewhere meanwhile. The answer is JSON, one entry per
  dependency: `{"database": "ok", "channel_layer": "ok"}` with status 200, or status 503 with `"error: ..."` in the
  failing entry. The in-memory layer (one process, no Redis) reports `"in-memory"` and counts as ready. Every check
  is bounded in time, so a missing service gives a prompt 503 rather than a hung probe.
"""

import asyncio

from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer
from channels_redis.utils import create_pool, decode_hosts
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis import asyncio as aioredis

OK = "ok"
IN_MEMORY = "in-memory"
# Redis answers a PING in well under a millisecond; a second is generous and keeps a probe from hanging.
REDIS_TIMEOUT = 1.0
# Opening a PostgreSQL connection (TLS included) can take a while on a busy server; a probe waits this long at most.
DATABASE_TIMEOUT = 3.0


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"error: {type(error).__name__}{': ' + text[:200] if text else ''}"


def _database_ping(alias: str) -> None:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # Runs in a thread of its own: leave no connection behind in it.
        connection.close()


async def database_status(alias: str = DEFAULT_DB_ALIAS) -> str:
    try:
        # Not thread-sensitive: a hung connect must not hold up the thread the rest of the request uses.
        async with asyncio.timeout(DATABASE_TIMEOUT):
            await sync_to_async(_database_ping, thread_sensitive=False)(alias)
    except TimeoutError:
        return f"error: no answer within {DATABASE_TIMEOUT:g} s"
    except Exception as error:
        return _describe(error)
    return OK


async def _redis_ping(host: dict) -> None:
    quick = {
        **host,
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": REDIS_TIMEOUT,
        "socket_keepalive": False,
        "health_check_interval": 0,
        "retry_on_timeout": False,
    }
    client = aioredis.Redis(connection_pool=create_pool(quick))
    try:
        await client.ping()
    finally:
        await client.aclose(close_connection_pool=True)


async def channel_layer_status(alias: str = "default") -> str:
    config = settings.CHANNEL_LAYERS[alias]
    if issubclass(import_string(config["BACKEND"]), InMemoryChannelLayer):
        return IN_MEMORY
    hosts = decode_hosts(config.get("CONFIG", {}).get("hosts"))
    try:
        async with asyncio.timeout(REDIS_TIMEOUT):
            await asyncio.gather(*(_redis_ping(host) for host in hosts))
    except TimeoutError:
        return f"error: no answer within {REDIS_TIMEOUT:g} s"
    except Exception as error:
        return _describe(error)
    return OK


@never_cache
@require_safe
async def liveness(request):
    return JsonResponse({"status": OK})


@never_cache
@require_safe
async def readiness(request):
    database, channel_layer = await asyncio.gather(database_status(), channel_layer_status())
    healthy = database == OK and channel_layer in (OK, IN_MEMORY)
    return JsonResponse({"database": database, "channel_layer": channel_layer}, status=200 if healthy else 503)
