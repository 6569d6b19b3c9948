"""docs/protocol.md and the code agree: every client message, error code and server message is documented."""

import re
from pathlib import Path

import pytest

from realtime import events
from realtime.consumers import ProjectorConsumer, StudentConsumer, TeacherConsumer, set_commands
from realtime.protocol import CLIENT_MESSAGES
from tests.protocol_check import check_server_frame, client_messages, error_codes, server_messages
from tests.realtime.helpers import push, question_of_type
from tests.realtime.sockets import connect

ROOT = Path(__file__).resolve().parents[2]
# Raised only by services behind web forms (shown as form errors), never sent over a socket.
FORM_ONLY_CODES = {"empty_quiz", "invalid_name", "not_a_student", "session_full", "joining_locked"}


def test_every_client_message_is_documented_with_its_fields():
    documented = client_messages()
    assert set(documented) == set(CLIENT_MESSAGES)
    for message_type, fields in CLIENT_MESSAGES.items():
        assert {field.name for field in fields} <= documented[message_type], message_type


def test_every_client_message_belongs_to_a_role():
    assert set(CLIENT_MESSAGES) == StudentConsumer.allowed_types | TeacherConsumer.allowed_types


@pytest.mark.parametrize("consumer", [StudentConsumer, TeacherConsumer, ProjectorConsumer])
def test_a_role_may_send_exactly_the_types_of_its_command_table(consumer):
    assert consumer.allowed_types == frozenset(consumer.commands)
    assert consumer.allowed_types <= set(CLIENT_MESSAGES)


def test_a_command_table_naming_a_type_the_protocol_does_not_define_is_refused():
    class Extra(StudentConsumer):
        pass

    with pytest.raises(ValueError, match=r"round\.teleport"):
        set_commands(Extra, {**StudentConsumer.commands, "round.teleport": StudentConsumer.ping})


def test_every_error_code_the_code_raises_is_documented():
    source = "\n".join(
        p.read_text() for folder in ("classroom", "realtime", "quizzes") for p in (ROOT / folder).rglob("*.py")
    )
    raised = set(re.findall(r'(?:DomainError|ProtocolError|send_error)\(\s*"([a-z_]+)"', source))
    raised |= set(re.findall(r'error_code="([a-z_]+)"', source))
    assert raised, "found no error codes in the source"
    assert raised - FORM_ONLY_CODES <= error_codes(), raised - FORM_ONLY_CODES - error_codes()


def test_the_event_builders_produce_documented_messages():
    for message in (
        events.error("not_found", "x"),
        events.participant_removed(student_id=1, guest=False, answers_deleted=False),
        events.participant_readmitted(student_id=1),
        events.guests_removed(student_ids=[1, 2]),
        events.joining_changed(locked=True),
        events.live_status("interrupted"),
        events.pong(ref=None),
        events.presence_updated({1: ("Ada", False)}),
        events.results_updated({"round_id": 1, "answered": 0}),
    ):
        check_server_frame(message)
    assert set(server_messages()) >= {"question.pushed", "round.opened", "session.snapshot", "error"}


def test_the_checker_rejects_an_undocumented_field():
    with pytest.raises(AssertionError):
        check_server_frame({"type": "pong", "server_time": 1, "ref": None, "secret": 1})


@pytest.mark.django_db(transaction=True)
async def test_teacher_command_errors_are_documented_replies(live_session, teacher):
    question = await question_of_type(live_session)
    socket, _ = await connect(teacher, live_session, "teacher")
    round_id = await push(socket, question)
    await push(socket, question)

    stale = await socket.request({"type": "round.reveal", "round_id": round_id})
    missing = await socket.request({"type": "round.push", "question_id": 10**9})

    assert (stale["code"], missing["code"]) == ("not_current", "not_found")
    await socket.send({"type": "session.end"})
    await socket.receive_type("session.ended")
    ended = await socket.request({"type": "session.end"})
    assert ended["code"] == "session_ended"
