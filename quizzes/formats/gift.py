"""Moodle's GIFT text format (https://docs.moodle.org/en/GIFT_format), read and written by hand.

Questions are separated by blank lines. Read: titles `::title::`, `//` comments, `$CATEGORY:` lines, the
`[html]`, `[markdown]`, `[plain]` and `[moodle]` text formats, escapes `\\~ \\= \\# \\{ \\} \\:` and `\\n`, answer
feedback `#...` (dropped) and general feedback `####...` (the explanation). Types: multiple choice (`=` right,
`~` wrong; `~%50%` weights make it multiple select), true/false, short answer, numerical (`#3.14:0.01`, `#1..5`,
several `=` answers), and the "missing word" form (text after the answers: the gap becomes `_____`). Essays,
descriptions and matching questions are skipped and reported.

GIFT has no points or time limit; Quizcast writes them in a comment line before the question
(`// quizcast: points=100 time_limit=30`), which Moodle ignores and Quizcast reads back.
"""

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import partial

from django.utils.translation import gettext as _

from quizzes.formats.drafts import ChoiceDraft, ParsedFile, QuestionDraft, QuestionSkipped, Type, true_false_choices
from quizzes.formats.text import html_to_text
from quizzes.grading import plain_decimal

NAME = "gift"
SPECIALS = "~=#{}:\\"
# Escaped special characters are parked on private-use code points while the structure is read.
_PARKED = {character: chr(0xE000 + index) for index, character in enumerate(SPECIALS)}
_UNPARKED = {parked: character for character, parked in _PARKED.items()}
_META = re.compile(r"^//\s*quizcast:\s*(?P<pairs>.*)$", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
GAP = "_____"


def _park(text: str) -> str:
    def parked(match: re.Match) -> str:
        character = match.group(1)
        return "\n" if character == "n" else _PARKED[character]

    return re.sub(r"\\([~=#{}:\\n])", parked, text)


def _unpark(text: str) -> str:
    return "".join(_UNPARKED.get(character, character) for character in text)


def _blocks(text: str) -> list[tuple[int, list[str], dict[str, str]]]:
    """Each question's lines with the line it starts on and the `// quizcast:` settings written before it."""
    blocks = []
    current: list[str] = []
    start = 0
    meta: dict[str, str] = {}
    pending_meta: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            match = _META.match(stripped)
            if match:
                pending_meta = dict(pair.split("=", 1) for pair in match.group("pairs").split() if "=" in pair)
            continue
        if stripped.upper().startswith("$CATEGORY:"):
            continue
        if not stripped:
            if current:
                blocks.append((start, current, meta))
                current = []
            continue
        if not current:
            start, meta, pending_meta = number, pending_meta, {}
        current.append(line)
    if current:
        blocks.append((start, current, meta))
    return blocks


def _text(raw: str, text_format: str) -> str:
    text = _unpark(raw).strip()
    if text_format == "html":
        text, _images = html_to_text(text)
    return text


def _split_answers(body: str) -> list[tuple[str, str]]:
    """('=' or '~', the rest) for every answer of a block, in order."""
    answers = []
    for match in re.finditer(r"([=~])([^=~]*)", body):
        answers.append((match.group(1), match.group(2)))
    return answers


def _weight_and_text(rest: str) -> tuple[Decimal | None, str]:
    rest = rest.strip()
    match = _WEIGHT.match(rest)
    if not match:
        return None, rest
    return Decimal(match.group(1)), rest[match.end() :].strip()


def _without_feedback(text: str) -> tuple[str, bool]:
    head, hash_sign, _feedback = text.partition("#")
    return head.strip(), bool(hash_sign)


def _number(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


def _numeric_answer(text: str) -> tuple[Decimal, Decimal]:
    """'3.14:0.01' -> (3.14, 0.01); '1..5' -> (3, 2); '42' -> (42, 0)."""
    if ".." in text:
        low, high = (_number(part) for part in text.split("..", 1))
        low, high = min(low, high), max(low, high)
        return (low + high) / 2, (high - low) / 2
    target, _colon, tolerance = text.partition(":")
    return _number(target), _number(tolerance) if tolerance.strip() else Decimal(0)


def _read_numeric(body: str, draft: QuestionDraft) -> None:
    body = body[1:].strip()  # the leading '#'
    draft.type = Type.NUMERIC
    if body.startswith("="):
        full_credit = []
        for _sign, rest in _split_answers(body):
            weight, text = _weight_and_text(rest)
            text, _had_feedback = _without_feedback(text)
            if weight is None or weight == 100:
                full_credit.append(text)
        if not full_credit:
            raise QuestionSkipped(_("The numerical question has no answer worth full marks."))
        if len(full_credit) > 1 or len(_split_answers(body)) > 1:
            draft.notes.append(_("Only the first full-marks answer is kept; Quizcast has one target per question."))
        text = full_credit[0]
    else:
        text, _had_feedback = _without_feedback(body)
    try:
        draft.numeric_target, draft.numeric_tolerance = _numeric_answer(_unpark(text))
    except (InvalidOperation, ValueError):
        raise QuestionSkipped(_("“%(answer)s” is not a number.") % {"answer": _unpark(text)}) from None


def _read_choices(body: str, draft: QuestionDraft, text_format: str) -> None:
    answers = _split_answers(body)
    if any("->" in rest for _sign, rest in answers):
        raise QuestionSkipped(_("Matching questions cannot be represented in Quizcast."))
    has_wrong = any(sign == "~" for sign, _rest in answers)
    weighted = False
    dropped_feedback = False
    if not has_wrong:  # only '=' answers: short answer
        draft.type = Type.TEXT
        for _sign, rest in answers:
            weight, text = _weight_and_text(rest)
            text, had_feedback = _without_feedback(text)
            dropped_feedback |= had_feedback
            if weight is None or weight == 100:
                draft.accepted_answers.append(_text(text, text_format))
            else:
                draft.notes.append(
                    _("The partial-credit answer “%(answer)s” is left out.") % {"answer": _text(text, text_format)}
                )
    else:
        for sign, rest in answers:
            weight, text = _weight_and_text(rest)
            text, had_feedback = _without_feedback(text)
            dropped_feedback |= had_feedback
            weighted |= weight is not None
            is_correct = sign == "=" or (weight is not None and weight > 0)
            draft.choices.append(ChoiceDraft(_text(text, text_format), is_correct))
        correct = sum(choice.is_correct for choice in draft.choices)
        if correct == 0:
            draft.type = Type.POLL
        elif correct > 1 or weighted:
            draft.type = Type.MULTIPLE
        else:
            draft.type = Type.SINGLE
        if weighted and correct:
            draft.notes.append(_("Partial credit is not kept: a student scores only by choosing every right answer."))
    if dropped_feedback:
        draft.notes.append(_("Feedback on single answers is left out."))


def _read_block(lines: list[str], meta: dict[str, str]) -> QuestionDraft:
    raw = _park("\n".join(lines)).strip()
    if raw.startswith("::"):
        end = raw.find("::", 2)
        if end != -1:
            raw = raw[end + 2 :].strip()
    text_format = "moodle"
    format_match = _FORMAT.match(raw)
    if format_match:
        text_format = format_match.group(1).lower()
        raw = raw[format_match.end() :]
    opening = raw.find("{")
    if opening == -1:
        raise QuestionSkipped(_("A description (text without answers) is not a question; it was skipped."))
    closing = raw.find("}", opening)
    if closing == -1:
        raise QuestionSkipped(_("The answers are not closed: a “}” is missing."))
    before, body, after = raw[:opening], raw[opening + 1 : closing].strip(), raw[closing + 1 :]
    draft = QuestionDraft(type=Type.SINGLE, prompt="")
    if "####" in body:
        body, _marks, feedback = body.partition("####")
        draft.explanation = _text(feedback, text_format)
        body = body.strip()
    prompt = before.strip()
    if after.strip():  # text after the answers: the answers fill a gap in the sentence
        after = after.strip()
        separator = "" if after[0] in ".,;:!?)" else " "
        prompt = f"{prompt} {GAP}{separator}{after}".strip()
    draft.prompt = _text(prompt, text_format)
    if not body:
        raise QuestionSkipped(_("Essay questions cannot be represented in Quizcast; it was skipped."))
    if body.startswith("#"):
        _read_numeric(body, draft)
    elif re.fullmatch(r"(T|TRUE|F|FALSE)(#.*)?", body, flags=re.IGNORECASE | re.DOTALL):
        letter, _hash, feedback = body.partition("#")
        draft.type = Type.TRUE_FALSE
        draft.choices = true_false_choices(answer=letter.upper().startswith("T"))
        if feedback:
            draft.notes.append(_("Feedback on single answers is left out."))
    elif body[0] in "=~":
        _read_choices(body, draft, text_format)
    else:
        raise QuestionSkipped(_("The answers must start with “=”, “~”, “#” or be T or F."))
    _apply_meta(draft, meta)
    return draft


def _apply_meta(draft: QuestionDraft, meta: dict[str, str]) -> None:
    if "points" in meta and meta["points"].isdigit():
        draft.points = int(meta["points"])
    if "time_limit" in meta:
        draft.set_time_limit(meta["time_limit"])


def parse(text: str) -> ParsedFile:
    parsed = ParsedFile(format=NAME)
    for line, lines, meta in _blocks(text):
        parsed.add(line, partial(_read_block, lines, meta))
    return parsed


def looks_like(text: str) -> bool:
    return bool(re.search(r"(?<!\\)\{[^}]*(?<!\\)\}", text))


# --- writing ----------------------------------------------------------------------------------------------------
def escape(text: str) -> str:
    text = re.sub(r"([~=#{}:\\])", r"\\\1", text)
    return text.replace("\n", "\\n")


def _weight(value: Decimal) -> str:
    return plain_decimal(value.quantize(Decimal("0.00001")))


def _answers(draft: QuestionDraft) -> list[str]:
    if draft.type == Type.TRUE_FALSE:
        first_is_correct = bool(draft.choices) and draft.choices[0].is_correct
        return ["T" if first_is_correct else "F"]
    if draft.type == Type.NUMERIC:
        return [f"#{plain_decimal(draft.numeric_target)}:{plain_decimal(draft.numeric_tolerance)}"]
    if draft.type == Type.TEXT:
        return [f"={escape(answer)}" for answer in draft.accepted_answers]
    if draft.type == Type.MULTIPLE:
        correct = sum(choice.is_correct for choice in draft.choices) or 1
        right = _weight(Decimal(100) / correct)
        return [f"~%{right if choice.is_correct else '-100'}%{escape(choice.text)}" for choice in draft.choices]
    return [f"{'=' if choice.is_correct else '~'}{escape(choice.text)}" for choice in draft.choices]


def write(drafts: list[QuestionDraft], comments: Iterable[str] = ()) -> bytes:
    """The drafts as GIFT, after `comments` as `//` lines (one line each), which Moodle and Quizcast skip."""
    parts = ["\n".join(f"// {' '.join(comment.split())}" for comment in comments)] if comments else []
    for number, draft in enumerate(drafts, start=1):
        lines = [
            f"// quizcast: points={draft.effective_points()} time_limit={draft.time_limit_text()}",
            f"::Q{number}:: {escape(draft.prompt)} {{",
            *(f"\t{answer}" for answer in _answers(draft)),
        ]
        if draft.explanation:
            lines.append(f"\t####{escape(draft.explanation)}")
        lines.append("}")
        parts.append("\n".join(lines))
    return ("\n\n".join(parts) + "\n").encode("utf-8")
