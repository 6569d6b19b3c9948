from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classroom.models import Classroom, LiveSession
from classroom.selectors import classrooms_taught_by, quizzes_runnable_by
from quizzes.models import Quiz

PROJECTOR_BROWSER_LANGUAGE = ("", _("As the projector's browser"))


class SessionStartForm(forms.Form):
    # Emptied here; each form offers the teacher's own (__init__).
    classroom = forms.ModelChoiceField(queryset=Classroom.objects.none(), label=_("Classroom"))
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), label=_("Quiz"))
    pacing = forms.ChoiceField(
        required=False,  # teacher-paced unless chosen
        choices=LiveSession.Pacing.choices,
        initial=LiveSession.Pacing.TEACHER,
        widget=forms.RadioSelect,
        label=_("Pacing"),
        help_text=_(
            "Teacher-paced: you send each question to the class. Student-paced: each student goes through the quiz "
            "at their own pace, for homework or a class that finishes at different speeds."
        ),
    )
    closes_at = forms.DateTimeField(
        required=False,
        label=_("Closes at (student-paced)"),
        help_text=_("Server time. Leave empty to keep it open until you end it."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    show_correct = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Show the correct answer after each question (student-paced)"),
    )
    shuffle_questions = forms.BooleanField(required=False, label=_("Shuffle question order per student"))
    shuffle_choices = forms.BooleanField(required=False, label=_("Shuffle choice order per student"))
    speed_bonus = forms.BooleanField(
        required=False,
        label=_("Speed bonus"),
        help_text=_("Faster correct answers earn up to 50% more points."),
    )
    allow_guests = forms.BooleanField(
        required=False,
        label=_("Let guests join with the code"),
        help_text=_("Anyone with the code can take part under a display name, without an account."),
    )
    language = forms.ChoiceField(
        required=False,
        label=_("Projector language"),
        choices=[PROJECTOR_BROWSER_LANGUAGE],
        help_text=_("Students and you still see the language each of you chose."),
    )
    live_results = forms.BooleanField(
        required=False,
        label=_("Show live results on the projector"),
        help_text=_(
            "For polls and surveys: the projector shows the answers while the question is open. Off, it shows "
            "how many answered, and the answers once you close the question."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        classroom, quiz, language = self.fields["classroom"], self.fields["quiz"], self.fields["language"]
        assert isinstance(classroom, forms.ModelChoiceField) and isinstance(quiz, forms.ModelChoiceField)
        assert isinstance(language, forms.ChoiceField)
        classroom.queryset = classrooms_taught_by(user=user)
        quiz.queryset = quizzes_runnable_by(user=user)
        language.choices = [PROJECTOR_BROWSER_LANGUAGE, *settings.LANGUAGES]

    def clean_pacing(self):
        return self.cleaned_data["pacing"] or LiveSession.Pacing.TEACHER

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at is not None and closes_at <= timezone.now():
            raise forms.ValidationError(_("The closing time must be in the future."))
        return closes_at


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Session code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}),
    )


class GuestJoinForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=40, help_text=_("Your teacher will see it."))


class ClassroomJoinForm(forms.Form):
    join_code = forms.CharField(label=_("Classroom join code"), max_length=12)
