"""A small PDF writer: pages of content operators in millimetres, Helvetica
as /F1, and optionally one drawing (a form) that every page may place with
``/S0 Do``, so a drawing printed over many pages is stored once.
"""

from __future__ import annotations

import zlib

__all__ = ["PT", "Form", "mm_from_top", "pdf_file", "pdf_pages"]

PT = 72 / 25.4  # points per millimetre

#: A drawing placed by the pages: its content operators and its box (mm).
Form = tuple[list[str], float, float]


def mm_from_top(height_mm: float) -> str:
    """The operator that makes a page of ``height_mm`` drawn in millimetres
    from its top-left corner (PDF counts points from the bottom-left)."""
    return f"{PT:.6f} 0 0 {-PT:.6f} 0 {height_mm * PT:.4f} cm"


def pdf_file(ops: list[str], width_mm: float, height_mm: float) -> bytes:
    """A one-page PDF of the content operators ``ops`` on paper of
    ``width_mm`` x ``height_mm``, with Helvetica as /F1."""
    return pdf_pages([ops], width_mm, height_mm)


def pdf_pages(
    pages: list[list[str]], width_mm: float, height_mm: float, form: Form | None = None
) -> bytes:
    """A PDF of one page per list of content operators, each on paper of
    ``width_mm`` x ``height_mm``, with Helvetica as /F1 and ``form`` (if
    given) as /S0."""
    w_pt, h_pt = width_mm * PT, height_mm * PT
    first_page = 4 + (form is not None)
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    resources = "/Font << /F1 3 0 R >>" + (" /XObject << /S0 4 0 R >>" if form else "")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if form is not None:
        ops, fw, fh = form
        box = f"/BBox [0 0 {fw:.3f} {fh:.3f}]"
        head = f"/Type /XObject /Subtype /Form {box} /Resources << /Font << /F1 3 0 R >> >> "
        objects.append(_stream(ops, head))
    for i, ops in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.2f} {h_pt:.2f}] "
            f"/Resources << {resources} >> /Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objects.append(_stream(ops, ""))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(ops: list[str], head: str) -> bytes:
    content = zlib.compress("\n".join(ops).encode("latin-1"))
    return (
        f"<< {head}/Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode()
        + content
        + b"\nendstream"
    )
