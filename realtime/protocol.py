"""The WebSocket protocol's client messages: which types each role may send and what fields they carry.

docs/protocol.md is the human-readable contract; tests check the two agree.
"""

import json
from dataclasses import dataclass

from django.conf import settings

PROTOCOL_VERSION = 1

# Close codes (RFC 6455 and the 4000-4999 application range).
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_UNAVAILABLE = 1011  # a service the server needs (the database) did not answer; the client reconnects
CLOSE_UNAUTHENTICATED = 4401
CLOSE_REMOVED = 4430  # after accept: the teacher removed this guest from the session; the page does not reconnect
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


@dataclass(frozen=True)
class Field:
    name: str
    kind: type
    max_length: int | None = None
    optional: bool = False


MAX_REF_LENGTH = 64
REF = Field("ref", str, max_length=MAX_REF_LENGTH, optional=True)

CLIENT_MESSAGES: dict[str, tuple[Field, ...]] = {
    "ping": (REF,),
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
    "participant.remove": (Field("student_id", int), REF),
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
}

STUDENT_TYPES = frozenset({"ping", "answer.submit", "paced.next"})
TEACHER_TYPES = frozenset(
    {
        "ping",
        "round.push",
        "round.close",
        "round.reveal",
        "session.end",
        "results.refresh",
        "participant.remove",
        "session.update",
        "round.hide_text",
        "session.extend",
    }
)
PROJECTOR_TYPES = frozenset({"ping", "results.refresh"})  # the projector only shows: it sends no command


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, ref: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def max_message_bytes() -> int:
    return settings.WEBSOCKET_MAX_MESSAGE_BYTES


def is_oversized(text: str) -> bool:
    limit = max_message_bytes()
    return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)


def parse_client_message(text: str, *, allowed_types: frozenset[str]) -> dict:
    """Decode and check one client text frame; raise ProtocolError with a stable code if it is not valid."""
    try:
        message = json.loads(text)
    except ValueError:
        raise ProtocolError("malformed_json", "The message is not valid JSON.") from None
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
        if field.max_length is not None and not (0 < len(value) <= field.max_length):
            raise ProtocolError(
                "invalid_message",
                f"'{field.name}' must be 1 to {field.max_length} characters.",
                ref,
            )
    return message
