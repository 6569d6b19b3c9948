"""The live session pages of the admin: a read-only record of each session and its rounds."""

from django.urls import reverse

from tests.factories import AnswerFactory, RoundFactory


def test_a_session_page_lists_its_rounds_with_their_answer_counts(client, teacher, live_session, enrolled_students):
    question = live_session.quiz.questions.order_by("order").first()
    round_ = RoundFactory(session=live_session, question=question, number=1)
    for student in enrolled_students[:2]:
        AnswerFactory(round=round_, student=student)
    client.force_login(teacher)

    response = client.get(reverse("admin:classroom_livesession_change", args=[live_session.pk]))

    assert response.status_code == 200
    [rounds] = response.context["inline_admin_formsets"]
    assert [form.instance.answer_count for form in rounds.formset.forms] == [2]
    assert not rounds.has_add_permission and not rounds.has_change_permission and not rounds.has_delete_permission
    assert reverse("admin:classroom_livesession_export", args=[live_session.pk]) in response.content.decode()


def test_the_session_list_can_be_filtered_by_state_and_searched_by_code(client, teacher, live_session):
    client.force_login(teacher)
    url = reverse("admin:classroom_livesession_changelist")

    assert list(client.get(url, {"state__exact": "lobby"}).context["cl"].result_list) == [live_session]
    assert list(client.get(url, {"state__exact": "ended"}).context["cl"].result_list) == []
    assert list(client.get(url, {"q": live_session.code}).context["cl"].result_list) == [live_session]
