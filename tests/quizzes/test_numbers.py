"""Numbers are read as people write them in the page's language, on the server as on the student's page."""

from decimal import Decimal

import pytest

from quizzes.grading import InvalidResponse, response_grade, response_parse
from quizzes.models import Question
from quizzes.numbers import number_parse
from tests.factories import QuizFactory, make_question


@pytest.mark.parametrize(
    ("text", "language", "number"),
    [
        ("1,440", "en", "1440"),
        ("1,440", "it", "1.44"),
        ("1.440", "it", "1440"),
        ("1.440", "en", "1.44"),
        ("1.000.000,5", "de", "1000000.5"),
        ("1 440,25", "pl", "1440.25"),
        ("1\u00a0440", "pl", "1440"),
        ("3.14", "it", "3.14"),
        ("3,14", "en", "3.14"),
        ("-0,5", "es", "-0.5"),
        ("1,000", "en", "1000"),
        ("1.44E+3", "it", "1440"),
    ],
)
def test_numbers_read_as_written_in_the_language(text, language, number):
    assert number_parse(text, language=language) == Decimal(number)


@pytest.mark.parametrize("text", ["", "1,2,3", "1..2", "abc", "1,44,0"])
def test_text_that_is_no_number_is_refused(text):
    with pytest.raises(ValueError):
        number_parse(text, language="it")


@pytest.mark.django_db
def test_the_demo_minutes_answer_typed_in_english_or_italian_is_right():
    question = make_question(QuizFactory(), Question.Type.NUMERIC, numeric_target=Decimal("1440"))
    english = response_parse(question=question, raw={"value": "1,440", "language": "en"})
    italian = response_parse(question=question, raw={"value": "1.440", "language": "it"})
    italian_decimal = response_parse(question=question, raw={"value": "1,440", "language": "it"})
    assert english == italian == {"value": "1440"}
    assert response_grade(question=question, response=english).is_correct is True
    assert italian_decimal == {"value": "1.44"}
    assert response_grade(question=question, response=italian_decimal).is_correct is False


@pytest.mark.django_db
def test_a_language_that_is_not_a_code_is_invalid():
    question = make_question(QuizFactory(), Question.Type.NUMERIC)
    with pytest.raises(InvalidResponse):
        response_parse(question=question, raw={"value": "1", "language": ["it"]})
