"""The teacher's grid of a student-paced session is read at one moment: its figures count exactly the answers its
rows show, even when an answer is committed while the grid is being read."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from classroom import services
from classroom.models import Answer, LiveSession
from classroom.pacing import CELL_OPEN, CELL_RIGHT, paced_advance, paced_grid, paced_grid_delta
from classroom.selectors import session_roster

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def question_given(classroom, quiz, teacher, enrolled_students):
    """A student-paced session whose first student has been given the first question."""
    start = timezone.now()
    session = services.session_start(
        classroom=classroom, quiz=quiz, started_by=teacher, pacing=LiveSession.Pacing.STUDENT, now=start
    )
    student = enrolled_students[0]
    round_ = paced_advance(session=session, student=student, now=start).after.current.round
    return session, student, round_, start + timedelta(seconds=3)


def answer_in_the_middle_of_the_read(session, student, round_, when):
    """While the grid is read: once its figures are read, commit the student's right answer on another connection,
    then let the read go on."""
    committed = threading.Event()

    def answer():
        try:
            services.answers_submit(
                submissions=[
                    services.AnswerSubmission(
                        session_id=session.pk,
                        round_id=round_.pk,
                        student_id=student.pk,
                        client_id="while-the-grid-is-read",
                        raw_response={"choice": round_.question.choices.get(is_correct=True).pk},
                        received_at=when,
                    )
                ]
            )
            committed.set()
        finally:
            connections.close_all()

    answering = threading.Thread(target=answer)

    def after_the_figures(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if Answer._meta.db_table in sql and not answering.is_alive() and not committed.is_set():
            answering.start()
            # On PostgreSQL the answer commits at once. SQLite lets no one write during a transaction: there it
            # commits once the read is over, which is as consistent.
            committed.wait(timeout=2)
        return result

    return answering, connection.execute_wrapper(after_the_figures)


@pytest.mark.parametrize("read", ["delta", "whole grid"])
def test_an_answer_committed_while_the_grid_is_read_is_in_its_row_and_its_figures_or_in_neither(question_given, read):
    session, student, round_, when = question_given
    answering, answering_mid_read = answer_in_the_middle_of_the_read(session, student, round_, when)

    with answering_mid_read:
        if read == "delta":
            grid = paced_grid_delta(session=session, student_ids={student.pk}, now=when)
        else:
            grid = paced_grid(session=session, roster=session_roster(session=session), now=when)
    answering.join()

    assert Answer.objects.filter(round=round_, student=student).exists()  # it did commit, during or after the read
    [row] = [row for row in grid["students"] if row["id"] == student.pk]
    first_question = grid["questions"][0]
    assert row["cells"][0] in (CELL_OPEN, CELL_RIGHT)
    if row["cells"][0] == CELL_RIGHT:
        assert (first_question["answered"], first_question["accuracy"]) == (1, 1.0)
    else:
        assert (first_question["answered"], first_question["accuracy"]) == (0, None)
