"""The domain's errors. They know nothing of HTTP: the web layer maps each to a response (web/errors.py),
the command line to a message and an exit status."""

from __future__ import annotations


class DedupeError(Exception):
    """Base of every error the service raises on purpose."""


class InvalidInput(DedupeError):
    """An article (or a request about one) that cannot be used, and the field that makes it so."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, prefix: str) -> InvalidInput:
        """The same error, its field named as a wrapper payload has it (e.g. `data.text` in a webhook)."""
        return InvalidInput(prefix + self.field, self.message)


class NotFound(DedupeError):
    """No article or story with that id."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IndexMismatch(DedupeError):
    """The index in Redis was built with other parameters: its signatures are not comparable."""
