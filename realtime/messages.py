"""The messages hubs relay to one another over the channel layer, typed.

Every live update between server processes is one of these. `to_layer` turns one into the plain dict the layer
carries (msgpack for Redis), `from_layer` turns it back; the hub, the presence tracker and the consumers only ever
see the dataclasses. Frames sent to browsers are already JSON text here: a hub relays them, it never builds them.
"""

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

# The `type` of every layer message a hub sends and reads (the channel layer requires one).
RELAY_TYPE = "quizcast.relay"


@dataclass(frozen=True, slots=True)
class Frames:
    """A committed event for every socket in `group`: `text` for all, `by_role` for a role that sees another
    version (the projector), `personal` for single users (their own score), then `close_users` are removed."""

    kind: ClassVar[str] = "frames"
    group: str
    text: str | None = None
    personal: dict[str, str] = field(default_factory=dict)
    by_role: dict[str, str] = field(default_factory=dict)
    close_users: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Results:
    """A session's live results for its teachers; a socket keeps only the most complete it saw (`answered`)."""

    kind: ClassVar[str] = "results"
    group: str
    round_id: int
    answered: int
    text: str
    projector_text: str | None = None


@dataclass(frozen=True, slots=True)
class Presence:
    """The students of a session connected to one worker: `(student id, name, guest)` each. `request` answers a
    PresenceRequest; None for a change or a periodic refresh."""

    kind: ClassVar[str] = "presence"
    group: str
    worker: str
    session_id: int
    students: tuple[tuple[int, str, bool], ...]
    request: str | None = None


@dataclass(frozen=True, slots=True)
class PresenceRequest:
    """Every hub reports the session's students connected to it, at once (a teacher's socket just opened)."""

    kind: ClassVar[str] = "presence_request"
    group: str
    worker: str
    session_id: int
    request: str


@dataclass(frozen=True, slots=True)
class Hello:
    """A hub announces it is running (at start and periodically), so others know which workers to wait for."""

    kind: ClassVar[str] = "hello"
    group: str
    worker: str


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Numbered, sent by a hub to its own channel: one that never arrives means the layer lost messages."""

    kind: ClassVar[str] = "heartbeat"
    number: int


RelayMessage = Frames | Results | Presence | PresenceRequest | Hello | Heartbeat
GroupMessage = Frames | Results | Presence | PresenceRequest | Hello

_BY_KIND: dict[str, type] = {cls.kind: cls for cls in (Frames, Results, Presence, PresenceRequest, Hello, Heartbeat)}
# Fields msgpack hands back as lists, turned back into the tuples the dataclasses hold.
_TUPLES = {"close_users", "students"}


def to_layer(message: RelayMessage, *, origin: str | None = None) -> dict[str, Any]:
    """The layer's dict for `message`; `origin` names the hub that sent it (it skips its own when they return)."""
    payload = {item.name: getattr(message, item.name) for item in fields(message)}
    return {"type": RELAY_TYPE, "kind": message.kind, "origin": origin, **payload}


def from_layer(payload: dict[str, Any]) -> tuple[RelayMessage, str | None] | None:
    """The message and its origin, or None for a payload of no known kind or shape (a newer worker's, say)."""
    cls = _BY_KIND.get(payload.get("kind", ""))
    if cls is None:
        return None
    values = {}
    for item in fields(cls):
        if item.name not in payload:
            continue
        value = payload[item.name]
        if item.name in _TUPLES and value is not None:
            value = tuple(tuple(entry) if isinstance(entry, list) else entry for entry in value)
        values[item.name] = value
    try:
        return cls(**values), payload.get("origin")
    except TypeError:
        return None
