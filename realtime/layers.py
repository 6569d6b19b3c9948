"""The channel layers a deployment may choose (REDIS_CHANNEL_LAYER, config.settings.base.channel_layers_for)."""

import logging

from channels_redis.core import RedisChannelLayer

from realtime.log_filters import CONNECTION_ERRORS

logger = logging.getLogger(__name__)


class RedisListLayer(RedisChannelLayer):  # type: ignore[misc]  # channels-redis ships no type hints
    """channels-redis's list-based layer ("core"), quiet when Redis goes away just after a message arrived.

    After each message it receives, the layer removes that message's copy from a backup queue in a task of its
    own that nobody awaits. If Redis is gone by then, the task fails and asyncio logs "Task exception was never
    retrieved" with a traceback, in the middle of an outage the hub already reports once (realtime.hub). Here
    that failure is logged at debug level only; what happens to the copy does not change: it stays in the
    backup queue, as when such a task is cancelled, and channels-redis delivers it again only if Redis kept it.
    """

    async def _clean_receive_backup(self, index: int, channel: str) -> None:
        try:
            await super()._clean_receive_backup(index, channel)
        except CONNECTION_ERRORS as error:
            logger.debug("backup copy of a message on %s kept: %s", channel, error)
