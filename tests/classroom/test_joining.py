"""Joining from the wall: the address students type, the QR code of the session's link, and what a visitor who
scans it or types a code is told."""

import re

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from classroom import joining
from classroom.joining import join_host, qr_svg
from classroom.models import LiveSession
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


# --- the address on the wall --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "port", "scheme", "expected"),
    [
        ("quiz.school.example", "443", "https", "quiz.school.example"),
        ("192.168.1.20:8000", "8000", "http", "192.168.1.20:8000"),
        ("127.0.0.1:8000", "8000", "http", "10.0.0.5:8000"),
        ("localhost:8123", "8123", "http", "10.0.0.5:8123"),
        ("[::1]:8000", "8000", "http", "10.0.0.5:8000"),
        ("localhost", "80", "http", "10.0.0.5"),
        ("localhost", "8000", "http", "10.0.0.5:8000"),
    ],
)
def test_a_loopback_host_is_replaced_by_the_first_network_address_with_the_same_port(host, port, scheme, expected):
    assert join_host(host=host, port=port, scheme=scheme, addresses=["10.0.0.5", "172.17.0.1"]) == expected


def test_without_a_network_address_the_host_is_shown_as_it_is():
    assert join_host(host="127.0.0.1:8000", port="8000", scheme="http", addresses=[]) == "127.0.0.1:8000"


@pytest.fixture
def lan(monkeypatch, settings):
    """This machine's only network address is 10.0.0.5 (instead of the real interfaces)."""
    settings.ALLOWED_HOSTS = ["*"]
    monkeypatch.setattr(joining, "network_addresses", lambda: ["10.0.0.5"])


@pytest.mark.parametrize(
    ("host", "shown", "never"),
    [("127.0.0.1:8120", "10.0.0.5:8120", "127.0.0.1"), ("192.168.4.7:8000", "192.168.4.7:8000", "10.0.0.5")],
)
def test_the_projector_shows_the_address_the_phones_can_reach(client, teacher, live_session, lan, host, shown, never):
    """Opened on the server itself (loopback): this machine's network address; opened through the LAN: that one."""
    client.force_login(teacher)

    content = client.get(reverse("session_projector", args=[live_session.pk]), HTTP_HOST=host).content.decode()

    assert f"{shown}/join/" in content
    assert page_qr(content) == f"http://{shown}/s/{live_session.code}/"
    assert never not in content


# --- the QR code ------------------------------------------------------------------------------------------------
def decode_svg(svg: str) -> str:
    """Read the QR code back from segno's drawing: its horizontal runs of dark modules, painted onto an image."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    for command, dx, dy in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(dx), float(dy)
        elif command == "m":
            x, y = x + float(dx), y + float(dy)
        else:
            for column in range(int(x), int(x + float(dx))):
                image.putpixel((column, int(y)), 0)
            x += float(dx)
    found = zxingcpp.read_barcodes(image.resize((size * 8, size * 8), Image.NEAREST))
    assert len(found) == 1, "exactly one QR code"
    return found[0].text


# --- the QR code ------------------------------------------------------------------------------------------------
def page_qr(content: str) -> str:
    """What the QR code on a page says."""
    return decode_svg(re.search(r"<svg[^>]*qc-qr-svg.*?</svg>", content, flags=re.S).group(0))


def test_the_qr_code_is_the_session_link_dark_on_light_with_a_quiet_zone():
    link = "http://10.0.0.5:8000/s/K7P2QX/"

    svg = qr_svg(link, title="Join K7P2QX")

    assert decode_svg(svg) == link
    assert 'stroke="#000"' in svg and 'fill="#fff"' in svg
    assert re.search(r'd="M4 4\.5h', svg), "the first dark module sits after a four-module quiet zone"
    assert "<title>Join K7P2QX</title>" in svg
    assert "style" not in svg and "<script" not in svg  # nothing the Content-Security-Policy would refuse


def test_the_session_pages_show_the_qr_code_of_the_session_link(client, teacher, live_session, lan):
    client.force_login(teacher)

    for name in ("session_projector", "session_control"):
        content = client.get(reverse(name, args=[live_session.pk]), HTTP_HOST="localhost:8000").content.decode()
        assert page_qr(content) == f"http://10.0.0.5:8000/s/{live_session.code}/"


# --- what a visitor is told ---------------------------------------------------------------------------------------
def anonymous_answer(client, method: str, url: str, shown_code: str, **data) -> tuple[int, str]:
    """The response, with the code and the CSRF token (random in every response) written the same way."""
    response = getattr(client, method)(url, data)
    content = CSRF.sub("csrf", response.content.decode()).replace(shown_code, "CODE")
    return response.status_code, content


def test_a_visitor_cannot_tell_a_wrong_code_from_a_session_without_guests(client, live_session):
    other = "ZZZZ99"
    assert not LiveSession.objects.filter(code=other).exists()

    for method, url in (("get", reverse("join")), ("post", reverse("join"))):
        no_session = anonymous_answer(client, method, url, other, code=other)
        no_guests = anonymous_answer(client, method, url, live_session.code, code=live_session.code)
        assert no_session == no_guests
        assert no_guests[0] == 200
        assert "If this code is right, this session is for its class's students: sign in to join." in no_guests[1]

    assert anonymous_answer(client, "get", reverse("student_session", args=[other]), other) == anonymous_answer(
        client, "get", reverse("student_session", args=[live_session.code]), live_session.code
    )


def test_an_ended_session_looks_like_a_wrong_code_to_a_visitor(client, live_session):
    live_session.state = LiveSession.State.ENDED
    live_session.save()

    assert anonymous_answer(client, "post", reverse("join"), live_session.code, code=live_session.code) == (
        anonymous_answer(client, "post", reverse("join"), "ZZZZ99", code="ZZZZ99")
    )


def test_a_signed_in_user_gets_the_precise_answers(client, live_session, student, enrolled_students):
    client.force_login(student)  # not in the class
    wrong = client.post(reverse("join"), {"code": "ZZZZ99"}, follow=True).content.decode()
    assert "No live session has that code." in wrong
    not_ours = client.post(reverse("join"), {"code": live_session.code}, follow=True)
    assert not_ours.status_code == 403
    assert "a class you are not enrolled in" in not_ours.content.decode()

    client.force_login(enrolled_students[0])
    assert client.get(reverse("student_session", args=[live_session.code])).status_code == 200


def test_the_sign_in_link_brings_the_student_back_to_the_session(client, live_session, enrolled_students):
    session_url = reverse("student_session", args=[live_session.code])
    page = client.get(session_url).content.decode()
    sign_in = re.search(r'href="(/accounts/login/\?next=[^"]+)"', page).group(1)
    assert sign_in == f"{reverse('accounts:login')}?next={session_url}"

    form = client.get(sign_in)
    assert form.status_code == 200
    response = client.post(
        sign_in, {"username": enrolled_students[0].username, "password": PASSWORD, "next": session_url}
    )

    assert response.status_code == 302
    assert response["Location"] == session_url
    assert client.get(response["Location"]).status_code == 200


def test_a_visitor_who_scans_a_session_with_guests_is_asked_for_a_name(client, live_session):
    live_session.allow_guests = True
    live_session.save()

    page = client.get(reverse("student_session", args=[live_session.code])).content.decode()

    assert 'name="display_name"' in page
    assert f'action="{reverse("join")}"' in page
    response = client.post(reverse("join"), {"code": live_session.code, "display_name": "Ada"})
    assert response["Location"] == reverse("student_session", args=[live_session.code])


@pytest.mark.parametrize("text", ["A/B", "x" * 200, "<b>"])
def test_text_that_cannot_be_a_code_is_refused_plainly(client, text):
    response = client.post(reverse("join"), {"code": text})

    assert response.status_code == 200
    assert "No live session has that code." in response.content.decode()
