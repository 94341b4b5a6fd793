"""The domain errors: one base class; each domain names its codes in an enum.

A service refuses by raising its domain's error with a code; `marketplace/error_messages.py`
holds one table of messages per domain, and a test checks that every code has a message in
every language. A code the domain does not name fails where it is raised.
"""

import enum


def error_codes(name: str, names: str) -> type[enum.StrEnum]:
    """A domain's codes, named by their values: `error_codes("CartCode", "sold_out stock")`
    gives CartCode.sold_out == "sold_out"."""
    return enum.StrEnum(name, names.split())


class DomainError(ValueError):
    """A refusal the user is told about in words: `code` is one of the domain's `Code`,
    `field` the form field at fault (if any), `details` what the message needs."""

    Code: type[enum.StrEnum]

    def __init__(self, code: str, field: str | None = None, **details) -> None:
        code = self.Code(code)
        super().__init__(code.value)
        self.code = code
        self.field = field
        self.details = details
