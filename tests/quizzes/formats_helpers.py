"""Reading shipped and test sample files, and drafts as comparable tuples."""

from pathlib import Path

from quizzes.formats import SAMPLES, file_read
from quizzes.formats.drafts import ParsedFile, QuestionDraft

TEST_SAMPLES = Path(__file__).resolve().parent / "samples"


def read_sample(name: str) -> ParsedFile:
    path = SAMPLES / name if (SAMPLES / name).exists() else TEST_SAMPLES / name
    return file_read(name=name, data=path.read_bytes())


def read_text(name: str, text: str) -> ParsedFile:
    return file_read(name=name, data=text.encode("utf-8"))


def choices_of(draft: QuestionDraft) -> list[tuple[str, bool]]:
    return [(choice.text, choice.is_correct) for choice in draft.choices]


def only_draft(parsed: ParsedFile) -> QuestionDraft:
    assert not parsed.skipped, parsed.skipped
    assert len(parsed.drafts) == 1, parsed.drafts
    return parsed.drafts[0]
