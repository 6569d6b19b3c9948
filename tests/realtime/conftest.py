import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from realtime.runtime import stop_current_runtime


@pytest.fixture(autouse=True)
async def fresh_runtime():
    """Each test's event loop gets its own worker runtime; stop it when the test ends."""
    yield
    await stop_current_runtime()
    # Async ORM calls in tests leave a connection open in the sync thread; the test database must be droppable.
    await sync_to_async(connections.close_all)()
