"""Without GNU gettext the catalogues still compile (polib), into .mo files that Python's gettext reads."""

import gettext
import shutil

from config.compile_catalogues import LOCALE, compile_with_polib


def test_catalogues_compile_without_msgfmt_with_plural_forms(tmp_path):
    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    written = compile_with_polib(tmp_path / "locale")
    assert {path.parent.parent.name for path in written} == {"it", "es", "pl", "de"}
    polish = gettext.translation("django", localedir=tmp_path / "locale", languages=["pl"])
    assert polish.gettext("Sign in") == "Zaloguj się"
    singular = "%(count)d classroom has a new join code; the old one no longer works."
    plural = "%(count)d classrooms have new join codes; the old ones no longer work."
    one, few, many = (polish.ngettext(singular, plural, n) % {"count": n} for n in (1, 3, 5))
    assert one.startswith("1 klasa ma")
    assert few.startswith("3 klasy mają")
    assert many.startswith("5 klas ma")
