"""Demo accounts, a demo classroom and a demo quiz, for trying Quizcast out locally."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.services import user_create
from classroom.models import Classroom
from classroom.services import classroom_create, classroom_enrol
from quizzes.models import Choice, Question, Quiz, Tag
from quizzes.validation import choice_errors

ADMIN = ("admin", "quizcast-admin")
TEACHER = ("teacher", "quizcast-teacher")
STUDENT_PASSWORD = "quizcast-student"
STUDENT_USERNAMES = [f"student{number}" for number in range(1, 6)]
CLASSROOM_NAME = gettext_noop("Demo class")
QUIZ_TITLE = gettext_noop("Demo quiz: a bit of everything")
QUIZ_TAG = "demo"

Type = Question.Type
# One question of every type. Choices are (text, is_correct) pairs. The texts are marked for translation and
# written in the language the command runs in (--language), so a class can try Quizcast in its own language.
DEMO_QUESTIONS: list[dict] = [
    {
        "type": Type.SINGLE,
        "prompt": gettext_noop("Which planet is closest to the Sun?"),
        "time_limit": 20,
        "explanation": gettext_noop("Mercury orbits the Sun at about 58 million km; Venus comes next."),
        "choices": [
            (gettext_noop("Mercury"), True),
            (gettext_noop("Venus"), False),
            (gettext_noop("Earth"), False),
            (gettext_noop("Mars"), False),
        ],
    },
    {
        "type": Type.MULTIPLE,
        "prompt": gettext_noop("Which of these numbers are prime? Select all that apply."),
        "time_limit": 30,
        "explanation": gettext_noop("2, 3 and 11 have no divisors but 1 and themselves; 9 = 3 × 3 and 15 = 3 × 5."),
        "choices": [("2", True), ("3", True), ("9", False), ("11", True), ("15", False)],
    },
    {
        "type": Type.TRUE_FALSE,
        "prompt": gettext_noop("At sea level, pure water boils at 100 °C."),
        "time_limit": 15,
        "explanation": gettext_noop(
            "True: at standard pressure water boils at 100 °C; higher up, at a lower temperature."
        ),
        "choices": [(gettext_noop("True"), True), (gettext_noop("False"), False)],
    },
    {
        "type": Type.NUMERIC,
        "prompt": gettext_noop("How many minutes are there in one day?"),
        "time_limit": 45,
        "explanation": gettext_noop("24 hours × 60 minutes = 1440 minutes."),
        "numeric_target": Decimal("1440"),
        "numeric_tolerance": Decimal("0"),
    },
    {
        "type": Type.TEXT,
        "prompt": gettext_noop("What is the capital city of France?"),
        "time_limit": None,
        "explanation": gettext_noop("Paris has been the capital of France for most of its history."),
        "accepted_answers": gettext_noop("Paris"),
    },
    {
        "type": Type.POLL,
        "prompt": gettext_noop("How confident do you feel about today's topic?"),
        "time_limit": None,
        "points": 0,
        "explanation": gettext_noop("There is no wrong answer: this tells your teacher what to go over again."),
        "choices": [
            (gettext_noop("Very confident"), False),
            (gettext_noop("Fairly confident"), False),
            (gettext_noop("Not yet"), False),
        ],
    },
    {
        "type": Type.WORDCLOUD,
        "prompt": "Which words come to mind when you think of the sea?",
        "time_limit": 60,
        "points": 0,
        "max_words": 3,
        "explanation": "Every word counts: the biggest ones are those most of you thought of.",
    },
    {
        "type": Type.ORDERING,
        "prompt": r"Put these numbers in order, smallest first: \(\frac{1}{2}\), \(\sqrt{2}\), \(\pi\), \(0.3\).",
        "time_limit": 45,
        "partial_credit": True,
        "explanation": r"\(0.3 < \frac{1}{2} = 0.5 < \sqrt{2} \approx 1.41 < \pi \approx 3.14\)",
        "choices": [(r"\(0.3\)", False), (r"\(\frac{1}{2}\)", False), (r"\(\sqrt{2}\)", False), (r"\(\pi\)", False)],
    },
    {
        "type": Type.SCALE,
        "prompt": "How difficult was today's lesson?",
        "time_limit": None,
        "points": 0,
        "scale_min": 1,
        "scale_max": 5,
        "scale_min_label": "Very easy",
        "scale_max_label": "Very hard",
        "explanation": "Thank you: this helps plan the next lesson.",
    },
]
TRANSLATED = {"prompt", "explanation", "accepted_answers"}


class Command(BaseCommand):
    help = _(
        "Create the demo data: an admin, a teacher, five students, the classroom 'Demo class' and a quiz with "
        "a question of every type. Safe to run again: nothing is duplicated, the classroom and quiz are left as "
        "they are if they exist, and the demo accounts' passwords are set back to the documented ones on every run "
        "(so the logins printed at the end always work)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            default=None,
            help="Write the classroom, quiz and questions in this language (default: LANGUAGE_CODE), e.g. it, es.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            self.create_all()

    def create_all(self) -> None:
        admin = self.account(ADMIN[0], ADMIN[1], role=User.Role.TEACHER, display_name="Admin", superuser=True)
        teacher = self.account(TEACHER[0], TEACHER[1], role=User.Role.TEACHER, display_name="Ms Demo")
        students = [
            self.account(username, STUDENT_PASSWORD, role=User.Role.STUDENT, display_name=f"Student {number}")
            for number, username in enumerate(STUDENT_USERNAMES, start=1)
        ]
        classroom = self.classroom(teacher, students)
        quiz = self.quiz(teacher)
        self.print_logins(admin, teacher, students, classroom, quiz)

    def account(self, username: str, password: str, *, role: str, display_name: str, superuser: bool = False) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=password, role=role, display_name=display_name)
        else:
            user.role = role
            user.is_active = True
            user.set_password(password)
        user.is_superuser = superuser
        user.save()
        return user

    def classroom(self, teacher: User, students: list[User]) -> Classroom:
        name = _(CLASSROOM_NAME)
        classroom = Classroom.objects.filter(name=name, owner=teacher).first()
        if classroom is None:
            classroom = classroom_create(name=name, owner=teacher, self_enrolment=True)
        classroom_enrol(classroom=classroom, students=students)
        return classroom

    def quiz(self, teacher: User) -> Quiz:
        title = _(QUIZ_TITLE)
        quiz = Quiz.objects.filter(title=title, owner=teacher).first()
        if quiz is not None:
            return quiz  # left as the teacher may have edited it
        quiz = Quiz.objects.create(
            title=title,
            owner=teacher,
            description=_("One question of every type, to try a live session with the demo class."),
        )
        quiz.tags.add(Tag.objects.get_or_create(name=QUIZ_TAG)[0])
        for order, spec in enumerate(DEMO_QUESTIONS):
            fields = {key: _(value) if key in TRANSLATED else value for key, value in spec.items() if key != "choices"}
            choices = [(_(text), is_correct) for text, is_correct in spec.get("choices", [])]
            question = Question(quiz=quiz, order=order, **fields)
            try:
                question.full_clean()
            except ValidationError as error:  # pragma: no cover - DEMO_QUESTIONS is checked by the tests
                raise CommandError(f"Demo question {order} is invalid: {error}") from error
            if errors := choice_errors(question_type=question.type, choices=choices):  # pragma: no cover
                raise CommandError(f"Demo question {order} has invalid choices: {errors}")
            question.save()
            Choice.objects.bulk_create(
                Choice(question=question, text=text, is_correct=is_correct, order=index)
                for index, (text, is_correct) in enumerate(choices)
            )
        return quiz

    def print_logins(self, admin, teacher, students, classroom, quiz) -> None:
        rows = [
            (_("Role"), _("Username"), _("Password")),
            (_("admin"), admin.username, ADMIN[1]),
            (_("teacher"), teacher.username, TEACHER[1]),
            *[(_("student"), student.username, STUDENT_PASSWORD) for student in students],
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                _("Demo data is ready: classroom “%(classroom)s” (join code %(code)s), quiz “%(quiz)s”.")
                % {"classroom": classroom.name, "code": classroom.join_code, "quiz": quiz.title}
            )
        )
        write("")
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
        write("")
        write(_("The demo passwords above are set again every time this command runs."))
