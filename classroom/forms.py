from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from classroom.selectors import classrooms_taught_by, quizzes_runnable_by


class SessionStartForm(forms.Form):
    classroom = forms.ModelChoiceField(queryset=None, label=_("Classroom"))
    quiz = forms.ModelChoiceField(queryset=None, label=_("Quiz"))
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
        choices=[("", _("As the projector's browser"))],
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
        self.fields["classroom"].queryset = classrooms_taught_by(user=user)
        self.fields["quiz"].queryset = quizzes_runnable_by(user=user)
        self.fields["language"].choices += [(code, name) for code, name in settings.LANGUAGES]


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
