"""The WebSocket protocol's client messages: the fields each type carries (which role may send it is the role's
command table in realtime.consumers).

docs/protocol.md is the human-readable contract; tests check the two agree.
"""

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

import orjson

from realtime.frame_settings import frame_setting

PROTOCOL_VERSION = 1

# Close codes (RFC 6455 and the 4000-4999 application range).
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_UNAVAILABLE = 1011  # a service the server needs (the database) did not answer; the client reconnects
CLOSE_TRY_AGAIN_LATER = 1013  # the client stopped reading for too long; it reconnects and resumes by snapshot
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SILENT = 4408  # a client that sends heartbeats sent none for 3.5 s: taken to be gone (realtime.liveness)
CLOSE_REMOVED = 4430  # after accept: the teacher removed this student from the session; the page does not reconnect
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


@dataclass(frozen=True)
class Field:
    name: str
    kind: type
    max_length: int | None = None
    optional: bool = False


MAX_REF_LENGTH = 64
# Deeper than any message of the protocol needs (an answer is an object holding at most a list), and far below where
# Python's parser would raise RecursionError (a few thousand brackets, well under the frame size cap).
MAX_NESTING_DEPTH = 16
# Ids are PostgreSQL bigints: a larger integer could only fail in the database.
MAX_ID = 2**63 - 1
REF = Field("ref", str, max_length=MAX_REF_LENGTH, optional=True)

# A heartbeat as the pages send it, recognised without parsing (any other spelling is parsed like other messages).
HEARTBEAT_TEXT = '{"type":"heartbeat"}'

CLIENT_MESSAGES: dict[str, tuple[Field, ...]] = {
    "ping": (REF,),
    "heartbeat": (REF,),
    "answer.submit": (
        Field("round_id", int),
        Field("client_id", str, max_length=64),
        Field("answer", dict),
        REF,
    ),
    "round.push": (Field("question_id", int), REF),
    "round.close": (Field("round_id", int), REF),
    "round.reveal": (Field("round_id", int), REF),
    "session.end": (REF,),
    "participant.remove": (Field("student_id", int), Field("delete_answers", bool, optional=True), REF),
    "participant.readmit": (Field("student_id", int), REF),
    "guests.remove_unanswered": (REF,),
    "session.lock": (Field("locked", bool), REF),
    "results.refresh": (REF,),
    "session.update": (Field("live_results", bool), REF),
    "round.hide_text": (
        Field("round_id", int),
        Field("text", str, max_length=200),
        Field("hidden", bool, optional=True),
        REF,
    ),
    "paced.next": (REF,),
    "session.extend": (Field("closes_at", str, max_length=40, optional=True), REF),
    "paced.projector_names": (Field("names", bool), REF),
}

# A client message as parse_client_message checked it: its `type`, and the fields CLIENT_MESSAGES names for it,
# each of its kind (other keys are left as they came).
ClientMessage = dict[str, Any]

# Which of these each role may send is its consumer's command table (realtime.consumers.set_commands).


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, ref: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def max_message_bytes() -> int:
    limit: int = frame_setting("WEBSOCKET_MAX_MESSAGE_BYTES")
    return limit


def is_oversized(text: str) -> bool:
    limit = max_message_bytes()
    return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in this JSON text, counted without parsing it (brackets inside strings
    do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400 parses as infinity
        raise ValueError(f"{text[:20]} is out of range")
    return number


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    message = dict(pairs)
    if len(message) != len(pairs):
        raise ProtocolError("invalid_message", "A key appears twice in one object.")
    return message


def _has_unstorable_text(value: object) -> bool:
    """Whether a decoded value holds a string that cannot be UTF-8 (a lone surrogate escaped as \\ud800) or that
    PostgreSQL cannot store (a NUL character)."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_unstorable_text(key) or _has_unstorable_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_text(item) for item in value)
    return False


def decode_client_json(text: str) -> object:
    """The JSON value of a client frame, or ProtocolError: `malformed_json` for anything that is not strict JSON
    (NaN and Infinity included), `invalid_message` for JSON that nests too deeply, repeats a key or holds a string
    that is not valid Unicode or holds a NUL. Never any other exception, whatever the text."""
    if "\\u" not in text:
        return _decode_fast(text)
    return _decode_checked(text)


def _decode_fast(text: str) -> object:
    """orjson (in C) for a frame without \\u escapes, which is every frame the pages send but a few free-text
    answers. Without escapes, no string can hold a NUL or a lone surrogate, and every colon in the text is either
    a key's or one that a parsed string holds: a repeated key shows as more colons than keys."""
    if _may_nest_too_deeply(text):
        return _decode_checked(text)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("malformed_json", "The message is not valid JSON.") from None
    keys, colons_in_strings, inexact = _walk(value)
    if inexact:  # an integer literal beyond 64 bits, which orjson reads as a float: the exact parser keeps it
        return _decode_checked(text)
    if text.count(":") - colons_in_strings != keys:
        raise ProtocolError("invalid_message", "A key appears twice in one object.")
    return value


def _may_nest_too_deeply(text: str) -> bool:
    return text.count("[") + text.count("{") > MAX_NESTING_DEPTH and nesting_depth(text) > MAX_NESTING_DEPTH


def _walk(value: object) -> tuple[int, int, bool]:
    """How many object keys the value holds, how many colons its strings (keys included) hold, and whether it
    holds a number of 2**63 or more (which may have been an integer literal orjson could not keep exact).

    orjson gives exactly dict, list, str, int, float, bool and None; strings and numbers are counted where they are
    met, so only objects and arrays are a call of their own (this runs for every frame a client sends)."""
    keys = colons = 0
    inexact = False
    if type(value) is dict:
        keys = len(value)
        colons = "".join(value).count(":")  # orjson's keys are strings
        items: Iterable[object] = value.values()
    elif type(value) is list:
        items = value
    elif type(value) is str:
        return 0, value.count(":"), False
    elif type(value) is float:
        return 0, 0, abs(value) >= _INEXACT
    else:
        return 0, 0, False
    for item in items:
        kind = type(item)
        if kind is str:
            colons += item.count(":")  # type: ignore[attr-defined]
        elif kind is dict or kind is list:
            item_keys, item_colons, item_inexact = _walk(item)
            keys += item_keys
            colons += item_colons
            inexact = inexact or item_inexact
        elif kind is float:
            inexact = inexact or abs(item) >= _INEXACT  # type: ignore[arg-type]
    return keys, colons, inexact


_INEXACT = float(2**63)


def _decode_checked(text: str) -> object:
    """The standard library's parser with every check spelled out: for frames with \\u escapes or many brackets."""
    if nesting_depth(text) > MAX_NESTING_DEPTH:
        raise ProtocolError("invalid_message", f"The message nests deeper than {MAX_NESTING_DEPTH} levels.")
    try:
        value = json.loads(
            text, parse_constant=_no_constants, parse_float=_finite_float, object_pairs_hook=_unique_keys
        )
    except ProtocolError:
        raise
    except (ValueError, RecursionError):
        raise ProtocolError("malformed_json", "The message is not valid JSON.") from None
    if _has_unstorable_text(value):
        raise ProtocolError("invalid_message", "The message holds text that is not valid Unicode, or a NUL.")
    return value


def parse_client_message(text: str, *, allowed_types: frozenset[str]) -> ClientMessage:
    """Decode and check one client text frame; raise ProtocolError with a stable code if it is not valid."""
    message = decode_client_json(text)
    if not isinstance(message, dict):
        raise ProtocolError("invalid_message", "A message must be a JSON object.")
    ref = message.get("ref")
    ref = ref if isinstance(ref, str) and len(ref) <= MAX_REF_LENGTH else None
    message_type = message.get("type")
    if not isinstance(message_type, str):
        raise ProtocolError("invalid_message", "A message needs a string 'type'.", ref)
    if message_type not in CLIENT_MESSAGES:
        raise ProtocolError("unknown_type", f"Unknown message type {message_type[:40]!r}.", ref)
    if message_type not in allowed_types:
        raise ProtocolError("forbidden", f"You may not send {message_type!r}.", ref)
    for field in CLIENT_MESSAGES[message_type]:
        if field.name not in message:
            if field.optional:
                continue
            raise ProtocolError("invalid_message", f"'{field.name}' is missing.", ref)
        value = message[field.name]
        if not isinstance(value, field.kind) or (field.kind is int and isinstance(value, bool)):
            raise ProtocolError("invalid_message", f"'{field.name}' must be of type {field.kind.__name__}.", ref)
        if isinstance(value, int) and field.kind is int and not (0 < value <= MAX_ID):
            raise ProtocolError("invalid_message", f"'{field.name}' must be a positive id.", ref)
        if field.max_length is not None and isinstance(value, str) and not (0 < len(value) <= field.max_length):
            raise ProtocolError(
                "invalid_message",
                f"'{field.name}' must be 1 to {field.max_length} characters.",
                ref,
            )
    return message
