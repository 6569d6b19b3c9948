"""The settings read for every frame are held outside Django's settings object, and follow it when it changes."""

from django.test import override_settings

from realtime.direct_send import direct_writes_enabled, text_frame
from realtime.protocol import is_oversized, max_message_bytes


def test_a_changed_limit_applies_to_the_next_frame():
    with override_settings(WEBSOCKET_MAX_MESSAGE_BYTES=100):
        assert max_message_bytes() == 100
        assert not is_oversized("x" * 100)
        assert is_oversized("x" * 101)

        with override_settings(WEBSOCKET_MAX_MESSAGE_BYTES=200):
            assert max_message_bytes() == 200
            assert not is_oversized("x" * 101)

        assert is_oversized("x" * 101)  # the outer value again


def test_direct_writes_follow_the_setting_and_its_restoring():
    assert direct_writes_enabled()  # the default
    assert text_frame(b"{}") is not None

    with override_settings(WEBSOCKET_DIRECT_WRITES=False):
        assert not direct_writes_enabled()
        assert text_frame(b"{}") is None

    assert direct_writes_enabled()
    assert text_frame(b"{}") is not None
