"""Logging filters for the channel layer.

While Redis is unreachable, channels-redis's pub/sub receiver logs the same connection error with its traceback
about once a second per worker ("Unexpected exception in receive task"). The hub already says once that live
updates stopped and once that they resumed (realtime.hub), so those records are dropped; any other error of the
layer is still logged.
"""

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECTION_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class DropLayerConnectionErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, CONNECTION_ERRORS)
