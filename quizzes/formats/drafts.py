"""The one shape every question file turns into, and what a file reader reports besides its questions.

Each format module reads a file into `QuestionDraft`s (and writes drafts back into a file). A draft is not saved:
it is checked with the admin's own rules first (`quizzes.formats.checks`), shown in the import preview, and created
only when the teacher confirms.
"""

import base64
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from quizzes.models import Question

Type = Question.Type


def _default(name: str):
    return Question._meta.get_field(name).default


@dataclass
class ImageDraft:
    """An image that came with the file (a Moodle XML `<file>`, a picture in a spreadsheet's ZIP), checked as an
    upload before it is saved."""

    name: str
    content: bytes


@dataclass
class ChoiceDraft:
    text: str
    is_correct: bool = False
    image: ImageDraft | None = None
    image_alt: str = ""


@dataclass
class QuestionDraft:
    """A question read from a file. `line` is where it starts (a line or a spreadsheet row); `notes` say what of
    the source could not be kept (partial credit, per-answer feedback) without keeping the question out."""

    type: str
    prompt: str
    line: int = 0
    choices: list[ChoiceDraft] = field(default_factory=list)
    numeric_target: Decimal | None = None
    numeric_tolerance: Decimal = Decimal(0)
    accepted_answers: list[str] = field(default_factory=list)
    points: int | None = None
    time_limit: int | None = None
    time_limit_given: bool = False
    explanation: str = ""
    image: ImageDraft | None = None
    image_alt: str = ""
    max_words: int = _default("max_words")
    partial_credit: bool = False
    scale_min: int = _default("scale_min")
    scale_max: int = _default("scale_max")
    scale_min_label: str = ""
    scale_max_label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def type_label(self) -> str:
        return str(Type(self.type).label) if self.type in Type.values else self.type

    def effective_points(self) -> int:
        """Points as the question will be saved: polls, word clouds and rating scales score nothing, whatever the
        file says; otherwise the file's points or the model's default."""
        if self.type in Question.UNGRADED_TYPES:
            return 0
        if self.points is not None:
            return self.points
        return Question._meta.get_field("points").default

    def set_time_limit(self, value: str) -> None:
        """A time limit written in a file: seconds, or `none` for no limit; anything else keeps the default."""
        if value.strip().lower() == "none":
            self.time_limit, self.time_limit_given = None, True
        elif value.strip().isdigit():
            self.time_limit, self.time_limit_given = int(value), True

    def time_limit_text(self) -> str:
        """The time limit as files write it, read back by `set_time_limit`."""
        limit = self.effective_time_limit()
        return "none" if limit is None else str(limit)

    def effective_time_limit(self) -> int | None:
        if self.time_limit_given:
            return self.time_limit
        return Question._meta.get_field("time_limit").default


@dataclass(frozen=True)
class Skipped:
    """Something in the file that will not become a question: where it is and why."""

    line: int
    reason: str


class QuestionSkipped(Exception):
    """Raised by a format's reader for a question Quizcast cannot represent; `reason` is for the teacher."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedFile:
    format: str
    drafts: list[QuestionDraft] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def add(self, line: int, read: Callable[[], QuestionDraft]) -> None:
        """Keep the draft that `read` returns, or the reason it raised QuestionSkipped, at `line`."""
        try:
            draft = read()
        except QuestionSkipped as skip:
            self.skipped.append(Skipped(line, skip.reason))
            return
        draft.line = line
        self.drafts.append(draft)


class FileRefused(ValueError):
    """The whole file was refused; `code` is stable, `message` is for the teacher."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def true_false_choices(*, answer: bool) -> list[ChoiceDraft]:
    return [ChoiceDraft(_("True"), answer), ChoiceDraft(_("False"), not answer)]


def draft_from_question(question: Question) -> QuestionDraft:
    """A saved question as a draft, for export: every field a file may carry."""
    return QuestionDraft(
        type=question.type,
        prompt=question.prompt,
        line=question.order,
        choices=[
            ChoiceDraft(choice.text, choice.is_correct, _image_draft(choice.image), choice.image_alt)
            for choice in question.choices.all()
        ],
        numeric_target=question.numeric_target,
        numeric_tolerance=question.numeric_tolerance or Decimal(0),
        accepted_answers=question.accepted_answer_list,
        points=question.points,
        time_limit=question.time_limit,
        time_limit_given=True,
        explanation=question.explanation,
        image=_image_draft(question.image),
        image_alt=question.image_alt,
        max_words=question.max_words,
        partial_credit=question.partial_credit,
        scale_min=question.scale_min,
        scale_max=question.scale_max,
        scale_min_label=question.scale_min_label,
        scale_max_label=question.scale_max_label,
    )


def _image_draft(image) -> ImageDraft | None:
    if not image:
        return None
    with image.open("rb") as handle:
        return ImageDraft(name=image.name.rsplit("/", 1)[-1], content=handle.read())


# --- keeping drafts between the preview and the confirmation (JSON in the teacher's session) -------------------
def _image_to_json(image: ImageDraft | None) -> dict | None:
    return None if image is None else {"name": image.name, "content": base64.b64encode(image.content).decode()}


def _image_from_json(image: dict | None) -> ImageDraft | None:
    return None if image is None else ImageDraft(image["name"], base64.b64decode(image["content"]))


def drafts_to_json(drafts: list[QuestionDraft]) -> list[dict]:
    rows = []
    for draft in drafts:
        row = asdict(draft)
        row["numeric_target"] = None if draft.numeric_target is None else str(draft.numeric_target)
        row["numeric_tolerance"] = str(draft.numeric_tolerance)
        row["image"] = _image_to_json(draft.image)
        for choice_row, choice in zip(row["choices"], draft.choices, strict=True):
            choice_row["image"] = _image_to_json(choice.image)
        rows.append(row)
    return rows


def drafts_from_json(rows: list[dict]) -> list[QuestionDraft]:
    drafts = []
    for row in rows:
        drafts.append(
            QuestionDraft(
                **{
                    **row,
                    "choices": [
                        ChoiceDraft(**{**choice, "image": _image_from_json(choice.get("image"))})
                        for choice in row["choices"]
                    ],
                    "numeric_target": None if row["numeric_target"] is None else Decimal(row["numeric_target"]),
                    "numeric_tolerance": Decimal(row["numeric_tolerance"]),
                    "image": _image_from_json(row.get("image")),
                }
            )
        )
    return drafts
