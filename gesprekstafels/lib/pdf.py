"""Render a page template as PDF with WeasyPrint, for every app's printable pages.

The same template serves the page and the PDF: it extends `layout`, which is the site's
base for HTML and `pdf_base.html` (print CSS inlined, fonts from the system) for PDF.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

PDF_LAYOUT = "pdf_base.html"


def render_pdf_bytes(template_name, context, request=None):
    html = render_to_string(template_name, {**context, "layout": PDF_LAYOUT, "is_pdf": True}, request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    # The PDF layout inlines its CSS and uses installed fonts, so only data: URIs are
    # allowed: rendering never reaches out to the network, whatever a template contains.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def pdf_response(template_name, context, request, filename, *, inline=True):
    response = HttpResponse(render_pdf_bytes(template_name, context, request), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
