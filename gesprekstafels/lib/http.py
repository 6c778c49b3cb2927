"""Small request helpers every app's views share."""

import re


def posted_int(request, name, *, default=-1):
    """An integer field of a POST, or `default` when it is missing or not a number.

    Versions use the default -1, which never matches, so a garbled version counts as stale.
    """
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return default


# Ids as the database stores them: ASCII digits within a signed 64-bit integer. str.isdigit()
# would pass "²" (and int() would pass "١٢"), which the database then refuses with an error.
ID_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_id(value):
    """The id in a query or form value, or None when it is anything but a plain, storable id."""
    value = value if isinstance(value, str) else ""
    return int(value) if ID_DIGITS.fullmatch(value) else None
