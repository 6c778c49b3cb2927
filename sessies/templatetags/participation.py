"""The participants' link as the run view and the projector show it: full URL, short form, QR code."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def join_link(context, link):
    """{"url", "short", "qr"} for an open JoinLink: the URL made absolute with the page's own request.

    The QR code is an image URL, not the image: every push of the run view and the projector
    carries this, and the browser fetches the code once per link (sessies.views.proposals.join_qr).
    """
    url = context["request"].build_absolute_uri(reverse("participate:join", args=[link.token]))
    qr = reverse("sessions:join_qr", args=[link.session_id, link.token])
    return {"url": url, "short": url.split("://", 1)[-1], "qr": qr}
