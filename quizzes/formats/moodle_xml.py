"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format), read with defusedxml and written back.

Read: `multichoice` (single and multiple), `truefalse`, `shortanswer`, `numerical` (the first full-marks answer and
its tolerance), `category` (ignored), `essay` and `description` (skipped and reported), any other type (matching,
cloze, ...: skipped and reported). Question text in `html` is turned into plain text keeping its line breaks; an
image embedded as a base64 `<file>` becomes the question image and the `alt` of its `<img>` its description.
`defaultgrade` is the points; `generalfeedback` the explanation. Moodle has no time limit per question: Quizcast
writes it as a tag `quizcast:time_limit=30` (or `none`), which Moodle keeps as an ordinary tag.

The parser refuses any DTD, entity declaration or external reference (defusedxml).
"""

import base64
import binascii
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import partial
from html import escape
from urllib.parse import unquote
from xml.etree.ElementTree import Comment, Element, ParseError, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quizzes.formats.drafts import (
    ChoiceDraft,
    FileRefused,
    ImageDraft,
    ParsedFile,
    QuestionDraft,
    QuestionSkipped,
    Type,
)
from quizzes.formats.text import html_to_text, text_to_html
from quizzes.grading import plain_decimal

NAME = "moodle_xml"
TIME_LIMIT_TAG = "quizcast:time_limit="
UNREPRESENTABLE = {
    "matching": gettext_lazy("Matching questions"),
    "cloze": gettext_lazy("Embedded answers (cloze) questions"),
    "multianswer": gettext_lazy("Embedded answers (cloze) questions"),
    "calculated": gettext_lazy("Calculated questions"),
    "calculatedsimple": gettext_lazy("Calculated questions"),
    "calculatedmulti": gettext_lazy("Calculated questions"),
    "ddwtos": gettext_lazy("Drag and drop questions"),
    "ddimageortext": gettext_lazy("Drag and drop questions"),
    "ddmarker": gettext_lazy("Drag and drop questions"),
    "gapselect": gettext_lazy("Select missing words questions"),
    "randomsamatch": gettext_lazy("Random short-answer matching questions"),
    "ordering": gettext_lazy("Ordering questions"),
}


def looks_like(data: bytes) -> bool:
    head = data[:400].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") or head.startswith(b"<quiz")


def _line_numbers(data: bytes) -> list[int]:
    """The line on which each <question> starts, in document order (ElementTree keeps no positions)."""
    lines = []
    position = data.find(b"<question")
    while position != -1:
        following = data[position + len(b"<question") : position + len(b"<question") + 1]
        if following in (b" ", b">", b"\t", b"\n", b"\r"):
            lines.append(data.count(b"\n", 0, position) + 1)
        position = data.find(b"<question", position + 1)
    return lines


def _child_text(element: Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "") if found is not None else ""


def _rich_text(element: Element | None) -> tuple[str, list[dict[str, str]]]:
    """The plain text of a `<questiontext>`-like element, and the images it shows."""
    if element is None:
        return "", []
    raw = _child_text(element)
    if element.get("format", "html") in ("html", "moodle_auto_format"):
        return html_to_text(raw)
    return raw.replace("\r\n", "\n").strip(), []


def _fraction(answer: Element) -> Decimal:
    try:
        return Decimal(answer.get("fraction", "0"))
    except InvalidOperation:
        return Decimal(0)


def _answer_text(answer: Element) -> str:
    text, _images = _rich_text(answer) if answer.get("format") == "html" else (_child_text(answer).strip(), [])
    return text


def _image(question_text: Element | None, images: list[dict[str, str]], draft: QuestionDraft) -> None:
    files = [] if question_text is None else question_text.findall("file")
    if not files:
        return
    chosen = files[0]
    for image in images:  # prefer the file the text shows
        source = unquote(image.get("src", "").rsplit("/", 1)[-1])
        match = next((file for file in files if file.get("name") == source), None)
        if match is not None:
            chosen = match
            draft.image_alt = image.get("alt", "").strip()
            break
    try:
        content = base64.b64decode((chosen.text or "").strip(), validate=False)
    except (binascii.Error, ValueError):
        draft.notes.append(_("The embedded image could not be read; it is left out."))
        return
    draft.image = ImageDraft(name=chosen.get("name") or "image", content=content)
    if len(files) > 1:
        draft.notes.append(_("Only the first image is kept; a question has one image."))


def _read_question(element: Element) -> QuestionDraft:
    kind = element.get("type", "")
    text_element = element.find("questiontext")
    prompt, images = _rich_text(text_element)
    draft = QuestionDraft(type=Type.SINGLE, prompt=prompt)
    draft.explanation, _images = _rich_text(element.find("generalfeedback"))
    answers = element.findall("answer")
    if kind == "multichoice":
        draft.choices = [ChoiceDraft(_answer_text(answer), _fraction(answer) > 0) for answer in answers]
        correct = sum(choice.is_correct for choice in draft.choices)
        single = _child_text(element, "single").strip().lower() in ("true", "1")
        if correct == 0:
            draft.type = Type.POLL
        elif single and correct == 1:
            draft.type = Type.SINGLE
        else:
            draft.type = Type.MULTIPLE
            if any(0 < _fraction(answer) < 100 for answer in answers):
                draft.notes.append(
                    _("Partial credit is not kept: a student scores only by choosing every right answer.")
                )
    elif kind == "truefalse":
        draft.type = Type.TRUE_FALSE
        by_text = {_answer_text(answer).lower(): _fraction(answer) > 0 for answer in answers}
        true_is_correct = by_text.get("true", not by_text.get("false", True))
        draft.choices = [ChoiceDraft(_("True"), true_is_correct), ChoiceDraft(_("False"), not true_is_correct)]
    elif kind == "shortanswer":
        draft.type = Type.TEXT
        for answer in answers:
            if _fraction(answer) == 100:
                draft.accepted_answers.append(_answer_text(answer))
            elif _fraction(answer) > 0:
                draft.notes.append(
                    _("The partial-credit answer “%(answer)s” is left out.") % {"answer": _answer_text(answer)}
                )
    elif kind == "numerical":
        draft.type = Type.NUMERIC
        full_marks = [answer for answer in answers if _fraction(answer) == 100]
        if not full_marks:
            raise QuestionSkipped(_("The numerical question has no answer worth full marks."))
        if len(answers) > 1:
            draft.notes.append(_("Only the first full-marks answer is kept; Quizcast has one target per question."))
        try:
            draft.numeric_target = Decimal(_answer_text(full_marks[0]))
            draft.numeric_tolerance = Decimal(_child_text(full_marks[0], "tolerance").strip() or "0")
        except InvalidOperation:
            raise QuestionSkipped(
                _("“%(answer)s” is not a number.") % {"answer": _answer_text(full_marks[0])}
            ) from None
    elif kind == "essay":
        raise QuestionSkipped(_("Essay questions cannot be represented in Quizcast; it was skipped."))
    elif kind == "description":
        raise QuestionSkipped(_("A description (text without answers) is not a question; it was skipped."))
    else:
        label = UNREPRESENTABLE.get(kind, _("Questions of type “%(type)s”") % {"type": kind})
        raise QuestionSkipped(_("%(kind)s cannot be represented in Quizcast; it was skipped.") % {"kind": label})
    grade = _child_text(element, "defaultgrade").strip()
    if grade:
        try:
            draft.points = int(Decimal(grade))
        except (InvalidOperation, ValueError):
            draft.notes.append(_("The default grade “%(grade)s” is not a number.") % {"grade": grade})
    for tag in element.findall("tags/tag"):
        value = _child_text(tag).strip()
        if value.startswith(TIME_LIMIT_TAG):
            draft.set_time_limit(value[len(TIME_LIMIT_TAG) :])
    _image(text_element, images, draft)
    return draft


def parse(data: bytes) -> ParsedFile:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FileRefused(
            "xml_dtd",
            _("The XML file declares a DTD or entities, which Quizcast refuses for safety. Remove the <!DOCTYPE>."),
        ) from None
    except ParseError as error:
        raise FileRefused(
            "xml_invalid",
            _("The file is not well-formed XML (line %(line)d): %(error)s")
            % {"line": error.position[0], "error": error.msg},
        ) from None
    if root.tag != "quiz":
        raise FileRefused("xml_not_moodle", _("This XML file is not a Moodle quiz: its top element must be <quiz>."))
    parsed = ParsedFile(format=NAME)
    lines = _line_numbers(data)
    for index, element in enumerate(root.iter("question")):
        line = lines[index] if index < len(lines) else 0
        if element.get("type") == "category":
            continue
        parsed.add(line, partial(_read_question, element))
    return parsed


# --- writing ----------------------------------------------------------------------------------------------------
def _text_element(parent: Element, tag: str, text: str, text_format: str = "html") -> Element:
    element = SubElement(parent, tag, {"format": text_format})
    SubElement(element, "text").text = text
    return element


def _fraction_text(value: Decimal) -> str:
    return plain_decimal(value.quantize(Decimal("0.00001")))


def _write_question(quiz: Element, number: int, draft: QuestionDraft) -> None:
    kind = {
        Type.SINGLE: "multichoice",
        Type.MULTIPLE: "multichoice",
        Type.POLL: "multichoice",
        Type.TRUE_FALSE: "truefalse",
        Type.NUMERIC: "numerical",
        Type.TEXT: "shortanswer",
    }[draft.type]
    question = SubElement(quiz, "question", {"type": kind})
    SubElement(SubElement(question, "name"), "text").text = f"Q{number}"
    html = text_to_html(draft.prompt)
    if draft.image is not None:
        source, alt = escape(draft.image.name, quote=True), escape(draft.image_alt, quote=True)
        html += f'<p><img src="@@PLUGINFILE@@/{source}" alt="{alt}"></p>'
    text = _text_element(question, "questiontext", html)
    if draft.image is not None:
        file = SubElement(text, "file", {"name": draft.image.name, "path": "/", "encoding": "base64"})
        file.text = base64.b64encode(draft.image.content).decode("ascii")
    _text_element(question, "generalfeedback", text_to_html(draft.explanation))
    SubElement(question, "defaultgrade").text = str(draft.effective_points())
    SubElement(question, "penalty").text = "0"
    SubElement(question, "hidden").text = "0"
    if kind == "multichoice":
        SubElement(question, "single").text = "false" if draft.type == Type.MULTIPLE else "true"
        SubElement(question, "shuffleanswers").text = "false"
        SubElement(question, "answernumbering").text = "abc"
        correct = sum(choice.is_correct for choice in draft.choices) or 1
        for choice in draft.choices:
            if choice.is_correct:
                fraction = _fraction_text(Decimal(100) / correct)
            else:
                fraction = "-100" if draft.type == Type.MULTIPLE else "0"
            answer = _text_element(question, "answer", choice.text, "plain_text")
            answer.set("fraction", fraction)
    elif kind == "truefalse":
        true_is_correct = bool(draft.choices) and draft.choices[0].is_correct
        for label, is_correct in (("true", true_is_correct), ("false", not true_is_correct)):
            answer = _text_element(question, "answer", label, "moodle_auto_format")
            answer.set("fraction", "100" if is_correct else "0")
    elif kind == "shortanswer":
        SubElement(question, "usecase").text = "0"
        for accepted in draft.accepted_answers:
            _text_element(question, "answer", accepted, "plain_text").set("fraction", "100")
    else:
        answer = _text_element(question, "answer", plain_decimal(draft.numeric_target), "plain_text")
        answer.set("fraction", "100")
        SubElement(answer, "tolerance").text = plain_decimal(draft.numeric_tolerance)
    tags = SubElement(question, "tags")
    SubElement(SubElement(tags, "tag"), "text").text = TIME_LIMIT_TAG + draft.time_limit_text()


def write(drafts: list[QuestionDraft], comments: Iterable[str] = ()) -> bytes:
    """The drafts as Moodle XML, after `comments` as XML comments inside `<quiz>`, which Moodle skips."""
    quiz = Element("quiz")
    for comment in comments:
        # "--" may not appear in an XML comment, nor may one end with "-".
        quiz.append(Comment(f" {' '.join(comment.split()).replace('--', '- -')} "))
    for number, draft in enumerate(drafts, start=1):
        _write_question(quiz, number, draft)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="unicode").encode("utf-8") + b"\n"
