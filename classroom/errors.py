class DomainError(Exception):
    """A refused request, with a stable `code` that the protocol and the tests use (docs/protocol.md)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
