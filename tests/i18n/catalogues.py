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
# What `make messages` leaves out (Makefile); every other top-level folder is code, templates or catalogues.
NOT_SOURCES = {"bench", "tests", "docs", "staticfiles", "media", "build", "deploy", "node_modules", "__pycache__"}


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
    for source in REPO.iterdir():
        if source.is_dir() and not source.name.startswith(".") and source.name not in NOT_SOURCES:
            ignore = shutil.ignore_patterns("__pycache__", "*.mo", "vendor")
            shutil.copytree(source, workdir / source.name, ignore=ignore)
    shutil.copy2(REPO / "manage.py", workdir / "manage.py")
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
