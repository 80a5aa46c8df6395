"""QR codes drawn into console pages as inline SVG: no request of their own, and they print with the page."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    # The SVG is drawn here from our own text, without its XML declaration: safe to inline.
    return Markup(buffer.getvalue().decode().split("?>", 1)[-1])
