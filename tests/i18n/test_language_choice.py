"""The language follows the browser, can be chosen in the footer (kept in a cookie), and plurals follow it."""

from datetime import UTC

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """The test client's requests leave their language active in this thread: later tests expect English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


SIGN_IN = {"en": "Sign in", "it": "Accedi", "es": "Iniciar sesión", "pl": "Zaloguj się", "de": "Anmelden"}


@pytest.mark.parametrize(("language", "text"), SIGN_IN.items())
def test_sign_in_page_follows_the_browser_language(client, language, text):
    response = client.get(reverse("accounts:login"), headers={"accept-language": f"{language},en;q=0.5"})
    assert response.headers["Content-Language"] == language
    assert f'<html lang="{language}">' in response.text
    assert f">{text}</button>" in response.text


def test_footer_switcher_keeps_the_choice_in_a_cookie(client):
    page = client.get(reverse("accounts:login"), headers={"accept-language": "de"})
    assert 'id="language-select"' in page.text
    assert '<option value="pl" lang="pl">Polski</option>' in page.text
    response = client.post(reverse("set_language"), {"language": "pl", "next": reverse("accounts:login")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    again = client.get(reverse("accounts:login"), headers={"accept-language": "de"})
    assert again.headers["Content-Language"] == "pl"
    assert '<option value="pl" lang="pl" selected>' in again.text


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 klasa ma"), (2, "2 klasy mają"), (5, "5 klas ma"), (22, "22 klasy mają"), (12, "12 klas ma")],
)
def test_polish_uses_its_three_plural_forms(count, expected):
    singular = "%(count)d classroom has a new join code; the old one no longer works."
    plural = "%(count)d classrooms have new join codes; the old ones no longer work."
    with translation.override("pl"):
        assert (ngettext(singular, plural, count) % {"count": count}).startswith(expected)


def test_the_projector_speaks_the_language_the_teacher_fixed_for_the_session(client, live_session, teacher):
    live_session.language = "it"
    live_session.save()
    client.force_login(teacher)
    projector = client.get(reverse("session_projector", args=[live_session.pk]), headers={"accept-language": "de"})
    control = client.get(reverse("session_control", args=[live_session.pk]), headers={"accept-language": "de"})
    assert projector.headers["Content-Language"] == "it"
    assert "Classifica finale" in projector.text
    assert control.headers["Content-Language"] == "de"


def test_the_dashboard_starts_a_session_with_a_projector_language(client, classroom, quiz, teacher):
    client.force_login(teacher)
    response = client.post(
        reverse("dashboard"), {"classroom": classroom.pk, "quiz": quiz.pk, "language": "pl"}, follow=False
    )
    assert response.status_code == 302
    assert classroom.sessions.get().language == "pl"


@pytest.mark.parametrize(
    ("language", "ended", "started"),
    [("de", "30.11.2026", "vor 5\xa0Minuten gestartet"), ("pl", "30-11-2026", "rozpoczęta 5\xa0minut temu")],
)
def test_dashboard_dates_follow_the_language(client, classroom, quiz, teacher, language, ended, started):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from classroom.models import LiveSession
    from tests.factories import LiveSessionFactory

    LiveSessionFactory(
        classroom=classroom,
        quiz=quiz,
        started_by=teacher,
        state=LiveSession.State.ENDED,
        ended_at=datetime(2026, 11, 30, 9, 5, tzinfo=UTC),
    )
    live = LiveSessionFactory(classroom=classroom, quiz=quiz, started_by=teacher)
    LiveSession.objects.filter(pk=live.pk).update(created_at=timezone.now() - timedelta(minutes=5, seconds=2))
    client.force_login(teacher)
    page = client.get(reverse("dashboard"), headers={"accept-language": language}).text
    assert ended in page
    assert started in page


def test_a_refusal_from_a_service_reads_in_the_pages_language(client, student):
    client.force_login(student)
    response = client.post(
        reverse("classroom_join"), {"join_code": "ZZZZZZ"}, headers={"accept-language": "es"}, follow=True
    )
    assert "Ninguna clase acepta ese código. Compruébalo con tu profesor." in response.text
