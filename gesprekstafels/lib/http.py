"""Small request helpers every app's views share."""


def posted_int(request, name, *, default=-1):
    """An integer field of a POST, or `default` when it is missing or not a number.

    Versions use the default -1, which never matches, so a garbled version counts as stale.
    """
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return default
