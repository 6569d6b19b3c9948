"""`manage.py import_questions FILE --quiz ID`: the admin's import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quizzes.formats import FORMAT_LABELS, MAX_FILE_BYTES, file_too_large
from quizzes.formats.checks import file_preview
from quizzes.formats.drafts import FileRefused
from quizzes.models import Quiz
from quizzes.services import ImportRejected, questions_import


class Command(BaseCommand):
    # BaseCommand declares `help` a plain attribute; this one is translated when asked for, not at import.
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Add the questions of a GIFT, Moodle XML, Aiken, CSV or XLSX file to the end of a quiz.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--quiz", type=int, required=True, help=_("The id of the quiz to add the questions to."))
        parser.add_argument("--dry-run", action="store_true", help=_("Only list what would be imported; save nothing."))

    def handle(self, *args, file: Path, quiz: int, dry_run: bool, **options):
        target = Quiz.objects.filter(pk=quiz).first()
        if target is None:
            raise CommandError(_("There is no quiz with id %(id)d.") % {"id": quiz})
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise CommandError(str(error)) from None
        try:
            if len(data) > MAX_FILE_BYTES:
                raise file_too_large()
            preview = file_preview(quiz=target, name=file.name, data=data)
        except FileRefused as refused:
            raise CommandError(_("Nothing was imported. %(reason)s") % {"reason": refused.message}) from None
        for skipped in preview.skipped:
            self.stderr.write(_("line %(line)d: not imported: %(reason)s") % vars(skipped))
        label = FORMAT_LABELS.get(preview.format, preview.format)
        if dry_run:
            self.stdout.write(
                _("%(count)d questions would be imported from %(file)s (%(format)s).")
                % {"count": len(preview.ready), "file": file.name, "format": label}
            )
            return
        try:
            created = questions_import(quiz=target, drafts=preview.ready)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(_("line %(line)d: %(reason)s") % vars(problem))
            raise CommandError(_("Nothing was imported.")) from None
        self.stdout.write(
            _("Imported %(count)d questions from %(file)s (%(format)s) into “%(quiz)s”.")
            % {"count": len(created), "file": file.name, "format": label, "quiz": target.title}
        )
