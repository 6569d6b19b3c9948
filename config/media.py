"""GET /media/<path>: uploaded question images, served by the app itself in every settings module.

Without it `/media/` is 404 whenever DEBUG is off and no proxy serves the folder (`make run`, a classroom laptop).
Only regular files inside MEDIA_ROOT are served: no directory listings, nothing reached through `..`, an absolute
path or a symbolic link that leads outside. Images go out as their own image type; anything else as a download
(`application/octet-stream`, `Content-Disposition: attachment`), and browsers are told not to guess otherwise, so
a file that only claims to be an image can never run as a page of this site. deploy/nginx.conf does the same for
docker compose.
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

# Types a browser shows as a picture and never runs. SVG is left out on purpose: it may carry scripts.
IMAGE_TYPES = {
    ".avif": "image/avif",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
# Uploaded files are never overwritten (the storage picks a new name for a new file), so a month is safe.
CACHE_SECONDS = 30 * 24 * 3600


def media_file(root: Path, path: str) -> Path:
    """The regular file `path` names inside `root`, or Http404: for a directory, a missing file, or any way out."""
    root = root.resolve()
    relative = Path(path)
    if "\x00" in path or relative.is_absolute() or ".." in relative.parts:
        raise Http404
    try:
        candidate = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError) as error:  # missing, unreadable, or a loop of links
        raise Http404 from error
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise Http404
    return candidate


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse | HttpResponseNotModified:
    file = media_file(Path(settings.MEDIA_ROOT), path)
    modified = file.stat().st_mtime
    if not was_modified_since(request.headers.get("If-Modified-Since"), modified):
        return HttpResponseNotModified()
    content_type = IMAGE_TYPES.get(file.suffix.lower())
    try:
        opened = file.open("rb")
    except OSError as error:  # unreadable by the server, or gone since
        raise Http404 from error
    response = FileResponse(
        opened,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=file.name,
    )
    response.headers["Last-Modified"] = http_date(modified)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
