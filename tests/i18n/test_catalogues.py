"""Every string is translated into every language, with its placeholders and the language's plural forms."""

import shutil

import polib
import pytest

from tests.i18n.catalogues import LANGUAGES, catalogue_path, placeholders, regenerated_catalogues, untranslated


@pytest.fixture(scope="module")
def catalogues() -> dict[str, polib.POFile]:
    return {language: polib.pofile(str(catalogue_path(language))) for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_has_no_untranslated_string(catalogues, language):
    missing = untranslated(catalogues[language])
    assert not missing, f"{len(missing)} msgids untranslated in {catalogue_path(language)}:\n" + "\n".join(
        f"  msgid {msgid!r}" for msgid in missing
    )


@pytest.mark.skipif(not shutil.which("xgettext"), reason="makemessages needs GNU gettext: apt-get install gettext")
def test_every_string_marked_in_the_code_is_translated_in_every_catalogue(tmp_path):
    regenerated = regenerated_catalogues(tmp_path)
    report = {language: untranslated(catalogue) for language, catalogue in regenerated.items()}
    report = {language: missing for language, missing in report.items() if missing}
    assert not report, "Strings without a translation (run `make messages`, then translate them):\n" + "\n".join(
        f"  {language}: msgid {msgid!r}" for language, missing in report.items() for msgid in missing
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(catalogues, language):
    wrong = []
    for entry in catalogues[language]:
        if "fuzzy" in entry.flags:
            continue  # a guess by msgmerge, reported as untranslated above
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            forms = list(entry.msgstr_plural.values())
            if not all(forms):
                continue  # untranslated: reported above
            # A singular form may spell out "one" instead of the number; every other form names them all.
            if any(placeholders(form) - expected for form in forms) or placeholders(forms[-1]) != expected:
                wrong.append(entry.msgid)
        elif entry.msgstr and placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert not wrong, f"Translations in {language} that lose or add a placeholder: {wrong}"


@pytest.mark.parametrize(("language", "forms"), [("it", 2), ("es", 2), ("pl", 3), ("de", 2)])
def test_plural_messages_have_every_form_of_the_language(catalogues, language, forms):
    catalogue = catalogues[language]
    assert f"nplurals={forms};" in catalogue.metadata["Plural-Forms"]
    plurals = [entry for entry in catalogue if entry.msgid_plural]
    assert plurals, "no plural message to check"
    assert all(len(entry.msgstr_plural) == forms for entry in plurals)
