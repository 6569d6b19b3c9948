"""The session report's figures, against the hand-computed session of tests/classroom/report_fixture.py."""

import pytest

from classroom.reports import session_export_rows, session_report, session_totals_rows, student_sessions
from tests.classroom.report_fixture import graded_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(classroom, teacher):
    return graded_session(classroom, teacher)


def by_round(report):
    return {q.number: q for q in report.questions}


def test_questions_come_hardest_first_with_accuracy_over_every_participant(graded):
    report = session_report(session=graded.session)

    assert [q.number for q in report.questions] == [2, 1, 3]
    figures = by_round(report)
    assert (figures[1].answered, figures[1].correct, figures[1].expected, figures[1].accuracy) == (3, 2, 4, 0.5)
    assert (figures[2].answered, figures[2].correct, figures[2].accuracy) == (2, 1, 0.25)
    assert figures[3].graded is False
    assert figures[3].accuracy is None


def test_average_time_counts_from_the_round_opening_to_each_answer(graded):
    figures = by_round(session_report(session=graded.session))

    assert figures[1].average_seconds == pytest.approx(20)
    assert figures[2].average_seconds == pytest.approx(10)
    assert figures[3].average_seconds == pytest.approx(2)


def test_the_distribution_marks_the_correct_answers(graded):
    figures = by_round(session_report(session=graded.session))

    assert [(g.text, g.count, g.correct) for g in figures[1].groups] == [("Green", 2, True), ("Red", 1, False)]
    assert figures[1].correct_answer == "Green"
    assert [(g.text, g.count, g.correct) for g in figures[2].groups] == [("3", 1, False), ("3.14", 1, True)]
    assert figures[2].correct_answer == "3.14 ± 0.01"
    assert [(g.text, g.count, g.correct) for g in figures[3].groups] == [("Red", 2, None), ("Blue", 1, None)]
    assert figures[1].groups[0].share == pytest.approx(2 / 3)


def test_who_missed_which_question_includes_those_who_did_not_answer(graded):
    figures = by_round(session_report(session=graded.session))

    assert figures[1].missed_by == ["Cy", "Dan"]
    assert figures[2].missed_by == ["Bea", "Cy", "Dan"]
    assert figures[3].missed_by == []


def test_students_have_score_rank_answered_count_and_accuracy(graded):
    report = session_report(session=graded.session)

    rows = [(s.name, s.points, s.rank, s.answered, s.correct, s.accuracy, s.missed_rounds) for s in report.students]
    assert rows == [
        ("Ada", 200, 1, 3, 2, 1.0, []),
        ("Bea", 100, 2, 3, 1, 0.5, [2]),
        ("Cy", 0, 3, 2, 0, 0.0, [1, 2]),
        ("Dan", 0, 3, 0, 0, 0.0, [1, 2]),
    ]
    assert report.average_points == 75
    assert report.accuracy == pytest.approx(3 / 8)


def test_the_export_has_a_row_for_every_unanswered_question(graded):
    header, *rows = session_export_rows(session=graded.session)
    records = [dict(zip(header, row, strict=True)) for row in rows]

    assert len(records) == 4 * 3
    unanswered = [(r["student_name"], r["round"]) for r in records if r["status"] == "unanswered"]
    assert sorted(unanswered) == [("Cy", "2"), ("Dan", "1"), ("Dan", "2"), ("Dan", "3")]
    assert all(r["answer"] == "" and r["answered_at"] == "" for r in records if r["status"] == "unanswered")


def test_the_totals_file_has_one_row_per_student_best_first(graded):
    header, *rows = session_totals_rows(report=session_report(session=graded.session))

    assert header[:4] == ["rank", "student_username", "student_name", "points"]
    assert [(row[0], row[2], row[3], row[4], row[7]) for row in rows] == [
        ("1", "Ada", "200", "3", "100%"),
        ("2", "Bea", "100", "3", "50%"),
        ("3", "Cy", "0", "2", "0%"),
        ("3", "Dan", "0", "0", "0%"),
    ]


def test_a_students_sessions_list_the_questions_they_got_wrong(graded, classroom):
    [taken] = student_sessions(student=graded.students["Bea"], classroom=classroom)

    assert (taken.points, taken.answered, taken.correct, taken.graded, taken.accuracy) == (100, 3, 1, 2, 0.5)
    assert [(o.number, o.answer, o.correct_answer) for o in taken.wrong] == [(2, "3", "3.14 ± 0.01")]


def test_a_student_sees_only_revealed_questions_while_the_session_runs(graded):
    graded.rounds[0].revealed_at = graded.rounds[0].opened_at
    graded.rounds[0].save()

    [taken] = student_sessions(student=graded.students["Cy"], for_student=True)

    assert [o.number for o in taken.outcomes] == [1]
    assert taken.wrong[0].answer == "Red"


def test_a_student_sees_every_question_once_the_session_ended(graded):
    graded.session.state = "ended"
    graded.session.save()

    [taken] = student_sessions(student=graded.students["Dan"], for_student=True)

    assert [(o.number, o.answered, o.correct) for o in taken.outcomes] == [
        (1, False, False),
        (2, False, False),
        (3, False, None),
    ]
