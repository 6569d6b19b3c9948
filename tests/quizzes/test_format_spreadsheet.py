"""Spreadsheets: Quizcast's template and Kahoot's, as CSV (comma or semicolon, with or without BOM) and XLSX."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from quizzes.formats import template_drafts
from quizzes.formats.spreadsheet import COLUMNS
from quizzes.models import Question
from tests.quizzes.formats_helpers import choices_of, read_sample, read_text

Type = Question.Type


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_quizcast_template_has_every_type():
    parsed = read_sample("questions.csv")
    assert [draft.type for draft in parsed.drafts] == [
        Type.SINGLE,
        Type.MULTIPLE,
        Type.TRUE_FALSE,
        Type.NUMERIC,
        Type.TEXT,
        Type.POLL,
        Type.WORDCLOUD,
        Type.ORDERING,
        Type.SCALE,
    ]
    single, multiple, true_false, numeric, text, poll, _cloud, ordering, _scale = parsed.drafts
    assert [choice.text for choice in ordering.choices][:2] == ["\\(0.3\\)", "\\(\\frac{1}{2}\\)"]
    assert choices_of(single) == [("Berlin", False), ("Paris", True), ("Madrid", False)]
    assert single.explanation == "Paris has been the capital since 987."
    assert [choice.is_correct for choice in multiple.choices] == [True, True, False, True]
    assert (multiple.effective_points(), multiple.effective_time_limit()) == (200, 45)
    assert choices_of(true_false) == [("True", True), ("False", False)]
    assert (numeric.numeric_target, numeric.numeric_tolerance) == (Decimal("3.14"), Decimal("0.01"))
    assert text.accepted_answers == ["Moon", "the Moon"]
    assert (poll.effective_points(), poll.effective_time_limit()) == (0, None)
    assert [draft.line for draft in parsed.drafts] == [2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_semicolons_and_a_byte_order_mark_are_read():
    text = "\ufefftype;prompt;choices;correct;numeric_target;tolerance;accepted_answers;points;time_limit;explanation\n"
    text += "numeric;Pi?;;;3,14;0,01;;;;\n"
    [draft] = read_text("q.csv", text).drafts
    assert (draft.numeric_target, draft.numeric_tolerance) == (Decimal("3.14"), Decimal("0.01"))


def test_kahoot_template_below_its_instructions():
    parsed = read_sample("kahoot.csv")
    first, second = parsed.drafts
    assert (first.type, first.prompt, first.effective_time_limit()) == (
        Type.SINGLE,
        "What is the capital of France?",
        20,
    )
    assert choices_of(first)[1] == ("Paris", True)
    assert second.type == Type.MULTIPLE
    assert choices_of(second) == [("Apple", True), ("Carrot", False), ("Banana", True)]
    assert [draft.line for draft in parsed.drafts] == [4, 5]


def test_kahoot_xlsx_with_numbers_as_cells():
    data = xlsx(
        [
            ["Quiz template"],
            [
                None,
                "Question - max 120 characters",
                "Answer 1 - max 75 characters",
                "Answer 2 - max 75 characters",
                "Answer 3 - max 75 characters",
                "Answer 4 - max 75 characters",
                "Time limit (sec)",
                "Correct answer(s) - choose at least one",
            ],
            [1, "2 + 2?", 3, 4, 5, None, 30, 2],
        ]
    )
    from quizzes.formats import file_read

    parsed = file_read(name="kahoot.xlsx", data=data)
    [draft] = parsed.drafts
    assert (draft.prompt, draft.effective_time_limit(), draft.line) == ("2 + 2?", 30, 3)
    assert choices_of(draft) == [("3", False), ("4", True), ("5", False)]


def test_every_problem_of_a_row_is_reported_at_once():
    text = ",".join(COLUMNS) + "\n" + "single,Q?,a | b,1 5,,,,lots,soon,\n" + "sometype,Q?,,,,,,,,\n"
    parsed = read_text("q.csv", text)
    assert parsed.drafts == []
    first, second = parsed.skipped
    assert first.line == 2
    assert "no answer 5" in first.reason and "points" in first.reason and "time_limit" in first.reason
    assert (second.line, "sometype" in second.reason) == (3, True)


def test_the_template_download_is_the_csv_sample():
    assert [draft.type for draft in template_drafts()] == [choice for choice, _label in Type.choices]


@pytest.mark.parametrize("layout", ["csv", "xlsx"])
def test_a_file_without_a_known_header_row_is_refused(layout):
    from quizzes.formats import file_read
    from quizzes.formats.drafts import FileRefused

    rows = [["name", "age"], ["Ada", "36"]]
    data = xlsx(rows) if layout == "xlsx" else b"name,age\nAda,36\n"
    with pytest.raises(FileRefused) as refused:
        file_read(name=f"q.{layout}", data=data)
    assert refused.value.code == "no_header"


def test_the_shipped_xlsx_sample_holds_the_same_questions_as_the_csv_sample():
    from dataclasses import asdict

    def comparable(parsed):
        return [{**asdict(draft), "line": None} for draft in parsed.drafts]

    xlsx_sample = read_sample("questions.xlsx")
    assert xlsx_sample.format == "xlsx"
    assert comparable(xlsx_sample) == comparable(read_sample("questions.csv"))
