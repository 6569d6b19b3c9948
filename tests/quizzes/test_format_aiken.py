"""Aiken: options `A.` or `A)`, then `ANSWER: X`."""

from quizzes.models import Question
from tests.quizzes.formats_helpers import choices_of, read_sample, read_text


def test_options_with_dots_or_brackets_and_the_answer_letter():
    parsed = read_sample("questions-aiken.txt")
    assert parsed.format == "aiken"
    first, second = parsed.drafts
    assert (first.type, first.prompt, first.line) == (Question.Type.SINGLE, "What is the capital of France?", 1)
    assert choices_of(first) == [("Berlin", False), ("Paris", True), ("Madrid", False)]
    assert choices_of(second)[1] == ("Mars", True)
    assert second.line == 7


def test_a_question_without_its_answer_line_is_skipped_and_the_next_one_kept():
    parsed = read_text("q.txt", "Lost?\nA. yes\nB. no\n\nFound?\nA. yes\nB. no\nANSWER: A\n")
    assert [draft.prompt for draft in parsed.drafts] == ["Found?"]
    assert [(skipped.line, "ANSWER" in skipped.reason) for skipped in parsed.skipped] == [(1, True)]


def test_an_answer_letter_that_is_not_an_option_is_reported():
    parsed = read_text("q.txt", "Q?\nA. yes\nB. no\nANSWER: D\n")
    assert parsed.drafts == []
    assert "D" in parsed.skipped[0].reason
