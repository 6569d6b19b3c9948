"""The hubs' messages survive the layer's encoding (msgpack, as channels-redis sends them) unchanged."""

import msgpack
import pytest

from realtime.messages import (
    RELAY_TYPE,
    Frames,
    Heartbeat,
    Hello,
    Presence,
    PresenceRequest,
    Results,
    from_layer,
    to_layer,
)

EVERY_KIND = [
    Frames(
        group="g",
        text='{"type":"question.pushed"}',
        personal={"12": '{"type":"score"}'},
        by_role={"projector": '{"type":"x"}'},
        close_users=("3", "4"),
    ),
    Frames(group="g", text=None),
    Results(group="g", round_id=5, answered=17, text="{}", projector_text=None),
    Presence(group="g", worker="w1", session_id=2, students=((1, "Ada", False), (2, "Guest", True)), request="w2-1"),
    PresenceRequest(group="hubs", worker="w2", session_id=2, request="w2-1"),
    Hello(group="hubs", worker="w3"),
    Heartbeat(number=41),
]


@pytest.mark.parametrize("message", EVERY_KIND, ids=lambda message: message.kind)
def test_every_message_comes_back_from_the_layer_as_it_was_sent(message):
    payload = to_layer(message, origin="w9")
    assert payload["type"] == RELAY_TYPE
    over_the_wire = msgpack.unpackb(msgpack.packb(payload))
    assert from_layer(over_the_wire) == (message, "w9")


def test_a_message_of_an_unknown_kind_or_shape_is_ignored():
    assert from_layer({"type": RELAY_TYPE, "kind": "teleport"}) is None
    assert from_layer({"type": RELAY_TYPE}) is None
    assert from_layer({"type": RELAY_TYPE, "kind": "results", "group": "g"}) is None
