"""Printable PDF (publicity notices for the notice board, reports) rendered by WeasyPrint.

Templates are ordinary Django templates extending ``print/base.html``, whose stylesheet names the
Noto CJK fonts (Debian's ``fonts-noto-cjk``) so that Chinese renders in the PDF. No network access:
only files under our static directory may be fetched.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR) / "unionhome" / "static"


def _local_fetcher():
    """A fetcher that reads only files under our static directory (no network, no other files)."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("file://") or not Path(url[7:]).resolve().is_relative_to(STATIC_DIR.resolve()):
                raise ValueError(f"refusing to fetch {url!r} while printing")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols={"file"}, fail_on_errors=True)


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render ``template_name`` to HTML and print it to PDF bytes (A4)."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_local_fetcher()).write_pdf()
