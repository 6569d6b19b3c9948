"""Nothing a client sends ends its socket abnormally: any frame gets a documented reply and the socket stays open
(or, for a frame over the size cap, closes with 1009).

Hypothesis generates frames of every shape: JSON of any depth and type, text that is not JSON, bytes, and valid
messages with one field replaced by something else. After each, the socket still answers a ping.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime import protocol
from realtime.consumers import StudentConsumer, TeacherConsumer
from realtime.protocol import CLIENT_MESSAGES, ProtocolError, parse_client_message
from tests.realtime.sockets import connect

STUDENT_TYPES = StudentConsumer.allowed_types
TEACHER_TYPES = TeacherConsumer.allowed_types

pytestmark = [pytest.mark.django_db(transaction=True)]

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)

VALID = {
    "ping": {"type": "ping"},
    "answer.submit": {"type": "answer.submit", "round_id": 1, "client_id": "c-1", "answer": {"choice": 1}},
    "round.push": {"type": "round.push", "question_id": 1},
    "round.close": {"type": "round.close", "round_id": 1},
    "round.reveal": {"type": "round.reveal", "round_id": 1},
    "session.end": {"type": "session.end"},
    "results.refresh": {"type": "results.refresh"},
}

odd_values = (
    json_values
    | st.integers(min_value=2**63, max_value=2**200)
    | st.integers(max_value=0)
    | st.sampled_from(["\ud800", "a\x00b", "", "x" * 100, [], {}, {"choice": [[[]]]}, 1.5])
)


@st.composite
def mutated_messages(draw) -> str:
    message = dict(draw(st.sampled_from(sorted(VALID.values(), key=lambda m: m["type"]))))
    field = draw(st.sampled_from([*message.keys(), "ref", "extra"]))
    message[field] = draw(odd_values)
    return json.dumps(message, allow_nan=True)


def nested(depth: int, opening: str) -> str:
    closing = {"[": "]", "{": "}"}[opening]
    if opening == "{":
        return '{"a":' * depth + "1" + "}" * depth
    return opening * depth + closing * depth


frames = st.one_of(
    json_values.map(json.dumps),
    mutated_messages(),
    st.text(max_size=200),
    st.binary(max_size=64),
    # Under the 4 KiB cap (a larger frame closes the socket with 1009: test_bad_input.py).
    st.builds(nested, st.integers(min_value=1, max_value=600), st.sampled_from("[{")),
    st.sampled_from(["[" * 2000, "{" * 1000, "[NaN]", '{"type": "ping", "x": Infinity}', "1e400", "-" * 10]),
    st.sampled_from(['{"type": "ping", "type": "ping"}', '{"type": "ping", "ref": "\\ud800"}', '"\\udfff"']),
)


def examples(strategy, count: int) -> list:
    """`count` values drawn by Hypothesis, the same on every run. The socket tests send them in a loop of their
    own: Hypothesis does not drive async tests, and one socket taking every frame is the harder test anyway (a frame
    that broke it fails every ping after it)."""
    found = []

    @settings(max_examples=count, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(strategy)
    def collect(value):
        found.append(value)

    collect()
    return found


@pytest.mark.parametrize("role", ["student", "teacher"])
async def test_any_frame_gets_a_documented_reply_and_the_socket_still_answers_a_ping(
    role, live_session, teacher, enrolled_students
):
    user = teacher if role == "teacher" else enrolled_students[0]
    socket, _snapshot = await connect(user, live_session, role)
    for frame in examples(frames, 200):
        kind = "bytes" if isinstance(frame, bytes) else "text"
        await socket.communicator.send_input({"type": "websocket.receive", kind: frame})
        # Socket.request checks every frame it reads (the replies to the frame included) against the document.
        pong = await socket.request({"type": "ping", "ref": "after"}, timeout=5)
        assert pong["type"] == "pong", (frame, pong)


@FUZZ
@given(text=st.one_of(frames.filter(lambda frame: isinstance(frame, str)), st.text()))
def test_parsing_raises_only_protocol_errors(text):
    for allowed in (STUDENT_TYPES, TEACHER_TYPES):
        try:
            message = parse_client_message(text, allowed_types=allowed)
        except ProtocolError as error:
            assert error.code in {"malformed_json", "invalid_message", "unknown_type", "forbidden"}
        else:
            assert message["type"] in CLIENT_MESSAGES


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[" * 2000 + "]" * 2000, "invalid_message"),
        ("[" * 2000, "invalid_message"),
        ('{"type": "ping", "note": "' + "[" * 3000 + '"}', None),  # brackets inside a string do not count
        ("[NaN]", "malformed_json"),
        ('{"type": "ping", "x": -Infinity}', "malformed_json"),
        ('{"type": "ping", "x": 1e400}', "malformed_json"),
        ('{"type": "ping", "type": "ping"}', "invalid_message"),
        ('{"type": "ping", "ref": "\\ud800"}', "invalid_message"),
        ('{"type": "answer.submit", "round_id": 1, "client_id": "a\\u0000", "answer": {}}', "invalid_message"),
        ('{"type": "round.close", "round_id": 99999999999999999999999}', "invalid_message"),
        ('{"type": "round.close", "round_id": -1}', "invalid_message"),
        ("1" * 5000, "malformed_json"),
    ],
)
def test_frames_python_would_choke_on_get_a_protocol_error(text, code):
    if code is None:
        assert parse_client_message(text, allowed_types=TEACHER_TYPES)["type"] == "ping"
        return
    with pytest.raises(ProtocolError) as refused:
        parse_client_message(text, allowed_types=TEACHER_TYPES)
    assert refused.value.code == code


def decoded(decode, text):
    try:
        return ("value", decode(text))
    except ProtocolError as error:
        return ("error", error.code)


@FUZZ
@given(text=st.one_of(frames.filter(lambda frame: isinstance(frame, str)), st.text(), json_values.map(json.dumps)))
def test_the_fast_decoder_agrees_with_the_checked_one_on_any_text_it_takes(text):
    """Frames without \\u escapes are parsed by orjson with the checks counted instead of hooked in; whatever the
    text, the outcome is the standard library parser's with every check."""
    if "\\u" in text:
        return
    fast, checked = decoded(protocol._decode_fast, text), decoded(protocol._decode_checked, text)
    if checked == ("error", "invalid_message") and fast == ("error", "malformed_json"):
        # A str holding a lone surrogate (a socket's text never does: it arrives as UTF-8) is refused either way.
        assert any(0xD800 <= ord(character) <= 0xDFFF for character in text)
        return
    assert fast == checked


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "ping", "ref": "a", "ref": "b"}',
        '{"type": "answer.submit", "answer": {"text": "x", "text": "y"}, "round_id": 1, "client_id": "c"}',
        '{"type": "ping", "ref": "time: 10:30", "ref": "x"}',
        '{"type": "ping", "a:b": 1, "a:b": 2}',
    ],
)
def test_a_repeated_key_is_caught_by_the_fast_decoder_too(text):
    with pytest.raises(ProtocolError) as refused:
        protocol._decode_fast(text)
    assert refused.value.code == "invalid_message"
