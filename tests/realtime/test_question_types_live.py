"""Word clouds, orderings and rating scales in the live loop: every wrong shape gets invalid_answer and loses
nothing, items come in one order per round, partial credit scores, answers resume, words are moderated."""

import pytest

from quizzes.models import Question
from tests.factories import ORDERING_ITEMS
from tests.realtime.helpers import answer_message, push, question_of_type
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True)]
Type = Question.Type

WRONG_SHAPES = [
    pytest.param(Type.ORDERING, {"order": [1, 2, 3]}, id="ordering-missing-an-item"),
    pytest.param(Type.ORDERING, {"order": [1, 1, 2, 3]}, id="ordering-an-item-twice"),
    pytest.param(Type.ORDERING, {"order": [1, 2, 3, 9]}, id="ordering-an-unknown-item"),
    pytest.param(Type.ORDERING, {"choice": 1}, id="ordering-a-choice"),
    pytest.param(Type.SCALE, {"value": 6}, id="scale-above-the-top"),
    pytest.param(Type.SCALE, {"value": 0}, id="scale-below-the-bottom"),
    pytest.param(Type.SCALE, {"value": 2.5}, id="scale-not-whole"),
    pytest.param(Type.SCALE, {"value": "3"}, id="scale-a-string"),
    pytest.param(Type.WORDCLOUD, {"words": ["a", "b", "c", "d"]}, id="wordcloud-too-many-words"),
    pytest.param(Type.WORDCLOUD, {"words": ["x" * 41]}, id="wordcloud-too-long"),
    pytest.param(Type.WORDCLOUD, {"words": []}, id="wordcloud-no-word"),
]
GOOD = {Type.SCALE: {"value": 5}, Type.WORDCLOUD: {"words": ["sea"]}, Type.ORDERING: {"order": [4, 3, 2, 1]}}


@pytest.mark.parametrize(("question_type", "answer"), WRONG_SHAPES)
async def test_an_answer_of_the_wrong_shape_is_refused_and_a_corrected_one_is_accepted(
    question_type, answer, live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, question_type)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    student, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)

    refused = await student.request(answer_message(round_id, answer))
    assert (refused["type"], refused["code"]) == ("error", "invalid_answer")
    assert refused["message"].startswith("answer.")

    accepted = await student.request(answer_message(round_id, GOOD[question_type]))
    assert accepted["type"] == "answer.accepted"


async def test_every_student_gets_the_items_in_the_same_order_and_again_after_a_reconnect(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, Type.ORDERING)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    sockets = [(await connect(student, live_session))[0] for student in enrolled_students[:2]]
    round_id = await push(teacher_socket, question)
    shown = [(await socket.receive_type("question.pushed"))["round"]["question"]["items"] for socket in sockets]
    assert shown[0] == shown[1]
    assert sorted(item["text"] for item in shown[0]) == sorted(ORDERING_ITEMS)
    assert [item["id"] for item in shown[0]] == [1, 2, 3, 4]

    by_text = {item["text"]: item["id"] for item in shown[0]}
    order = [by_text[text] for text in reversed(ORDERING_ITEMS)]
    ack = await sockets[0].request(answer_message(round_id, {"order": order}))
    await sockets[0].close()
    _again, snapshot = await connect(enrolled_students[0], live_session)
    assert snapshot["round"]["question"]["items"] == shown[0]
    assert snapshot["round"]["your_answer"]["answer"] == ack["answer"] == {"order": order}


async def test_partial_credit_scores_the_share_of_items_in_place_and_exact_orders_score_in_full(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, Type.ORDERING)
    question.partial_credit = True
    await question.asave(update_fields=["partial_credit"])
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    exact, half, none = [(await connect(student, live_session))[0] for student in enrolled_students]
    round_id = await push(teacher_socket, question)
    items = (await exact.receive_type("question.pushed"))["round"]["question"]["items"]
    by_text = {item["text"]: item["id"] for item in items}
    right = [by_text[text] for text in ORDERING_ITEMS]
    await exact.request(answer_message(round_id, {"order": right}))
    await half.request(answer_message(round_id, {"order": [right[1], right[0], right[2], right[3]]}))
    await none.request(answer_message(round_id, {"order": [right[1], right[0], right[3], right[2]]}))

    await teacher_socket.send({"type": "round.reveal", "round_id": round_id})

    scores = [await socket.receive_type("score.updated") for socket in (exact, half, none)]
    assert [(s["correct"], s["points"]) for s in scores] == [
        (True, question.points),
        (False, question.points // 2),
        (False, 0),
    ]
    revealed = await teacher_socket.receive_type("round.revealed")
    assert revealed["answer_key"]["correct_order"] == right
    assert revealed["results"]["correct"] == 1


async def test_a_word_the_teacher_hides_leaves_the_projector_which_sees_the_cloud_grow_live(
    live_session, teacher, enrolled_students
):
    question = await question_of_type(live_session, Type.WORDCLOUD)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    projector, _ = await connect(teacher, live_session, "projector")
    first, second = [(await connect(student, live_session))[0] for student in enrolled_students[:2]]
    round_id = await push(teacher_socket, question)
    await first.request(answer_message(round_id, {"words": ["Sea", "rude word"]}))
    await second.request(answer_message(round_id, {"words": ["sea"]}, "client-2"))

    while True:  # the room sees the words while the question is open: nothing in a word cloud gives anything away
        live = (await projector.receive_type("results.updated"))["results"]
        if live["answered"] == 2:
            break
    assert {word["text"]: word["count"] for word in live["words"]} == {"Sea": 2, "rude word": 1}

    await teacher_socket.send({"type": "round.hide_text", "round_id": round_id, "text": "RUDE word"})
    while True:
        for_room = (await projector.receive_type("results.updated"))["results"]
        if len(for_room["words"]) == 1:
            break
    assert for_room["words"] == [{"text": "Sea", "count": 2, "hidden": False}]
    while True:  # earlier updates, from before the hide, may still be on their way
        for_teacher = (await teacher_socket.receive_type("results.updated"))["results"]
        if any(word["hidden"] for word in for_teacher["words"]):
            break
    assert {word["text"]: word["hidden"] for word in for_teacher["words"]} == {"Sea": False, "rude word": True}


async def test_a_scale_answer_and_its_histogram_reach_the_projector_live(live_session, teacher, enrolled_students):
    question = await question_of_type(live_session, Type.SCALE)
    teacher_socket, _ = await connect(teacher, live_session, "teacher")
    projector, _ = await connect(teacher, live_session, "projector")
    student, _ = await connect(enrolled_students[0], live_session)
    round_id = await push(teacher_socket, question)
    await student.request(answer_message(round_id, {"value": 4}))
    while True:
        live = (await projector.receive_type("results.updated"))["results"]
        if live["answered"] == 1:
            break
    assert live["histogram"] == [[1, 0], [2, 0], [3, 0], [4, 1], [5, 0]]
    assert live["mean"] == 4
