"""The participants' link as the run view and the projector show it: full URL, short form, QR code."""

import functools

from django import template
from django.urls import reverse

from sessies import participation

register = template.Library()


@register.simple_tag(takes_context=True)
def join_link(context, link):
    """{"url", "short", "qr"} for an open JoinLink, made absolute with the page's own request."""
    url = context["request"].build_absolute_uri(reverse("participate:join", args=[link.token]))
    return {"url": url, "short": url.split("://", 1)[-1], "qr": _qr(url)}


@functools.lru_cache(maxsize=256)
def _qr(url):
    # Every projector and run view render of an open session shows it; the code never changes for a URL.
    return participation.qr_data_uri(url)
