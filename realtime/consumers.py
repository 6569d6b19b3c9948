"""WebSocket consumers: the student socket and the teacher socket of a live session (docs/protocol.md).

Thin by design: `connect` joins the worker's hub, then has the user authenticated and authorised and the snapshot
read in one database call shared with the sockets connecting meanwhile (realtime.runtime.socket_opener), accepts
and sends the snapshot;
`receive` checks the frame against the protocol and dispatches through an explicit table per role. Database work
runs in realtime.session_actions through `database_sync_to_async`.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from asgiref.typing import ASGIReceiveCallable, ASGISendCallable, WebSocketDisconnectEvent
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from classroom.errors import DomainError
from classroom.services import AnswerOutcome, AnswerSubmission
from config.database import is_unavailable, log_failure, outage
from realtime import auth, events, groups, session_actions
from realtime.direct_send import direct_socket
from realtime.liveness import Liveness
from realtime.messages import Presence, Results
from realtime.outbox import Outbox, Send
from realtime.protocol import (
    CLIENT_MESSAGES,
    CLOSE_FORBIDDEN,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_NOT_FOUND,
    CLOSE_REMOVED,
    CLOSE_SILENT,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNAVAILABLE,
    HEARTBEAT_TEXT,
    ClientMessage,
    ProtocolError,
    is_oversized,
    parse_client_message,
)
from realtime.runtime import Runtime, current_runtime, publish, running_runtime

if TYPE_CHECKING:
    from channels.consumer import _ChannelScope

logger = logging.getLogger(__name__)

CLOSE_CODES = {
    "unauthenticated": CLOSE_UNAUTHENTICATED,
    "not_found": CLOSE_NOT_FOUND,
    "forbidden": CLOSE_FORBIDDEN,
    "unavailable": CLOSE_UNAVAILABLE,
}

Consumer = TypeVar("Consumer", bound="SessionConsumer")
# A command of a role's table: a method of its consumer class (or of a class it inherits from), taking the checked
# client message.
Command = Callable[[Consumer, ClientMessage], Awaitable[None]]
# The table as a consumer class holds it: each command takes a socket of the class that set it (see set_commands),
# which no type of the base class can say.
CommandTable = dict[str, Callable[[Any, ClientMessage], Awaitable[None]]]


def set_commands(consumer: type[Consumer], commands: dict[str, Command[Consumer]]) -> None:
    """A role's command table, the one source of truth for what its sockets may send: any other type of
    docs/protocol.md is refused with `forbidden`."""
    unknown = set(commands) - set(CLIENT_MESSAGES)
    if unknown:
        raise ValueError(f"{consumer.__name__} has commands the protocol does not define: {sorted(unknown)}")
    consumer.commands = commands
    consumer.allowed_types = frozenset(commands)


class SessionConsumer(AsyncWebsocketConsumer):
    """What both roles share: admission, the snapshot, frame checks, error replies, the hub.

    Whatever a client sends, and however the socket ends (the client closes or drops, the server closes it, or
    something in here raises), the socket leaves its hub and the session's presence: leaving is the `finally` of
    the socket's life.
    """

    role = ""
    # What a socket of the role may send: exactly the keys of its command table (see `set_commands`).
    commands: CommandTable = {}
    allowed_types: frozenset[str] = frozenset()

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.user: User | None = None
        self.user_id = 0
        self.user_key = ""
        self.attached = False
        self.accepted = False
        self.closed = False
        self.outbox: Outbox | None = None
        self.groups_joined: list[str] = []
        self.student_paced = False
        self.liveness: Liveness | None = None
        self.busy = False  # handling a frame of the client's: the frames after it wait (realtime.liveness)
        # A reply still to come for a frame already handled (an answer being stored): the next frame waits for it.
        self.replying: asyncio.Future[None] | None = None

    async def __call__(self, scope: "_ChannelScope", receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        # Sockets get no channel-layer channel of their own: the worker's hub reads the layer for all of them.
        # Channels would read the client and the socket's layer channel through a new task and asyncio.wait for
        # every message; with the client alone, reading it directly keeps the order at a fraction of the cost.
        self.scope = scope
        self.base_send = send
        self.outbox = outbox = Outbox(
            # An ASGI send takes the outbox's events: asgiref's types require keys (`bytes`, `reason`) that the
            # ASGI spec makes optional and the outbox leaves out.
            cast(Send, send),
            stall_limit=settings.WEBSOCKET_SLOW_READER_LIMIT,
            on_stalled=self.leave,
            name=f"a {self.role} socket",
        )
        try:
            while True:
                event = await receive()
                if event["type"] == "websocket.receive":  # the client's frames go straight to `receive`
                    await self.receive(event.get("text"), event.get("bytes"))
                else:  # An ASGI event is a plain dict: the form in which Channels' handlers take it.
                    await self.dispatch(cast("dict[str, Any]", event))
        except StopConsumer:
            pass
        except Exception:
            logger.exception("a %s socket of session %s failed; closing it with 1011", self.role, self.session_id)
            with contextlib.suppress(Exception):
                await self.close(code=CLOSE_UNAVAILABLE)
        finally:
            await self.leave()
            await outbox.drain()  # a close frame still queued must go out before the server ends the socket

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels >= 4.2 hops to the sync thread before every handler to close stale database connections.
        # All database work here runs through database_sync_to_async, which does that itself, so the hop that
        # would otherwise be paid on every frame of a broadcast is skipped.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for {message['type']}")
        await handler(message)

    # --- connect / disconnect --------------------------------------------------------------------------------
    async def connect(self) -> None:
        key = auth.session_key(self.scope)
        if key is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.groups_joined = self.groups_for(self.session_id)
        runtime = current_runtime()
        # The socket joins the hub before the snapshot is read, so no frame sent after that read can pass it by.
        # Frames are held until the snapshot is sent; a socket that is refused never sends any.
        generation = self.begin_snapshot()
        try:
            await runtime.hub.attach(self, self.groups_joined)
            self.attached = True
            await self.joined_hub()
            opening = await runtime.openings.call(
                session_actions.SocketRequest(role=self.role, session_id=self.session_id, session_key=key)
            )
        except Exception as error:
            log_failure(logger, error, "could not open a socket of session %s", self.session_id)
            opening = session_actions.Opening(refusal="unavailable")
        user = opening.user
        if opening.refusal is not None or user is None:  # an opening that admits a socket names its user
            await self.close(code=CLOSE_CODES[opening.refusal or "unavailable"])
            return
        self.user, self.user_id, self.user_key = user, user.pk, str(user.pk)
        await self.accept()
        self.accepted = True
        outbox = self.output
        direct = direct_socket(self.base_send)
        if direct is not None:
            outbox.direct_write, outbox.close_now = direct.write, direct.close
            direct.release_handshake()
        # Nothing reads the opening request's headers again once the socket is accepted and its user known; they
        # would otherwise stay for the life of the socket.
        headers = self.scope.get("headers")
        if isinstance(headers, list):
            headers.clear()
        try:
            runtime.hub.arrive(self, name=user.name, guest=user.is_guest)
            runtime.deadlines.ensure_running()
            self.liveness = runtime.liveness
            self.liveness.ensure_running()
            await self.opened(opening)
            if outbox.is_current(generation):
                await self.finish_snapshot(generation, opening.snapshot)
            else:  # live updates were resumed meanwhile: what was read may be older than a frame that got lost
                await self.send_snapshot()
            await self.after_connect()
        except Exception:
            logger.exception("could not start socket of session %s", self.session_id)
            await self.give_up()

    @property
    def member(self) -> User:
        """The user the socket was admitted for: it has one before its first snapshot or command."""
        if self.user is None:
            raise RuntimeError(f"a {self.role} socket of session {self.session_id} has no user yet")
        return self.user

    @property
    def output(self) -> Outbox:
        """The socket's outbox, which it has from the moment the server calls it (`__call__`)."""
        if self.outbox is None:
            raise RuntimeError(f"a {self.role} socket has no outbox before it is called")
        return self.outbox

    async def give_up(self) -> None:
        """Leave the hub and close with 1011: the client reconnects, and its next snapshot starts it afresh."""
        await self.close(code=CLOSE_UNAVAILABLE)

    async def send_snapshot(self) -> None:
        """Send the state as stored, then whatever arrived while it was read (newer, so it applies on top)."""
        generation = self.begin_snapshot()
        text = await database_sync_to_async(self.snapshot_text)(session_id=self.session_id, user=self.member)
        await self.finish_snapshot(generation, text)

    def begin_snapshot(self) -> int:
        """Hold frames from here until the snapshot being read now is sent. Returns its generation."""
        return self.output.hold()

    async def finish_snapshot(self, generation: int, text: str) -> None:
        outbox = self.output
        if not outbox.is_current(generation):
            return  # a newer snapshot is being read; it will be sent instead, with the frames held until then
        outbox.release(self.completed_snapshot(text))

    def completed_snapshot(self, text: str) -> str:
        """The snapshot as sent, from the one read from the database."""
        return text

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        """Close after the frames already on their way, and leave the hub at once."""
        if self.accepted:
            self.output.close(code or 1000)
        else:
            await super().close(code=code, reason=reason)
        await self.leave()

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def leave(self) -> None:
        """Out of the hub and the session's presence; safe to call any number of times, from any path."""
        self.closed = True
        if self.liveness is not None:
            self.liveness.forget(self)
        if self.outbox is not None and not self.accepted:
            self.outbox.discard()
        if self.attached:
            self.attached = False
            runtime = running_runtime()
            if runtime is not None:  # a stopped runtime's hub is gone with every membership it had
                await runtime.hub.detach(self, self.groups_joined)

    async def websocket_disconnect(self, message: WebSocketDisconnectEvent) -> None:
        if self.outbox is not None:
            self.outbox.discard()
        await self.leave()
        raise StopConsumer()

    # --- frames ----------------------------------------------------------------------------------------------
    def put_frame(self, text: str, frame: bytes | None = None, slot: str | None = None) -> None:
        """Hand a frame to this socket's outbox; never waits (`frame`: its wire bytes, if already made)."""
        outbox = self.outbox
        if not self.closed and outbox is not None:
            outbox.put(text, frame=frame, slot=slot)

    async def send_frame(self, text: str) -> None:
        self.put_frame(text)

    def put_frames(self, texts: list[str]) -> None:
        """Hand frames to this socket's outbox in order, written together when they can go at once."""
        outbox = self.outbox
        if not self.closed and outbox is not None:
            outbox.put_all(texts)

    async def send_event(self, message: events.Message) -> None:
        self.put_frame(events.encode(message))

    async def send_error(self, code: str, message: str, ref: str | None = None) -> None:
        self.put_error(code, message, ref)

    def put_error(self, code: str, message: str, ref: str | None = None) -> None:
        self.put_frame(events.encode(events.error(code, message, ref=ref)))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data == HEARTBEAT_TEXT:  # every 2 s from every student page: nothing to parse, nothing to answer
            self.heartbeat_heard()
            return
        self.busy = True
        try:
            if self.replying is not None:  # replies go out in the order of the frames: this one waits for the last
                await self.replying
            await self.handle_frame(text_data)
        except Exception:
            logger.exception("a frame of a %s socket failed", self.role)
            await self.send_error("internal_error", "Something went wrong; please try again.")
        finally:
            self.busy = False
            if self.liveness is not None:
                self.liveness.heard(self)  # heartbeats that waited behind this frame are read next

    async def handle_frame(self, text_data: str | None) -> None:
        if text_data is None:
            await self.send_error("binary_not_supported", "Send JSON text frames, not binary ones.")
            return
        if is_oversized(text_data):
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        try:
            message = parse_client_message(text_data, allowed_types=self.allowed_types)
        except ProtocolError as error:
            await self.send_error(error.code, error.message, error.ref)
            return
        command = self.commands[message["type"]]
        try:
            await command(self, message)
        except Exception as error:
            self.command_failed(message, error)

    def command_failed(self, message: ClientMessage, error: Exception) -> None:
        """The reply to a command that raised: its refusal, `unavailable` while the database does not answer (the
        client sends it again), else `internal_error`, logged."""
        ref = message.get("ref")
        if isinstance(error, DomainError):
            self.put_error(error.code, error.message, ref)
        elif is_unavailable(error):
            outage.failed(error)
            self.put_error("unavailable", "The database is not answering; send it again shortly.", ref)
        else:
            logger.error("command %s failed", message["type"], exc_info=error)
            self.put_error("internal_error", "Something went wrong; please try again.", ref)

    async def ping(self, message: ClientMessage) -> None:
        await self.send_event(events.pong(ref=message.get("ref")))

    async def heartbeat(self, message: ClientMessage) -> None:
        self.heartbeat_heard()

    def heartbeat_heard(self) -> None:
        if self.liveness is not None and not self.closed:
            self.liveness.heartbeat(self)

    async def went_silent(self) -> None:
        """No heartbeat for too long from a client that sends them (realtime.liveness): its connection died without a
        word. Out of the session's presence at once, then closed without waiting for the client."""
        logger.info("a %s socket of session %s went silent; closing it", self.role, self.session_id)
        await self.leave()
        outbox = self.output
        if outbox.close_now is not None and not outbox.closing:
            outbox.discard()
            if outbox.close_now(CLOSE_SILENT):
                return
        await self.close(code=CLOSE_SILENT)

    # --- hub callbacks ---------------------------------------------------------------------------------------
    async def on_relay(self, message: Results | Presence) -> None:
        pass

    async def remove(self) -> None:
        """The teacher took this user out of the session: close with 4430, which tells the page not to return."""
        await self.close(code=CLOSE_REMOVED)

    async def on_live_changed(self, live: bool) -> None:
        if live:
            await self.resync()

    async def resync(self) -> None:
        """Read a fresh snapshot; a socket still being opened drops the one its opening read, and reads anew."""
        if self.user is None:
            self.begin_snapshot()
        else:
            await self.send_snapshot()

    @classmethod
    async def on_live_changed_many(cls, sockets: list["SessionConsumer"], live: bool) -> None:
        """Tell the sockets of one session on this worker that live updates stopped or resumed."""
        for socket in sockets:
            try:
                await socket.on_live_changed(live)
            except Exception as error:
                log_failure(logger, error, "could not resync a socket of session %s", socket.session_id)
                await socket.give_up()

    # --- per role --------------------------------------------------------------------------------------------
    def groups_for(self, session_id: int) -> list[str]:
        raise NotImplementedError

    async def joined_hub(self) -> None:
        """The socket is in its hub's groups; it is not admitted yet."""

    async def opened(self, opening: session_actions.Opening) -> None:
        """The socket was admitted with this opening, its snapshot not sent yet."""

    def snapshot_text(self, *, session_id: int, user: User) -> str:
        raise NotImplementedError

    async def after_connect(self) -> None:
        pass


class StudentConsumer(SessionConsumer):
    """A student's socket: receives pushed questions, reveals and scores; sends answers."""

    role = "student"

    # Answers of this socket the database could not store yet, kept to date their resends (see submit_answer).
    MAX_UNSTORED = 8

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.unstored: dict[tuple[int, str], tuple[datetime, dict[str, Any]]] = {}

    def groups_for(self, session_id: int) -> list[str]:
        return [groups.session_students(session_id)]

    async def opened(self, opening: session_actions.Opening) -> None:
        self.student_paced = opening.student_paced

    def snapshot_text(self, *, session_id: int, user: User) -> str:
        return session_actions.student_snapshot_texts(session_id=session_id, users=[user])[user.pk]

    async def next_question(self, message: ClientMessage) -> None:
        """Student-paced: the next question (after the result of one whose time ran out), or the end."""
        runtime = current_runtime()  # the one the step ran on, even if the worker stops meanwhile
        reply = await runtime.paced_steps.call(
            session_actions.PacedNextRequest(session_id=self.session_id, user=self.member, ref=message.get("ref"))
        )
        if isinstance(reply, DomainError):
            raise reply
        self.put_frames(reply.frames)
        self.mark_results_dirty(runtime)
        if reply.deadline is not None:  # the teacher's grid shows the question timed out, unless answered by then
            delay = max(0.0, (reply.deadline - timezone.now()).total_seconds()) + 0.05
            asyncio.get_running_loop().call_later(delay, self.mark_timed_out_on_the_grid)

    def mark_timed_out_on_the_grid(self) -> None:
        """At the student's deadline, whether or not their socket is still open; not once the worker has stopped."""
        runtime = running_runtime()
        if runtime is not None:
            self.mark_results_dirty(runtime)

    def mark_results_dirty(self, runtime: Runtime | None = None) -> None:
        """The teacher's results change with this student's answer or step: in a student-paced session, only this
        student's row of the grid (sent at most every PACED_GRID_PUBLISH_INTERVAL with the others that changed)."""
        results = (runtime or current_runtime()).results
        if self.student_paced:
            results.mark_dirty(self.session_id, interval=settings.PACED_GRID_PUBLISH_INTERVAL, student_id=self.user_id)
        else:
            results.mark_dirty(self.session_id)

    async def submit_answer(self, message: ClientMessage) -> None:
        """Hand the answer to the worker's answer batches and move on: its acknowledgement (or refusal) is sent when
        its batch is stored, and the socket's next frame, if one comes first, waits for it (`replying`)."""
        runtime = current_runtime()
        # An answer refused with `unavailable` counts from when this socket first received it: the page resends it
        # unchanged until the database is back, which may be after the deadline it was given before.
        attempt = (message["round_id"], message["client_id"])
        first = self.unstored.get(attempt)
        # Read from the clock directly: timezone.now() reads settings.USE_TZ (always on here), ~1 µs an answer.
        received_at = first[0] if first is not None and first[1] == message["answer"] else datetime.now(UTC)
        replying = self.replying = asyncio.get_running_loop().create_future()

        def replied() -> None:
            if not replying.done():  # a socket that closed meanwhile cancelled the frame waiting for it
                replying.set_result(None)

        def stored(outcome: AnswerOutcome) -> None:
            replied()
            self.unstored.pop(attempt, None)
            try:
                self.answer_stored(outcome, ref=message.get("ref"), runtime=runtime)
            except Exception as error:
                self.command_failed(message, error)

        def failed(error: Exception) -> None:
            replied()
            if is_unavailable(error) and first is None and len(self.unstored) < self.MAX_UNSTORED:
                self.unstored[attempt] = (received_at, message["answer"])
            self.command_failed(message, error)

        runtime.answers.submit(
            AnswerSubmission(
                session_id=self.session_id,
                round_id=message["round_id"],
                student_id=self.user_id,
                client_id=message["client_id"],
                raw_response=message["answer"],
                received_at=received_at,
            ),
            then=stored,
            failed=failed,
        )

    def answer_stored(self, outcome: AnswerOutcome, *, ref: str | None, runtime: Runtime) -> None:
        answer = outcome.answer
        if answer is None:  # not accepted
            self.put_error(outcome.error_code, outcome.error_message, ref)
            return
        accepted = events.encode(events.answer_accepted(answer, ref=ref))
        if self.student_paced:  # the result follows the acknowledgement, from the stored answer, in the same write
            self.put_frames([accepted, session_actions.paced_result_text(answer)])
        else:
            self.put_frame(accepted)
        if not outcome.duplicate:
            self.mark_results_dirty(runtime)

    @classmethod
    async def on_live_changed_many(cls, sockets: list["SessionConsumer"], live: bool) -> None:
        """A student sees nothing of the layer's health; when it is back, every socket of the session gets its
        snapshot, read for all of them at once."""
        if not live:
            return
        opening = [socket for socket in sockets if socket.user is None and not socket.closed]
        for socket in opening:
            await socket.resync()
        sockets = [socket for socket in sockets if socket.user is not None and not socket.closed]
        if not sockets:
            return
        generations = {socket: socket.begin_snapshot() for socket in sockets}
        try:
            texts = await database_sync_to_async(session_actions.student_snapshot_texts)(
                session_id=sockets[0].session_id,
                users=list({socket.user_id: socket.user for socket in sockets if socket.user is not None}.values()),
            )
        except Exception as error:
            log_failure(logger, error, "could not resync the students of session %s", sockets[0].session_id)
            for socket in sockets:
                await socket.give_up()
            return
        for socket, generation in generations.items():
            await socket.finish_snapshot(generation, texts[socket.user_id])


set_commands(
    StudentConsumer,
    {
        "ping": SessionConsumer.ping,
        "heartbeat": SessionConsumer.heartbeat,
        "answer.submit": StudentConsumer.submit_answer,
        "paced.next": StudentConsumer.next_question,
    },
)


class TeacherConsumer(SessionConsumer):
    """A teacher's socket (dashboard or projector): controls the session and receives live results."""

    role = "teacher"
    PRESENCE_EXPIRY = 15.0
    # The longest a new teacher socket waits for every worker's presence report before its snapshot goes out with
    # the presence marked incomplete (a report comes back within a layer round trip, a few milliseconds).
    PRESENCE_GATHER_TIMEOUT = 1.0

    def __init__(self, session_id: int) -> None:
        super().__init__(session_id)
        self.results_seen: dict[int, int] = {}
        self.presence_by_worker: dict[str, tuple[float, dict[int, tuple[str, bool]]]] = {}
        self.presence_sent: dict[int, tuple[str, bool]] | None = None
        self.presence_request: str | None = None
        self.presence_expected: set[str] = set()
        self.presence_gathered = asyncio.Event()

    def groups_for(self, session_id: int) -> list[str]:
        return [groups.session_teachers(session_id)]

    async def joined_hub(self) -> None:
        # Asked now, the workers' reports arrive while the socket is being admitted, in time for its snapshot.
        hub = current_runtime().hub
        self.presence_expected = hub.known_workers()
        self.presence_request = await hub.request_presence(self.session_id)

    async def opened(self, opening: session_actions.Opening) -> None:
        self.results_counted(opening.round_id, opening.answered)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.PRESENCE_GATHER_TIMEOUT):
                await self.presence_gathered.wait()

    def completed_snapshot(self, text: str) -> str:
        """The teacher's snapshot carries who is connected on every worker (`complete` false if a worker's report
        is still missing: a `presence.updated` follows when it comes)."""
        merged = self.merged_presence()
        self.presence_sent = merged
        complete = self.presence_expected <= set(self.presence_by_worker)
        presence = {key: value for key, value in events.presence_updated(merged).items() if key != "type"}
        return text[:-1] + ',"presence":' + events.encode({**presence, "complete": complete}) + "}"

    def snapshot_text(self, *, session_id: int, user: User) -> str:
        snapshot = session_actions.teacher_snapshot(session_id=session_id, user=user)
        self.results_counted(snapshot.round_id, snapshot.answered)
        return snapshot.text

    def results_counted(self, round_id: int | None, answered: int) -> None:
        """A snapshot showed this many answers: results relayed later that count fewer are older than it."""
        if round_id is not None:
            self.results_seen[round_id] = max(self.results_seen.get(round_id, -1), answered)

    async def _run(
        self, action: Callable[..., session_actions.CommandResult], message: ClientMessage, **kwargs: object
    ) -> session_actions.CommandResult:
        result = await database_sync_to_async(action)(session_id=self.session_id, **kwargs)
        if not await publish(result.broadcasts):
            await self.send_error(
                "live_interrupted",
                "Saved, but live updates are interrupted: students will catch up when they are back.",
                message.get("ref"),
            )
        return result

    async def push(self, message: ClientMessage) -> None:
        result = await self._run(
            session_actions.push_question, message, teacher=self.member, question_id=message["question_id"]
        )
        if result.deadline:
            current_runtime().deadlines.wake_at(result.deadline)

    async def close_round(self, message: ClientMessage) -> None:
        await self._run(session_actions.close_round, message, teacher=self.member, round_id=message["round_id"])

    async def reveal(self, message: ClientMessage) -> None:
        await self._run(session_actions.reveal_round, message, teacher=self.member, round_id=message["round_id"])

    async def remove_participant(self, message: ClientMessage) -> None:
        await self._run(
            session_actions.remove_participant,
            message,
            teacher=self.member,
            student_id=message["student_id"],
            delete_answers=message.get("delete_answers", False),
        )
        current_runtime().results.mark_dirty(self.session_id)  # answers deleted are gone from the results

    async def readmit_participant(self, message: ClientMessage) -> None:
        await self._run(
            session_actions.readmit_participant, message, teacher=self.member, student_id=message["student_id"]
        )

    async def remove_unanswered_guests(self, message: ClientMessage) -> None:
        await self._run(session_actions.remove_unanswered_guests, message, teacher=self.member)

    async def lock_joining(self, message: ClientMessage) -> None:
        await self._run(session_actions.lock_joining, message, teacher=self.member, locked=message["locked"])

    async def end(self, message: ClientMessage) -> None:
        await self._run(session_actions.end_session, message, teacher=self.member)

    async def extend(self, message: ClientMessage) -> None:
        await self._run(
            session_actions.extend_session, message, teacher=self.member, closes_at=message.get("closes_at")
        )

    async def show_names_on_projector(self, message: ClientMessage) -> None:
        await self._run(session_actions.show_names_on_projector, message, teacher=self.member, names=message["names"])

    async def set_live_results(self, message: ClientMessage) -> None:
        await self._run(
            session_actions.set_live_results, message, teacher=self.member, live_results=message["live_results"]
        )

    async def hide_text(self, message: ClientMessage) -> None:
        await self._run(
            session_actions.hide_text,
            message,
            teacher=self.member,
            round_id=message["round_id"],
            text=message["text"],
            hidden=message.get("hidden", True),
        )

    def results_text_of(self, results: session_actions.ResultsTexts) -> str | None:
        """The version of the live results this socket shows."""
        return results.text

    async def refresh_results(self, message: ClientMessage) -> None:
        results = await database_sync_to_async(session_actions.results_texts)(session_id=self.session_id)
        text = self.results_text_of(results)
        if text is not None:
            await self.send_frame(text)

    async def on_relay(self, message: Results | Presence) -> None:
        if isinstance(message, Results):
            if message.answered <= self.results_seen.get(message.round_id, -1):
                return  # older or equal results from another worker
            self.results_seen[message.round_id] = message.answered
            texts = session_actions.ResultsTexts(
                round_id=message.round_id,
                answered=message.answered,
                text=message.text,
                projector_text=message.projector_text,
            )
            text = self.results_text_of(texts)
            if text is not None:
                self.put_frame(text, slot="results")
        else:
            students = {student_id: (name, guest) for student_id, name, guest in message.students}
            self.presence_by_worker[message.worker] = (time.monotonic(), students)
            if self.presence_expected and self.presence_expected <= set(self.presence_by_worker):
                self.presence_gathered.set()
            await self.send_presence()

    def merged_presence(self) -> dict[int, tuple[str, bool]]:
        """Who is connected on any worker, forgetting workers not heard from for PRESENCE_EXPIRY."""
        now = time.monotonic()
        merged: dict[int, tuple[str, bool]] = {}
        for worker, (seen_at, students) in list(self.presence_by_worker.items()):
            if now - seen_at > self.PRESENCE_EXPIRY:
                del self.presence_by_worker[worker]
                continue
            merged.update(students)
        return merged

    async def send_presence(self) -> None:
        if self.output.holding:
            return  # a snapshot is being read: it carries the presence as it is when it goes out
        merged = self.merged_presence()
        if merged != self.presence_sent:
            self.presence_sent = merged
            self.put_frame(events.encode(events.presence_updated(merged)), slot="presence")

    async def on_live_changed(self, live: bool) -> None:
        await self.send_event(events.live_status("live" if live else "interrupted"))
        if live:
            await self.resync()
            await current_runtime().hub.request_presence(self.session_id)


set_commands(
    TeacherConsumer,
    {
        "ping": SessionConsumer.ping,
        "heartbeat": SessionConsumer.heartbeat,
        "round.push": TeacherConsumer.push,
        "round.close": TeacherConsumer.close_round,
        "round.reveal": TeacherConsumer.reveal,
        "session.end": TeacherConsumer.end,
        "participant.remove": TeacherConsumer.remove_participant,
        "participant.readmit": TeacherConsumer.readmit_participant,
        "guests.remove_unanswered": TeacherConsumer.remove_unanswered_guests,
        "session.lock": TeacherConsumer.lock_joining,
        "results.refresh": TeacherConsumer.refresh_results,
        "session.update": TeacherConsumer.set_live_results,
        "round.hide_text": TeacherConsumer.hide_text,
        "session.extend": TeacherConsumer.extend,
        "paced.projector_names": TeacherConsumer.show_names_on_projector,
    },
)


class ProjectorConsumer(TeacherConsumer):
    """The projector view's socket: a teacher's, in the teachers' group, but it shows only what the room may see.
    Events with a projector version (docs/protocol.md) reach it in that version; it sends no command."""

    role = "projector"

    def snapshot_text(self, *, session_id: int, user: User) -> str:
        snapshot = session_actions.projector_snapshot(session_id=session_id, user=user)
        self.results_counted(snapshot.round_id, snapshot.answered)
        return snapshot.text

    def results_text_of(self, results: session_actions.ResultsTexts) -> str | None:
        return results.projector_text


set_commands(
    ProjectorConsumer,
    {
        "ping": SessionConsumer.ping,
        "heartbeat": SessionConsumer.heartbeat,
        "results.refresh": TeacherConsumer.refresh_results,
    },
)
