"""The page's own HTML and text: palette swatches, the share bar, chips, the
summary line, the "About".

The pages draw this HTML with ``st.html``, not ``st.markdown(...,
unsafe_allow_html=True)``: markdown with HTML in it makes a new visitor's
browser fetch and run a further 190 kB of Streamlit's code (``rehype-raw``)
before the summary and swatches show.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import kseg

#: The pin mark: a small drawn pin (no emoji font needed), hidden from screen
#: readers (the word "pinned" follows it).
PIN_MARK = (
    '<svg aria-hidden="true" width="10" height="12" viewBox="0 0 10 12" '
    'style="vertical-align:-1px"><circle cx="5" cy="3.5" r="3.2" fill="#b3261e"/>'
    '<path d="M5 6.5V11.5" stroke="#3d3d3d" stroke-width="1.4"/></svg>'
)


def palette_html(
    palette: Sequence[dict],
    hidden: frozenset[int] = frozenset(),
    pinned: Sequence[int] = (),
) -> str:
    """A swatch per colour (number, name, share of the photo, and of the rest
    when some colours are background; hex, selected whole with its ``#`` by
    one click; RGB; a pin mark on a pinned colour) and a bar of the shares."""
    rest = {
        i: f" · <span class=kseg-rest>{100 * v:.1f}% of the rest</span>"
        for i, v in rest_shares(palette, hidden).items()
    }
    swatches = "".join(
        f'<div class="kseg-swatch" style="display:inline-block;vertical-align:top;'
        f"margin:0 .6rem .6rem 0;width:8.5rem;font-size:.8rem;line-height:1.3"
        f'{";opacity:.45" if i in hidden else ""}">'
        f'<div style="height:2.6rem;border-radius:.4rem;border:1px solid #6d6c6a;'
        f'background:{p["hex"]}"></div><b>#{i + 1} {html.escape(str(p["name"]))}</b> · '
        f"{100 * p['share']:.1f}%"
        f"{rest.get(i, '')}"
        f'<br><span class="kseg-hex" style="user-select:all">{p["hex"]}</span>'
        f" · RGB {p['r']}, {p['g']}, {p['b']}"
        f"{' · background' if i in hidden else ''}"
        f"{f' · <span class=kseg-pin>{PIN_MARK} pinned</span>' if i in pinned else ''}</div>"
        for i, p in enumerate(palette)
    )
    bar = "".join(
        f'<div title="#{i + 1} {html.escape(str(p["name"]))} {100 * p["share"]:.1f}%" '
        f'style="flex:{p["share"]:.6f};'
        f'background:{p["hex"]}"></div>'
        for i, p in enumerate(palette)
    )
    return (
        f'<div class="kseg-palette">{swatches}</div>'
        f'<div class="kseg-share-bar" style="display:flex;height:1rem;border-radius:.3rem;'
        f'overflow:hidden;border:1px solid #6d6c6a">{bar}</div>'
    )


def rest_shares(palette: Sequence[dict], hidden: frozenset[int]) -> dict[int, float]:
    """Each foreground colour's share of the rest (the photo without the
    background), when some colours are background; else none."""
    if not hidden:
        return {}
    rest = sum(float(p["share"]) for i, p in enumerate(palette) if i not in hidden)
    return {
        i: float(p["share"]) / rest for i, p in enumerate(palette) if i not in hidden and rest > 0
    }


def segmented_alt(palette: Sequence[dict]) -> str:
    """The segmented photo in words: how many colours, each named with its share."""
    parts = ", ".join(
        f"#{i + 1} {p['name']} {100 * p['share']:.0f} %" for i, p in enumerate(palette)
    )
    return f"Segmented into {len(palette)} colours: {parts}"


def card_title(index: int, row: dict, background: bool, rest: float | None = None) -> str:
    """A mask card's title: a colour chip, the number, hex and share (and
    ``rest``, its share of the photo without the background)."""
    of_rest = "" if rest is None else f" ({100 * rest:.1f}% of the rest)"
    return (
        f'<span style="display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;'
        f'vertical-align:middle;background:{row["hex"]};border:1px solid #6d6c6a"></span> '
        f"<b>#{index + 1} {html.escape(str(row['name']))}</b> · {100 * row['share']:.1f}%"
        f"{of_rest} · {row['hex']}" + (" · <i>background</i>" if background else "")
    )


def summary_html(width: int, height: int, k: int, mse: float, seconds: float) -> str:
    """Size, clusters found, objective and time, in one line."""
    return (
        f'<p class="kseg-summary">{width} × {height} px · '
        f"<b>{k}</b> clusters found · objective (mean squared RGB error) "
        f"<b>{mse:.1f}</b> · {seconds:.2f} s</p>"
    )


def reason_html(text: str) -> str:
    """How the suggested k was chosen."""
    return f'<p class="kseg-curve-reason">{html.escape(text)}</p>'


def size_text(nbytes: int) -> str:
    """Bytes for people: "736 MB" under a gigabyte, "1.3 GB" from there."""
    mb = nbytes / 2**20
    return f"{mb:,.0f} MB" if mb < 1000 else f"{nbytes / 2**30:.1f} GB"


def about_text() -> str:
    """The page's "About": what it is, its version and licence."""
    return (
        f"**kseg {kseg.__version__}**: K-means colour segmentation of photos, in the "
        "browser. MIT licence; the sample photos and the colour names keep theirs "
        "(see NOTICE). Photos stay on this server while you use them and are never "
        "sent anywhere else."
    )


def kseg_version() -> str:
    return kseg.__version__


def palette_text(palette: Sequence[dict]) -> str:
    """The colours one a line, ``#e32636 Cadmium red``: what "My colours"
    and kseg's palette reader take, and what designers paste."""
    return "\n".join(f"{p['hex']} {p['name']}" for p in palette)
