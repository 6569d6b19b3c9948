"""Compile the translation catalogues (locale/<lang>/LC_MESSAGES/*.po) into the .mo files Django reads.

GNU gettext's msgfmt (through Django's compilemessages) checks the catalogues most strictly and is used when it is
installed; without it (`apt-get install gettext`) polib, a pure-Python dependency, writes the same files, so a fresh
machine can always serve every language. Run by `make install`.
"""

import shutil
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def compile_with_polib(locale: Path = LOCALE) -> list[Path]:
    import polib

    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        mo_path = po_path.with_suffix(".mo")
        catalogue.save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main() -> int:
    if shutil.which("msgfmt"):
        import django
        from django.core.management import call_command

        django.setup()
        call_command("compilemessages", verbosity=0)
        print("Translations compiled with GNU gettext (msgfmt)")
    else:
        written = compile_with_polib()
        print(f"msgfmt not found (apt-get install gettext): {len(written)} catalogues compiled with polib")
    return 0


if __name__ == "__main__":
    sys.exit(main())
