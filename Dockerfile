# The Quizcast image: one worker per container (`python -m config.serve`), the same command everywhere.
# docker-compose.yml runs it as the `migrate` one-off and as the scalable `web` service (docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Dependencies first: a change to the code alone does not reinstall them. The project installs no packages of
# its own (pyproject.toml), only its pinned dependencies; the code runs from /app.
COPY pyproject.toml README.md* ./
RUN pip install .

COPY . .
# The translations' .mo files are built, not committed (msgfmt is absent here, so polib writes them).
RUN python -m config.compile_catalogues

# A user without privileges; the static and media folders are where the compose volumes mount, owned by it so
# that named volumes start out writable.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin quizcast \
    && mkdir -p /app/staticfiles /app/media \
    && chown quizcast:quizcast /app/staticfiles /app/media
USER quizcast

EXPOSE 8000
CMD ["python", "-m", "config.serve", "--host", "0.0.0.0", "--port", "8000"]
