"""GIFT, construct by construct (Moodle's GIFT documentation), then the shipped sample and the documentation's."""

from decimal import Decimal

import pytest

from quizzes.formats.gift import GAP
from quizzes.models import Question
from tests.quizzes.formats_helpers import choices_of, only_draft, read_sample, read_text

Type = Question.Type


def gift(text: str):
    return only_draft(read_text("questions.gift", text))


def test_equals_marks_the_right_answer_and_tilde_the_wrong_ones():
    draft = gift("Who is buried in Grant's tomb? {=Grant ~No one ~Napoleon}")
    assert draft.type == Type.SINGLE
    assert draft.prompt == "Who is buried in Grant's tomb?"
    assert choices_of(draft) == [("Grant", True), ("No one", False), ("Napoleon", False)]


def test_percent_weights_make_a_multiple_select_question():
    draft = gift("Which are prime? {~%50%2 ~%50%3 ~%-100%4}")
    assert draft.type == Type.MULTIPLE
    assert choices_of(draft) == [("2", True), ("3", True), ("4", False)]
    assert any("Partial credit" in note for note in draft.notes)


@pytest.mark.parametrize(("answer", "true_is_correct"), [("T", True), ("TRUE", True), ("F", False), ("false", False)])
def test_true_false_answers(answer, true_is_correct):
    draft = gift(f"The sun rises in the east.{{{answer}}}")
    assert draft.type == Type.TRUE_FALSE
    assert choices_of(draft) == [("True", true_is_correct), ("False", not true_is_correct)]


def test_only_equals_answers_make_a_short_answer_question():
    draft = gift("What is the capital of France? {=Paris =paris}")
    assert draft.type == Type.TEXT
    assert draft.accepted_answers == ["Paris", "paris"]


def test_numerical_with_a_tolerance():
    draft = gift("What is pi? {#3.14:0.01}")
    assert (draft.type, draft.numeric_target, draft.numeric_tolerance) == (
        Type.NUMERIC,
        Decimal("3.14"),
        Decimal("0.01"),
    )


def test_numerical_range_becomes_its_middle_and_half_width():
    draft = gift("Pick 1 to 5. {#1..5}")
    assert (draft.numeric_target, draft.numeric_tolerance) == (Decimal(3), Decimal(2))


def test_numerical_with_several_answers_keeps_the_first_full_marks_one_and_says_so():
    draft = gift("When was Grant born? {#\n=1822:0\n=%50%1822:2}")
    assert (draft.numeric_target, draft.numeric_tolerance) == (Decimal(1822), Decimal(0))
    assert draft.notes


def test_title_is_not_part_of_the_prompt():
    assert gift("::Capital:: What is the capital? {=Paris ~Lyon}").prompt == "What is the capital?"


def test_comment_and_category_lines_are_ignored():
    parsed = read_text("q.gift", "// a comment\n$CATEGORY: tom/x\n// another\nQ? {=a ~b}\n")
    assert only_draft(parsed).prompt == "Q?"


def test_html_text_is_turned_into_plain_text_with_its_line_breaks():
    draft = gift("[html]<p>First <b>line</b></p><p>Second&nbsp;line</p>{=a ~b}")
    assert draft.prompt == "First line\n\nSecond line"


@pytest.mark.parametrize("text_format", ["markdown", "plain", "moodle"])
def test_other_text_formats_keep_the_text_as_written(text_format):
    draft = gift(f"::T::[{text_format}]Is *this* kept? {{=yes ~no}}")
    assert draft.prompt == "Is *this* kept?"


def test_feedback_on_answers_is_dropped_with_a_note():
    draft = gift("Q? {=a#Right ~b#Wrong}")
    assert choices_of(draft) == [("a", True), ("b", False)]
    assert any("Feedback" in note for note in draft.notes)


def test_general_feedback_becomes_the_explanation():
    assert gift("Q? {=a ~b ####Because a.}").explanation == "Because a."


def test_escaped_special_characters_are_literal():
    draft = gift(r"Is \{1\} \= 1\: yes \~ no\#? {=\= equal ~\~ tilde}")
    assert draft.prompt == "Is {1} = 1: yes ~ no#?"
    assert choices_of(draft) == [("= equal", True), ("~ tilde", False)]


def test_a_question_may_span_several_lines():
    draft = gift("First line\nsecond line {\n=a\n~b\n}")
    assert draft.prompt == "First line\nsecond line"


def test_backslash_n_is_a_line_break():
    assert gift(r"One\nTwo {=a ~b}").prompt == "One\nTwo"


def test_text_after_the_answers_makes_a_missing_word_question():
    draft = gift("Gandhi's birthday is an {~Indian =Irish} holiday.")
    assert draft.prompt == f"Gandhi's birthday is an {GAP} holiday."


def test_choices_without_a_right_one_make_a_poll():
    draft = gift("Lunch? {~Pizza ~Soup}")
    assert draft.type == Type.POLL
    assert draft.effective_points() == 0


def test_points_and_time_limit_are_read_from_quizcasts_comment():
    draft = gift("// quizcast: points=250 time_limit=none\nQ? {=a ~b}")
    assert (draft.effective_points(), draft.effective_time_limit()) == (250, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Write an essay. {}", "Essay"),
        ("Just a description, no answers.", "description"),
        ("Match. {=Canada -> Ottawa =Italy -> Rome}", "Matching"),
        ("Open {=a ~b", "not closed"),
    ],
)
def test_questions_quizcast_cannot_represent_are_skipped_with_their_line(text, reason):
    parsed = read_text("q.gift", f"Fine? {{=a ~b}}\n\n{text}\n")
    assert len(parsed.drafts) == 1
    [skipped] = parsed.skipped
    assert skipped.line == 3
    assert reason in skipped.reason


def test_shipped_sample():
    parsed = read_sample("questions.gift")
    assert [draft.type for draft in parsed.drafts] == [
        Type.SINGLE,
        Type.MULTIPLE,
        Type.TRUE_FALSE,
        Type.TEXT,
        Type.NUMERIC,
        Type.NUMERIC,
        Type.POLL,
        Type.SINGLE,
    ]
    assert parsed.drafts[0].explanation == "Paris has been the capital since 987."
    assert [skipped.line for skipped in parsed.skipped] == [33]


def test_moodle_documentation_examples():
    parsed = read_sample("moodle-docs.gift")
    by_prompt = {draft.prompt: draft for draft in parsed.drafts}
    assert choices_of(by_prompt["Who is buried in Grant's tomb in New York City?"])[0] == ("Grant", True)
    assert by_prompt[f"Mahatma Gandhi's birthday is an {GAP} holiday."].type == Type.SINGLE
    assert by_prompt["Grant is buried in Grant's tomb."].choices[1].is_correct
    assert by_prompt[f"Two plus two equals {GAP}."].accepted_answers == ["four", "4"]
    pi = by_prompt[f"What is the value of pi (to 3 decimal places)? {GAP}."]
    assert (pi.numeric_target, pi.numeric_tolerance) == (Decimal("3.1415"), Decimal("0.0005"))
    assert by_prompt["What two people are entombed in Grant's tomb?"].type == Type.MULTIPLE
    assert by_prompt["Japanese characters originally came from what country?"].explanation == (
        "Kanji were introduced from China."
    )
    assert choices_of(by_prompt["What does {} mean in GIFT?"]) == [
        ("braces = curly brackets", True),
        ("a comment", False),
    ]
    reasons = " ".join(skipped.reason for skipped in parsed.skipped)
    assert len(parsed.skipped) == 3
    assert "Matching" in reasons and "Essay" in reasons and "description" in reasons
