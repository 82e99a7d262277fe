from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import kseg
from tests.conftest import BADIMAGES

HOSTILE = sorted((BADIMAGES / "hostile").iterdir())
ODD = BADIMAGES / "odd"


def _png(arr: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG", **kw)
    return buf.getvalue()


def test_loads_bytes_path_and_file_object_identically():
    p = kseg.sample_path("coffee")
    a = kseg.load_image(p)
    b = kseg.load_image(p.read_bytes())
    with open(p, "rb") as fh:
        c = kseg.load_image(fh)
    assert a.rgb.shape == (400, 600, 3) and a.rgb.dtype == np.uint8
    assert np.array_equal(a.rgb, b.rgb) and np.array_equal(a.rgb, c.rgb)
    assert a.alpha is None and a.format == "PNG"


@pytest.mark.parametrize("path", HOSTILE, ids=[p.name for p in HOSTILE])
def test_hostile_files_end_in_an_image_or_a_clear_error_quickly(path: Path):
    t0 = time.perf_counter()
    try:
        img = kseg.load_image(path)
    except kseg.ImageError as exc:
        msg = str(exc)
        assert "Traceback" not in msg and len(msg) > 20
        assert any(w in msg for w in ("JPEG", "limit", "pixels"))
    else:
        assert img.rgb.ndim == 3 and img.rgb.shape[2] == 3 and img.rgb.dtype == np.uint8
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("name", ["hopper_orientation_6.jpg", "hopper_orientation_8.jpg"])
def test_exif_orientation_is_applied(name):
    raw = np.asarray(Image.open(ODD / name).convert("RGB"))
    img = kseg.load_image(ODD / name)
    turn = 1 if name.endswith("6.jpg") else 3  # 6: rotate 270 CCW; 8: 90 CCW
    expected = np.rot90(raw, k=-1 if turn == 1 else 1)
    assert np.array_equal(img.rgb, expected)


def test_exif_orientation_swaps_width_and_height():
    arr = np.zeros((10, 30, 3), np.uint8)
    arr[:, :5] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", exif=exif, quality=95)
    img = kseg.load_image(buf.getvalue())
    assert (img.width, img.height) == (10, 30)


def test_sixteen_bit_is_scaled_not_clipped():
    img = kseg.load_image(ODD / "16bit.cropped.tif")
    assert img.rgb.min() == 0 and img.rgb.max() == 255
    assert 20 < img.rgb.mean() < 235
    assert any("scaled" in n for n in img.notices)


def test_sixteen_bit_png_full_range_maps_to_full_8_bit_range():
    arr = np.linspace(0, 65535, 64 * 4).astype(np.uint16).reshape(4, 64)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    img = kseg.load_image(buf.getvalue())
    assert img.rgb[0, 0, 0] == 0 and img.rgb[-1, -1, 0] == 255
    assert np.all(np.diff(img.rgb[..., 0].ravel().astype(int)) >= 0)


@pytest.mark.parametrize(
    "name", ["1_trns.png", "l_trns.png", "p_trns_single.png", "rgb_trns.png", "pil123rgba.png"]
)
def test_transparency_is_kept_as_alpha(name):
    img = kseg.load_image(ODD / name)
    assert img.alpha is not None and img.alpha.shape == img.rgb.shape[:2]
    assert (img.alpha == 0).any()
    mask = kseg.opaque_mask(img)
    assert np.array_equal(mask, img.alpha > 0)


def test_cmyk_is_converted_to_rgb():
    img = kseg.load_image(ODD / "pil_sample_cmyk.jpg")
    ref = np.asarray(Image.open(ODD / "pil_sample_cmyk.jpg").convert("RGB"))
    assert np.array_equal(img.rgb, ref)
    assert any("CMYK" in n for n in img.notices)


def test_animated_gif_uses_first_frame_with_notice():
    img = kseg.load_image(ODD / "iss634.gif")
    with Image.open(ODD / "iss634.gif") as im:
        first = np.asarray(im.convert("RGB"))
    assert np.array_equal(img.rgb, first)
    assert any("frames; the first one is used" in n for n in img.notices)


def test_grey_and_rgba_bmp_load():
    grey = kseg.load_image(_png(np.full((3, 4), 77, np.uint8)))
    assert grey.rgb.shape == (3, 4, 3) and (grey.rgb == 77).all()
    bmp = kseg.load_image(ODD / "rgba32.bmp")
    assert bmp.rgb.shape[2] == 3


def test_opaque_alpha_is_dropped():
    rgba = np.full((5, 5, 4), 255, np.uint8)
    assert kseg.load_image(_png(rgba)).alpha is None


def test_fully_transparent_image_has_nothing_to_segment():
    img = kseg.load_image(_png(np.zeros((5, 5, 4), np.uint8)))
    with pytest.raises(kseg.ImageError, match="fully transparent"):
        kseg.opaque_mask(img)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "The file is empty"),
        (bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), "not an image"),
        (b"hello, this is text\n" * 50, "not an image"),
        (b"<!doctype html><html><body>hi</body></html>", "not an image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "not an image"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not an image"),
    ],
    ids=["empty", "random", "text", "html", "svg", "pdf"],
)
def test_non_images_are_refused_with_a_plain_message(data, match):
    with pytest.raises(kseg.ImageError, match=match) as info:
        kseg.load_image(data)
    assert "Accepted: JPEG, PNG" in str(info.value) or "empty" in str(info.value)


def test_formats_outside_the_allow_list_never_decode():
    buf = io.BytesIO()
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(buf, "PPM")
    with pytest.raises(kseg.ImageError, match="not an image kseg can read"):
        kseg.load_image(buf.getvalue())


def test_too_many_pixels_refused_from_the_header_before_decoding():
    # A 0.1 MB PNG that declares 12000 x 12000 pixels.
    data = _png(np.zeros((12000, 12000), np.uint8), optimize=False)
    t0 = time.perf_counter()
    with pytest.raises(kseg.ImageError, match=r"144.0 MP.*; the limit is 40 MP"):
        kseg.load_image(data)
    assert time.perf_counter() - t0 < 0.5


def test_pixel_and_byte_limits_are_configurable():
    data = _png(np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(kseg.ImageError, match="the limit is 0 MP"):
        kseg.load_image(data, max_pixels=5000)
    with pytest.raises(kseg.ImageError, match=r"MB; the limit is"):
        kseg.load_image(data, max_bytes=100)


def test_one_by_one_and_very_thin_images_load_and_segment():
    one = kseg.load_image(_png(np.array([[[1, 2, 3]]], np.uint8)))
    assert one.rgb.shape == (1, 1, 3)
    thin = kseg.load_image(
        _png(np.random.default_rng(1).integers(0, 255, (1, 100000, 3), np.uint8))
    )
    assert thin.rgb.shape == (1, 100000, 3)
    r = kseg.segment(thin.rgb, 4)
    assert r.labels.shape == (1, 100000)


def test_jpeg_cut_in_half_is_refused():
    data = kseg.sample_path("rocket").read_bytes()
    with pytest.raises(kseg.ImageError, match="damaged or incomplete"):
        kseg.load_image(data[: len(data) // 2])


def test_missing_path_and_wrong_source_type():
    with pytest.raises(kseg.ImageError, match="cannot be opened"):
        kseg.load_image("/nonexistent/photo.png")
    with pytest.raises(TypeError, match="source must be bytes"):
        kseg.load_image(12345)  # type: ignore[arg-type]


def _jpeg_variants() -> list[tuple[str, bytes]]:
    """Every JPEG of the bad and odd images, the samples, and made ones:
    each subsampling, progressive, greyscale, CMYK, EXIF-turned, cut short,
    bytes flipped mid-stream, and junk after the end."""
    found = [(p.name, p.read_bytes()) for p in sorted(BADIMAGES.rglob("*.jpg"))]
    found.append(("rocket.jpg", kseg.sample_path("rocket").read_bytes()))
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb[:301, :397]
    made = {
        "444": {"subsampling": 0},
        "422": {"subsampling": 1},
        "420": {"subsampling": 2, "quality": 60},
        "progressive": {"progressive": True},
    }
    for name, kw in made.items():
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", **kw)
        found.append((name, buf.getvalue()))
    for mode in ("L", "CMYK"):
        buf = io.BytesIO()
        Image.fromarray(rgb).convert(mode).save(buf, "JPEG")
        found.append((mode, buf.getvalue()))
    turned = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(rgb).save(turned, "JPEG", exif=exif)
    found.append(("turned", turned.getvalue()))
    plain = dict(found)["422"]
    flipped = bytearray(plain)
    for i in range(len(plain) // 2, len(plain) // 2 + 40, 7):
        flipped[i] ^= 0x5A
    found += [("flipped", bytes(flipped)), ("junk after", plain + b"\x00" * 9 + b"junk")]
    found += [("cut", plain[: len(plain) * 2 // 3]), ("cut at a marker", plain[:-2])]
    return found


@pytest.mark.parametrize(
    ("name", "data"), _jpeg_variants(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_opencvs_jpeg_path_gives_pillows_pixels_or_its_error(name, data, monkeypatch):
    """Plain JPEGs are decoded by OpenCV: the pixels, alpha, notices and
    errors are Pillow's for every JPEG, plain or not."""

    def load():
        try:
            image = kseg.load_image(data)
        except kseg.ImageError as exc:
            return str(exc)
        return image

    fast = load()
    monkeypatch.setattr("kseg.files.loading.plain_jpeg_pixels", lambda im, data: None)
    slow = load()
    if isinstance(slow, str):
        assert fast == slow
        return
    assert np.array_equal(fast.rgb, slow.rgb) and fast.alpha is slow.alpha is None
    assert (fast.format, fast.notices) == (slow.format, slow.notices)


def test_a_plain_jpeg_is_decoded_by_opencv():
    from kseg.files.decoding import plain_jpeg_pixels

    data = kseg.sample_path("rocket").read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        rgb = plain_jpeg_pixels(im, data)
    assert rgb is not None and rgb.shape == (427, 640, 3)
    with Image.open(ODD / "hopper_orientation_6.jpg") as im:  # turned: Pillow's path
        assert plain_jpeg_pixels(im, (ODD / "hopper_orientation_6.jpg").read_bytes()) is None
