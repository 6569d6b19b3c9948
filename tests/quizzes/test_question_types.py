"""Word clouds, orderings and rating scales: the answers they take, how they are graded, their results and export."""

import pytest

from classroom.reports import session_export_rows
from classroom.selectors import round_results
from quizzes.grading import InvalidResponse, response_describe, response_grade, response_parse
from quizzes.models import Question
from quizzes.ordering import correct_item_order, shown_items
from quizzes.payloads import answer_key, question_for_student
from quizzes.wordcloud import word_cloud
from tests.factories import ORDERING_ITEMS, AnswerFactory, LiveSessionFactory, QuizFactory, RoundFactory, make_question

pytestmark = pytest.mark.django_db
Type = Question.Type


def parse(question, raw, round_id=None):
    return response_parse(question=question, raw=raw, round_id=round_id)


# --- word cloud -----------------------------------------------------------------------------------------------
def test_a_word_cloud_answer_keeps_up_to_the_allowed_words_tidied_and_once_each():
    question = make_question(QuizFactory(), Type.WORDCLOUD, max_words=3)
    assert parse(question, {"words": ["  sea   breeze ", "Salt", "salt"]}) == {"words": ["sea breeze", "Salt"]}
    assert response_grade(question=question, response={"words": ["sea"]}).is_correct is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"words": []}, "non-empty list"),
        ({"words": "sea"}, "non-empty list"),
        ({"words": ["sea", 3]}, "non-empty list"),
        ({"words": ["a", "b", "c"]}, "more than 2 words"),
        ({"words": ["x" * 41]}, "longer than 40"),
        ({"words": ["   "]}, "empty word"),
        ({"text": "sea"}, "non-empty list"),
    ],
)
def test_a_word_cloud_refuses_answers_that_do_not_fit(raw, message):
    question = make_question(QuizFactory(), Type.WORDCLOUD, max_words=2)
    with pytest.raises(InvalidResponse, match=message):
        parse(question, raw)


def test_words_are_grouped_ignoring_case_accents_and_spaces_and_counted_most_first():
    words = word_cloud([{"words": ["Café", "tea"]}, {"words": [" cafe "]}, {"words": ["CAFÉ", "Tea", "milk"]}])
    assert words == [
        {"text": "Café", "count": 3, "hidden": False},
        {"text": "tea", "count": 2, "hidden": False},
        {"text": "milk", "count": 1, "hidden": False},
    ]


def test_blocked_words_are_never_shown_even_inside_a_phrase_and_hidden_words_are_marked(settings):
    settings.WORDCLOUD_BLOCKED_WORDS = {"en": ["darn"], "it": ["accidenti"]}
    settings.WORDCLOUD_EXTRA_BLOCKED_WORDS = ["heck"]
    responses = [{"words": ["Darn", "sun", "oh heck"]}, {"words": ["accidènti", "rain", "Sun"]}]
    assert word_cloud(responses, hidden=["rain"]) == [
        {"text": "sun", "count": 2, "hidden": False},
        {"text": "rain", "count": 1, "hidden": True},
    ]


def test_a_blocked_word_hides_the_whole_phrase_it_is_in_whatever_its_case_accents_or_punctuation(settings):
    settings.WORDCLOUD_BLOCKED_WORDS = {"en": ["stupid"], "es": ["cabrón"]}
    settings.WORDCLOUD_EXTRA_BLOCKED_WORDS = ["son of a"]
    hidden_phrases = ["you are stupid", "You are STÚPID!", "stupid-looking", "¡Cabron!", "my son  of A gun"]
    responses = [{"words": [phrase, "kind"]} for phrase in hidden_phrases]
    assert word_cloud(responses) == [{"text": "kind", "count": 5, "hidden": False}]


def test_a_word_that_merely_contains_blocked_letters_is_shown(settings):
    settings.WORDCLOUD_BLOCKED_WORDS = {"en": ["ass", "cunt"]}
    settings.WORDCLOUD_EXTRA_BLOCKED_WORDS = ["son of a"]
    innocent = ["classic", "Scunthorpe", "passé", "the grandson of a king"]
    words = word_cloud([{"words": [word]} for word in innocent])
    assert sorted(word["text"] for word in words) == sorted(innocent)


# --- rating scale ---------------------------------------------------------------------------------------------
def test_a_rating_is_a_whole_number_on_the_scale_and_is_not_graded():
    question = make_question(QuizFactory(), Type.SCALE, scale_min=0, scale_max=10)
    assert parse(question, {"value": 0}) == {"value": 0}
    assert parse(question, {"value": 10}) == {"value": 10}
    assert response_grade(question=question, response={"value": 7}).is_correct is None


@pytest.mark.parametrize("value", [11, -1, 2.5, 3.0, "3", True, None])
def test_a_rating_off_the_scale_or_not_a_whole_number_is_refused(value):
    question = make_question(QuizFactory(), Type.SCALE, scale_min=0, scale_max=10)
    with pytest.raises(InvalidResponse):
        parse(question, {"value": value})


# --- ordering -------------------------------------------------------------------------------------------------
def test_items_are_shown_in_one_order_per_round_with_ids_that_are_their_places():
    question = make_question(QuizFactory(), Type.ORDERING)
    first = [item.choice.text for item in shown_items(question, round_id=7)]
    assert first == [item.choice.text for item in shown_items(question, round_id=7)]
    assert [item.id for item in shown_items(question, round_id=7)] == [1, 2, 3, 4]
    assert sorted(first) == sorted(ORDERING_ITEMS)
    student_items = question_for_student(question, round_id=7)["items"]
    assert [item["text"] for item in student_items] == first
    assert set(student_items[0]) == {"id", "text"}


def test_the_shown_order_is_a_fair_shuffle_that_is_rarely_the_correct_order():
    question = make_question(QuizFactory(), Type.ORDERING)
    orders = [tuple(item.choice.text for item in shown_items(question, round_id=n)) for n in range(240)]
    assert len(set(orders)) >= 20  # of the 24 orders of four items
    assert orders.count(tuple(ORDERING_ITEMS)) < 240 * 0.15  # about one in 24, as chance has it


def test_an_ordering_is_a_permutation_of_the_item_ids():
    question = make_question(QuizFactory(), Type.ORDERING)
    assert parse(question, {"order": [4, 2, 3, 1]}, round_id=3) == {"order": [4, 2, 3, 1]}
    for wrong in ([1, 2, 3], [1, 2, 3, 3], [1, 2, 3, 5], [1, 2, 3, "4"], [1, 2, 3, True], "1234", None):
        with pytest.raises(InvalidResponse, match=r"answer\.order"):
            parse(question, {"order": wrong}, round_id=3)


def test_an_ordering_is_correct_only_in_the_exact_order_and_knows_its_share_in_place():
    question = make_question(QuizFactory(), Type.ORDERING)
    correct = correct_item_order(question, round_id=5)
    exact = response_grade(question=question, response={"order": correct}, round_id=5)
    assert (exact.is_correct, exact.share) == (True, 1.0)
    swapped = [correct[1], correct[0], *correct[2:]]
    half = response_grade(question=question, response={"order": swapped}, round_id=5)
    assert (half.is_correct, half.share) == (False, 0.5)
    assert answer_key(question, round_id=5)["correct_order"] == correct
    labels = {item.id: item.choice.text for item in shown_items(question, round_id=5)}
    assert [labels[item_id] for item_id in correct] == ORDERING_ITEMS


# --- results and export ---------------------------------------------------------------------------------------
def test_results_of_a_scale_are_a_histogram_over_every_rating_and_the_mean():
    session = LiveSessionFactory()
    question = make_question(session.quiz, Type.SCALE, scale_min=1, scale_max=5)
    round_ = RoundFactory(session=session, question=question)
    for value in (2, 4, 4):
        AnswerFactory(round=round_, response={"value": value}, is_correct=None)
    results = round_results(round_=round_)
    assert results["histogram"] == [[1, 0], [2, 1], [3, 0], [4, 2], [5, 0]]
    assert results["mean"] == 3.33


def test_results_of_a_word_cloud_group_count_moderate_and_block_words_as_the_answers_read_one_by_one(settings):
    settings.WORDCLOUD_BLOCKED_WORDS = {"en": ["darn"]}
    session = LiveSessionFactory()
    round_ = RoundFactory(session=session, question=make_question(session.quiz, Type.WORDCLOUD))
    responses = [
        {"words": ["Café", "tea"]},
        {"words": [" cafe ", "darn it"]},
        {"words": ["CAFÉ", "Tea", "milk"]},
        {"words": ["rain"]},
    ]
    for response in responses:
        AnswerFactory(round=round_, response=response, is_correct=None)
    round_.hidden_texts = ["rain"]
    round_.save()
    results = round_results(round_=round_)
    assert results["words"] == word_cloud(responses, hidden=["rain"])
    assert results["words"] == [
        {"text": "Café", "count": 3, "hidden": False},
        {"text": "tea", "count": 2, "hidden": False},
        {"text": "milk", "count": 1, "hidden": False},
        {"text": "rain", "count": 1, "hidden": True},
    ]
    assert results["answered"] == 4


def test_results_of_an_ordering_count_exact_answers_and_each_items_positions():
    session = LiveSessionFactory()
    question = make_question(session.quiz, Type.ORDERING)
    round_ = RoundFactory(session=session, question=question)
    correct = correct_item_order(question, round_id=round_.pk)
    swapped = [correct[1], correct[0], *correct[2:]]
    AnswerFactory(round=round_, response={"order": correct}, is_correct=True)
    AnswerFactory(round=round_, response={"order": swapped}, is_correct=False)
    results = round_results(round_=round_)
    assert results["correct"] == 1
    assert results["positions"][str(correct[0])] == [1, 1, 0, 0]
    assert results["positions"][str(correct[3])] == [0, 0, 0, 2]


def test_the_export_writes_words_ratings_and_orders_as_a_teacher_reads_them():
    session = LiveSessionFactory()
    cloud = RoundFactory(session=session, question=make_question(session.quiz, Type.WORDCLOUD), number=1)
    scale = RoundFactory(session=session, question=make_question(session.quiz, Type.SCALE), number=2)
    ordering = RoundFactory(session=session, question=make_question(session.quiz, Type.ORDERING), number=3)
    AnswerFactory(round=cloud, response={"words": ["sea", "salt"]}, is_correct=None)
    AnswerFactory(round=scale, response={"value": 4}, is_correct=None)
    order = correct_item_order(ordering.question, round_id=ordering.pk)
    AnswerFactory(round=ordering, response={"order": order}, is_correct=True)
    answers = [row[5] for row in session_export_rows(session=session)[1:] if row[-1] == "answered"]
    assert answers == ["sea; salt", "4", " > ".join(ORDERING_ITEMS)]
    assert response_describe(question=ordering.question, response={"order": order}, round_id=ordering.pk) == (
        "Egg > Caterpillar > Chrysalis > Butterfly"
    )
