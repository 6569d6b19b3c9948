from django.utils.translation import gettext


class DomainError(Exception):
    """A refused request, with a stable `code` that the protocol and the tests use (docs/protocol.md)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def localized(self) -> str:
        """The message in the active language, for pages (the catalogues hold every message: makemessages)."""
        return gettext(self.message)
