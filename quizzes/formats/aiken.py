"""Moodle's Aiken format: a question, its options `A.` or `A)` on the lines below, then `ANSWER: B`.

    What is the capital of France?
    A. Berlin
    B) Paris
    ANSWER: B

Every Aiken question is single choice; a question without its ANSWER line is reported and skipped.
"""

import re

from django.utils.translation import gettext as _

from quizzes.formats.drafts import ChoiceDraft, ParsedFile, QuestionDraft, Skipped, Type

NAME = "aiken"
_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$", re.IGNORECASE)


def looks_like(text: str) -> bool:
    return any(_ANSWER.match(line.strip()) for line in text.split("\n"))


def parse(text: str) -> ParsedFile:
    parsed = ParsedFile(format=NAME)
    start = 0
    prompt: list[str] = []
    options: list[tuple[str, str]] = []

    def reset() -> None:
        nonlocal prompt, options
        prompt, options = [], []

    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            letter = answer.group(1).upper()
            letters = [option_letter for option_letter, _text in options]
            if not prompt or not options:
                parsed.skipped.append(Skipped(number, _("An ANSWER line without a question and options before it.")))
            elif letter not in letters:
                parsed.skipped.append(
                    Skipped(start, _("The answer %(letter)s is not one of the options.") % {"letter": letter})
                )
            else:
                parsed.drafts.append(
                    QuestionDraft(
                        type=Type.SINGLE,
                        prompt="\n".join(prompt),
                        line=start,
                        choices=[ChoiceDraft(text, option_letter == letter) for option_letter, text in options],
                    )
                )
            reset()
        elif option and prompt:
            options.append((option.group(1), option.group(2).strip()))
        elif options:
            # A new question starts while the previous one never got its ANSWER line.
            parsed.skipped.append(Skipped(start, _("This question has no “ANSWER:” line; it was skipped.")))
            reset()
            start, prompt = number, [line]
        else:
            if not prompt:
                start = number
            prompt.append(line)
    if prompt:
        parsed.skipped.append(Skipped(start, _("This question has no “ANSWER:” line; it was skipped.")))
    return parsed
