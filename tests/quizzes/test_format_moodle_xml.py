"""Moodle XML, construct by construct (Moodle's XML format documentation), the shipped sample and an export
written by hand from the documentation."""

from decimal import Decimal

import pytest
from PIL import Image

from quizzes.formats.drafts import FileRefused
from quizzes.models import Question
from tests.quizzes.formats_helpers import choices_of, only_draft, read_sample, read_text

Type = Question.Type


def moodle(question: str):
    return only_draft(read_text("questions.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{question}</quiz>'))


def test_multichoice_single():
    draft = moodle(
        '<question type="multichoice"><questiontext format="html"><text>Q?</text></questiontext>'
        '<single>true</single><answer fraction="100"><text>a</text></answer>'
        '<answer fraction="0"><text>b</text></answer></question>'
    )
    assert draft.type == Type.SINGLE
    assert choices_of(draft) == [("a", True), ("b", False)]


def test_multichoice_multiple_keeps_every_answer_with_positive_fraction():
    draft = moodle(
        '<question type="multichoice"><questiontext><text>Q?</text></questiontext><single>false</single>'
        '<answer fraction="50"><text>a</text></answer><answer fraction="50"><text>b</text></answer>'
        '<answer fraction="-100"><text>c</text></answer></question>'
    )
    assert draft.type == Type.MULTIPLE
    assert choices_of(draft) == [("a", True), ("b", True), ("c", False)]


def test_truefalse_reads_which_answer_has_the_marks():
    draft = moodle(
        '<question type="truefalse"><questiontext><text>Q?</text></questiontext>'
        '<answer fraction="0"><text>true</text></answer><answer fraction="100"><text>false</text></answer></question>'
    )
    assert draft.type == Type.TRUE_FALSE
    assert choices_of(draft) == [("True", False), ("False", True)]


def test_shortanswer_keeps_full_marks_answers():
    draft = moodle(
        '<question type="shortanswer"><questiontext><text>Q?</text></questiontext>'
        '<answer fraction="100"><text>Paris</text></answer><answer fraction="100"><text>paris</text></answer>'
        '<answer fraction="50"><text>Lutetia</text></answer></question>'
    )
    assert draft.type == Type.TEXT
    assert draft.accepted_answers == ["Paris", "paris"]
    assert any("Lutetia" in note for note in draft.notes)


def test_numerical_with_tolerance():
    draft = moodle(
        '<question type="numerical"><questiontext><text>Q?</text></questiontext>'
        '<answer fraction="100"><text>3.14</text><tolerance>0.01</tolerance></answer></question>'
    )
    assert (draft.type, draft.numeric_target, draft.numeric_tolerance) == (
        Type.NUMERIC,
        Decimal("3.14"),
        Decimal("0.01"),
    )


def test_html_text_becomes_plain_text_keeping_line_breaks():
    draft = moodle(
        '<question type="shortanswer"><questiontext format="html">'
        "<text><![CDATA[<p>One &amp; <b>two</b><br>three</p><p>four</p>]]></text></questiontext>"
        '<answer fraction="100"><text>x</text></answer></question>'
    )
    assert draft.prompt == "One & two\nthree\n\nfour"


def test_plain_text_is_kept_as_written():
    draft = moodle(
        '<question type="shortanswer"><questiontext format="plain_text"><text>a &lt;b&gt; c</text></questiontext>'
        '<answer fraction="100"><text>x</text></answer></question>'
    )
    assert draft.prompt == "a <b> c"


def test_general_feedback_is_the_explanation_and_defaultgrade_the_points():
    draft = moodle(
        '<question type="shortanswer"><questiontext><text>Q?</text></questiontext>'
        "<generalfeedback><text>Because.</text></generalfeedback><defaultgrade>5.0000000</defaultgrade>"
        '<answer fraction="100"><text>x</text></answer></question>'
    )
    assert (draft.explanation, draft.effective_points()) == ("Because.", 5)


def test_category_questions_are_not_questions():
    parsed = read_text(
        "q.xml",
        '<quiz><question type="category"><category><text>$course$/x</text></category></question>'
        '<question type="truefalse"><questiontext><text>Q?</text></questiontext>'
        '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>'
        "</quiz>",
    )
    assert only_draft(parsed).type == Type.TRUE_FALSE


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("essay", "Essay"),
        ("description", "description"),
        ("matching", "Matching"),
        ("cloze", "cloze"),
        ("ddwtos", "Drag and drop"),
    ],
)
def test_types_quizcast_cannot_represent_are_skipped_with_their_line(kind, reason):
    parsed = read_text(
        "q.xml", f'<quiz>\n\n<question type="{kind}"><questiontext><text>Q</text></questiontext></question></quiz>'
    )
    [skipped] = parsed.skipped
    assert (skipped.line, reason in skipped.reason) == (3, True)


def test_an_embedded_image_becomes_the_question_image_with_its_alt_text():
    parsed = read_sample("questions.xml")
    flag = next(draft for draft in parsed.drafts if draft.image is not None)
    assert flag.image.name == "flag.png"
    assert flag.image_alt == "A yellow rectangle on a blue background"
    assert flag.prompt == "Which colour is the rectangle in the middle?"


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>',
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>',
        '<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/quiz.dtd"><quiz></quiz>',
    ],
    ids=["entity-expansion", "external-entity", "external-dtd"],
)
def test_dtds_and_entities_are_refused(document):
    with pytest.raises(FileRefused) as refused:
        read_text("q.xml", document)
    assert refused.value.code == "xml_dtd"


def test_malformed_xml_says_where():
    with pytest.raises(FileRefused) as refused:
        read_text("q.xml", "<quiz>\n<question type='multichoice'>\n</quiz>")
    assert refused.value.code == "xml_invalid"
    assert "line 3" in refused.value.message


def test_xml_that_is_not_a_moodle_quiz_is_refused():
    with pytest.raises(FileRefused) as refused:
        read_text("q.xml", "<html><body/></html>")
    assert refused.value.code == "xml_not_moodle"


def test_shipped_sample():
    parsed = read_sample("questions.xml")
    assert [draft.type for draft in parsed.drafts] == [
        Type.SINGLE,
        Type.MULTIPLE,
        Type.TRUE_FALSE,
        Type.TEXT,
        Type.NUMERIC,
        Type.SINGLE,
    ]
    assert [skipped.line for skipped in parsed.skipped] == [67, 72]


def test_an_export_written_from_moodles_documentation():
    parsed = read_sample("moodle-docs.xml")
    single, multiple, true_false, short, numeric = parsed.drafts
    assert single.prompt == "What is the answer to this question?"
    assert choices_of(single) == [("The correct answer", True), ("A distractor", False), ("Another distractor", False)]
    assert single.effective_points() == 1
    assert multiple.type == Type.MULTIPLE
    assert multiple.prompt == "Which of these are vowels?"
    assert (multiple.image.name, multiple.image_alt) == ("letters chart.png", "A chart of the alphabet")
    assert Image.open(__import__("io").BytesIO(multiple.image.content)).size == (10, 10)
    assert multiple.explanation == "A, E, I, O and U are vowels."
    assert choices_of(true_false) == [("True", False), ("False", True)]
    assert short.accepted_answers == ["The correct answer", "An alternative answer"]
    assert (numeric.numeric_target, numeric.numeric_tolerance, numeric.explanation) == (
        Decimal(1500),
        Decimal(100),
        "1 km = 1000 m.",
    )
    assert [skipped.reason.split(" ")[0] for skipped in parsed.skipped] == ["Essay", "A", "Matching", "Embedded"]


def test_scripts_and_styles_in_html_text_are_dropped_and_entities_decoded():
    draft = moodle(
        '<question type="shortanswer"><questiontext format="html"><text><![CDATA['
        "<style>p {color: red}</style><p>Caf&eacute; &lt;au&gt; lait<script>alert(1)</script></p><ul><li>one</li>"
        "<li>two</li></ul>]]></text></questiontext>"
        '<answer fraction="100"><text>x</text></answer></question>'
    )
    assert draft.prompt == "Café <au> lait\n\none\ntwo"
