"""Reading text files safely: UTF-8 only, with a clear word for the encodings teachers' programs save by mistake;
and HTML question text turned into the plain text Quizcast stores."""

import html
import re
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from quizzes.formats.drafts import FileRefused


def save_as_utf8() -> str:
    return _(
        "Save it as UTF-8 and try again (in a text editor: “Save as”, encoding “UTF-8”; in a spreadsheet: “CSV UTF-8”)."
    )


def decode_utf8(data: bytes) -> str:
    """The file's text, without a byte order mark; refuses empty files and every encoding but UTF-8."""
    if not data.strip():
        raise FileRefused("empty_file", _("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        raise FileRefused("utf16", _("The file is UTF-16 text, which Quizcast does not read. ") + save_as_utf8())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            "not_utf8",
            _(
                "The file is not UTF-8 text: it looks like Latin-1 or Windows-1252 (first character that is not "
                "UTF-8 on line %(line)d). "
            )
            % {"line": line}
            + save_as_utf8(),
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _TextExtractor(HTMLParser):
    PARAGRAPHS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol", "table"})
    LINES = frozenset({"li", "tr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[dict[str, str]] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            self.images.append({name: value or "" for name, value in attrs})

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag in self.LINES:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> tuple[str, list[dict[str, str]]]:
    """Plain text with a blank line between paragraphs and a line break for <br>, and the attributes of every <img>."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, extractor.images


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs, keeping line breaks."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join("<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs)
