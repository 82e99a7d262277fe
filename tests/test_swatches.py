"""Palettes for designers' tools (kseg.files.swatches): Adobe .ase written
and read back, CSS custom properties, a numbered swatch strip; and lists of
one's own colours read with their names."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import kseg
from kseg.files.swatches import ase_bytes, css_text, read_ase, swatch_strip

names_st = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.tuples(*[st.integers(0, 255)] * 3), names_st), min_size=1, max_size=40)
)
def test_an_ase_file_reads_back_its_colours_and_names(swatches):
    colours = np.array([c for c, _ in swatches], np.uint8)
    names = [n.replace("\0", "") or "x" for _, n in swatches]
    data = ase_bytes(colours, names)
    assert data[:4] == b"ASEF" and struct.unpack(">HHI", data[4:12]) == (1, 0, len(names) + 2)
    back, back_names = read_ase(data)
    assert back == [tuple(c) for c in colours.tolist()] and back_names == names
    palette = kseg.load_palette(data)
    assert np.array_equal(palette.colors, colours) and list(palette.names) == names


def _block(kind: int, name: str, model: bytes, values: tuple[float, ...]) -> bytes:
    units = name.encode("utf-16-be") + b"\0\0"
    body = struct.pack(">H", len(units) // 2) + units + model
    body += struct.pack(f">{len(values)}f", *values) + struct.pack(">H", 0)
    return struct.pack(">HI", kind, len(body)) + body


def test_cmyk_grey_and_lab_swatches_from_other_tools_are_read_as_rgb():
    blocks = [
        _block(1, "Process cyan", b"CMYK", (1.0, 0.0, 0.0, 0.0)),
        _block(1, "Mid grey", b"Gray", (0.5,)),
        _block(1, "Lab white", b"LAB ", (1.0, 0.0, 0.0)),
    ]
    data = b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)
    colours, names = read_ase(data)
    assert names == ["Process cyan", "Mid grey", "Lab white"]
    assert colours[0] == (0, 255, 255) and colours[1] == (128, 128, 128)
    assert all(v >= 254 for v in colours[2])


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"ASEF" + struct.pack(">HHI", 1, 0, 3), "cut short"),
        (b"ASEF" + struct.pack(">HHI", 1, 0, 10**9), "cannot be a palette"),
        (b"ASEF" + struct.pack(">HHI", 1, 0, 1) + _block(1, "x", b"HSV ", (0, 0, 0)), "model"),
    ],
)
def test_broken_ase_files_get_a_clear_palette_error(data, match):
    with pytest.raises(kseg.PaletteError, match=match):
        kseg.load_palette(data)


def test_css_names_each_colour_once_in_a_custom_property():
    colours = np.array([[255, 0, 0], [0, 0, 0]], np.uint8)
    css = css_text(colours, ["Cadmium red */ x", "Mars Black"])
    props = re.findall(r"--kseg-(\d+)-([a-z0-9-]+): (#[0-9a-f]{6}); /\* (.*) \*/", css)
    assert props == [
        ("1", "cadmium-red-x", "#ff0000", "Cadmium red * / x"),
        ("2", "mars-black", "#000000", "Mars Black"),
    ]
    assert css.startswith(":root {") and css.rstrip().endswith("}")


def test_the_swatch_strip_shows_each_colour_with_its_number():
    colours = np.array([[250, 240, 230], [20, 30, 40], [200, 0, 0]], np.uint8)
    strip = swatch_strip(colours, side=64)
    assert strip.shape == (64, 192, 3)
    for i, c in enumerate(colours):
        square = strip[:, 64 * i : 64 * (i + 1)]
        assert (square[2, 2] == c).all() and (square[-3, -3] == c).all()
        assert (square != c).any(axis=2).sum() > 30  # its number drawn on it


def test_a_list_of_own_colours_keeps_its_names_in_every_form():
    text = b"#E32636 Cadmium red\nTitanium white ffffff\n#000000\n"
    assert kseg.load_palette(text).names == ("Cadmium red", "Titanium white", "black")
    assert kseg.load_palette(b"#ff0000, #00ff00 #0000ff").names == ()  # no names: words later
    gpl = b"GIMP Palette\nName: paints\n#\n227 38 54 Cadmium red\n0 0 0\n"
    assert kseg.load_palette(gpl).names == ("Cadmium red", "black")
    csv = b"hex,name\n#e32636,Cadmium red\n#ffffff,Titanium white\n"
    assert kseg.load_palette(csv).names == ("Cadmium red", "Titanium white")
    doc = json.dumps([{"hex": "#e32636", "name": "Cadmium red"}, "#ffffff"]).encode()
    assert kseg.load_palette(doc).names == ("Cadmium red", "white")


def test_the_zip_holds_the_palette_for_designers_tools(coffee_rgb):
    result = kseg.segment(coffee_rgb, 4, seed=0)
    files = dict(kseg.export_files(coffee_rgb, result))
    assert kseg.load_palette(files["palette.ase"]).colors.tolist() == result.centers.tolist()
    assert files["palette.css"].decode().count("--kseg-") == 4
    strip = np.asarray(Image.open(io.BytesIO(files["palette.png"])))
    assert strip.shape[1] == 4 * strip.shape[0]
    pal = kseg.fit_shared_palette([coffee_rgb], 3, seed=0)
    photos = [("coffee.png", coffee_rgb, None, kseg.apply_palette(coffee_rgb, pal.centers_float))]
    zf = zipfile.ZipFile(io.BytesIO(kseg.series_zip(photos, pal, count=1)))
    assert {"palette.ase", "palette.css", "palette.png"} <= set(zf.namelist())
    assert kseg.load_palette(zf.read("palette.ase")).colors.tolist() == pal.centers.tolist()
