"""Reading the translation catalogues for the tests: which msgids a catalogue leaves untranslated, and which
placeholders a message carries."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = ["it", "es", "pl", "de"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
# What `make messages` reads: the code and templates, not the tests, the benchmark or the virtualenv.
SOURCES = ["accounts", "classroom", "quizzes", "realtime", "config", "templates", "static/js", "manage.py", "locale"]


def catalogue_path(language: str, root: Path = REPO) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def untranslated(catalogue: polib.POFile) -> list[str]:
    """The msgids with an empty translation (any plural form empty) or marked fuzzy (a guess by msgmerge)."""
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(forms) or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    return missing


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def regenerated_catalogues(workdir: Path) -> dict[str, polib.POFile]:
    """Run `makemessages` (as `make messages` does) on a copy of the code with the committed catalogues, and return
    the merged catalogues: a string marked in the code but missing from a catalogue comes back untranslated."""
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, workdir / name)
    command = [sys.executable, "manage.py", "makemessages", "--domain", "django", "--no-obsolete"]
    for language in LANGUAGES:
        command += ["--locale", language]
    subprocess.run(
        command,
        cwd=workdir,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.local", "PATH": "/usr/bin:/bin", "SECRET_KEY": "catalogues"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {language: polib.pofile(str(catalogue_path(language, workdir))) for language in LANGUAGES}
