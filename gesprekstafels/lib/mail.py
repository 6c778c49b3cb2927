"""Checks for text that ends up in a mail header (subject, addresses).

A line break in a header starts a new header (header injection); other control characters make
the SMTP server or Python's email package refuse the message on every retry. Both are refused
where the text comes in, with a message the user can act on.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# RFC 5321 limits a forward path to 256 octets including the angle brackets.
MAX_ADDRESS_LENGTH = 254

# Control characters, surrogates and the Unicode line and paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


def has_control_characters(value):
    return any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in value)


def validate_header_text(value):
    if has_control_characters(value):
        raise ValidationError(
            _("The subject cannot contain line breaks or other control characters."), code="header_injection"
        )


def validate_mail_address(value):
    """One recipient address: not too long for the database and SMTP, well formed, one line."""
    if len(value) > MAX_ADDRESS_LENGTH:
        raise ValidationError(
            _("“%(address)s…” is too long: an e-mail address has at most %(max)s characters.")
            % {"address": value[:40], "max": MAX_ADDRESS_LENGTH},
            code="max_length",
        )
    if has_control_characters(value):
        raise ValidationError(
            _("An e-mail address cannot contain line breaks or other control characters."), code="header_injection"
        )
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(address)s” is not a valid e-mail address.") % {"address": value}, code="invalid"
        ) from None
