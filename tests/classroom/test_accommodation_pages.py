"""The teacher sets accommodations on the enrolment in the admin; the student's page and the teacher's page get them."""

import json
import re

import pytest
from django.urls import reverse

from classroom.models import Enrolment

pytestmark = pytest.mark.django_db


def page_config(response) -> dict:
    match = re.search(r'<script id="page-config" type="application/json">(.*?)</script>', response.text, re.S)
    return json.loads(match.group(1))


def test_the_student_page_knows_the_students_extra_time_and_read_aloud(client, live_session, enrolled_students):
    student = enrolled_students[0]
    Enrolment.objects.filter(student=student).update(extra_time="2", read_aloud=True)
    client.force_login(student)
    config = page_config(client.get(reverse("student_session", args=[live_session.code])))
    assert config["accommodations"] == {"extraTime": "2", "readAloud": True}
    client.force_login(enrolled_students[1])
    config = page_config(client.get(reverse("student_session", args=[live_session.code])))
    assert config["accommodations"] == {"extraTime": "", "readAloud": False}


def test_the_teacher_page_counts_students_with_extra_time(client, live_session, enrolled_students, teacher):
    Enrolment.objects.filter(student__in=enrolled_students[:2]).update(extra_time="1.5")
    client.force_login(teacher)
    config = page_config(client.get(reverse("session_control", args=[live_session.pk])))
    assert config["extraTimeCount"] == 2


def test_the_admin_sets_extra_time_on_the_enrolment(client, classroom, enrolled_students, teacher):
    client.force_login(teacher)
    page = client.get(reverse("admin:classroom_classroom_change", args=[classroom.pk]))
    assert page.status_code == 200
    assert 'name="enrolments-0-extra_time"' in page.text
    assert 'name="enrolments-0-read_aloud"' in page.text
