"""Uploaded files are served by the app with DEBUG off: images as images, anything else as a download, and
nothing outside MEDIA_ROOT, whatever the path says."""

import io
from email.utils import formatdate

import pytest
from PIL import Image

from config.media import CACHE_SECONDS


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(tmp_path, settings):
    """MEDIA_ROOT with a question image as uploads name it (quizzes/models.py), and a secret beside it."""
    root = tmp_path / "media"
    (root / "questions" / "2026" / "11").mkdir(parents=True)
    (root / "questions" / "2026" / "11" / "planets.png").write_bytes(png_bytes())
    (tmp_path / "secret.txt").write_text("not for students")
    settings.MEDIA_ROOT = root
    assert settings.DEBUG is False
    return root


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_question_image_is_served_as_an_image_with_nosniff_and_a_long_cache(client, media_root):
    response = client.get("/media/questions/2026/11/planets.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == f"public, max-age={CACHE_SECONDS}"
    assert CACHE_SECONDS >= 7 * 24 * 3600
    assert "attachment" not in response.get("Content-Disposition", "")
    assert read(response) == (media_root / "questions/2026/11/planets.png").read_bytes()


@pytest.mark.parametrize(("name", "content_type"), [("photo.JPG", "image/jpeg"), ("anim.gif", "image/gif")])
def test_each_image_type_keeps_its_own_content_type(client, media_root, name, content_type):
    (media_root / name).write_bytes(b"image bytes")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


@pytest.mark.parametrize("name", ["notes.html", "drawing.svg", "script.js", "README"])
def test_anything_but_an_image_is_a_download_the_browser_may_not_sniff(client, media_root, name):
    (media_root / name).write_text("<script>alert(1)</script>")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret.txt",
        "/media/questions/../../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/..%2fsecret.txt",
        "/media/%2E%2E%2Fsecret.txt",
        "/media/%252e%252e%252fsecret.txt",
        "/media/questions/..%5c..%5csecret.txt",
    ],
)
def test_a_path_that_climbs_out_of_media_root_is_not_found(client, media_root, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"not for students" not in response.content


def test_an_absolute_path_is_not_found(client, media_root, tmp_path):
    assert client.get(f"/media/{tmp_path / 'secret.txt'}").status_code == 404
    assert client.get("/media//etc/passwd").status_code == 404
    assert client.get("/media/%2Fetc%2Fpasswd").status_code == 404


def test_a_symbolic_link_out_of_media_root_is_not_followed(client, media_root, tmp_path):
    (media_root / "link.png").symlink_to(tmp_path / "secret.txt")
    assert client.get("/media/link.png").status_code == 404


def test_a_symbolic_link_that_stays_inside_media_root_is_served(client, media_root):
    (media_root / "same.png").symlink_to(media_root / "questions/2026/11/planets.png")
    assert client.get("/media/same.png").status_code == 200


@pytest.mark.parametrize("path", ["/media/", "/media/questions/", "/media/questions/2026/11"])
def test_a_directory_is_never_listed(client, media_root, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"planets.png" not in response.content


@pytest.mark.parametrize(
    "path", ["/media/missing.png", "/media/questions/2026/11/planets.png%00.txt", "/media/" + "a" * 5000 + ".png"]
)
def test_a_missing_file_is_not_found(client, media_root, path):
    assert client.get(path).status_code == 404


def test_an_unchanged_image_is_not_sent_again(client, media_root):
    response = client.get(
        "/media/questions/2026/11/planets.png", headers={"If-Modified-Since": formatdate(usegmt=True)}
    )
    assert response.status_code == 304


def test_media_accepts_only_reads(client, media_root):
    assert client.head("/media/questions/2026/11/planets.png").status_code == 200
    assert client.post("/media/questions/2026/11/planets.png").status_code == 405
