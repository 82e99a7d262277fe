"""Drawing SVG path data without a browser, for the tests: the path
grammar kseg writes (``M``, ``l``, ``q``, ``t``, ``h``, ``v``, ``z``,
relative after ``M``, a command letter repeated implicitly), flattened to
polygons and filled with the even-odd rule; and flat-colour art to draw."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np

from kseg.base.opencv import cv2

#: An SVG number as the path grammar reads it ("1.5.5" is 1.5 and .5; "2-3" is 2 and -3).
NUMBER = r"-?(?:\d+(?:\.\d+)?|\.\d+)"
_ARGS = {"M": 2, "l": 2, "q": 4, "t": 2, "h": 1, "v": 1, "z": 0}


def path_loops(d: str, steps: int = 8, *, tenths: bool = False) -> list[np.ndarray]:
    """Each closed loop of the path ``d`` (in pixels, or in whole
    ``tenths`` of a pixel) as an (n, 2) polygon in pixels, its curves
    flattened into ``steps`` pieces each."""
    tokens = re.findall(rf"[A-Za-z]|{NUMBER}", d)
    assert "".join(tokens) == d.replace(" ", ""), "nothing else in d"
    loops: list[np.ndarray] = []
    points: list[tuple[float, float]] = []
    x = y = cx = cy = 0.0
    start = (0.0, 0.0)
    command, last, i = "", "", 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        assert command in _ARGS, command
        # In tenths of a pixel, as kseg writes them: sums and the curves'
        # points (at dyadic t) are exact, so a border drawn either way round
        # gives the same points.
        args = [round(float(t) * (1 if tenths else 10)) for t in tokens[i : i + _ARGS[command]]]
        i += _ARGS[command]
        if command == "M":
            x, y = args
            start, points = (x, y), [(x, y)]
        elif command == "z":
            assert (x, y) == start, "the loop ends where it started"
            loops.append(np.array(points) / 10)
        elif command in "lhv":
            dx, dy = args if command == "l" else (args[0], 0) if command == "h" else (0, args[0])
            x, y = x + dx, y + dy
            points.append((x, y))
        else:
            if command == "q":
                cx, cy, ex, ey = x + args[0], y + args[1], x + args[2], y + args[3]
            else:
                if last not in "qt":
                    cx, cy = x, y
                else:
                    cx, cy = 2 * x - cx, 2 * y - cy
                ex, ey = x + args[0], y + args[1]
            for t in np.linspace(0, 1, steps + 1)[1:]:
                points.append(
                    (
                        (1 - t) ** 2 * x + 2 * t * (1 - t) * cx + t * t * ex,
                        (1 - t) ** 2 * y + 2 * t * (1 - t) * cy + t * t * ey,
                    )
                )
            x, y = ex, ey
        last = command
    return loops


def element_loops(path: ET.Element, steps: int = 8) -> list[np.ndarray]:
    """The loops of an SVG ``<path>`` element in pixels: its ``d`` in
    pixels, or in tenths where it is drawn at ``scale(.1)``."""
    transform = path.get("transform")
    assert transform in (None, "scale(.1)"), transform
    return path_loops(path.get("d"), steps, tenths=transform is not None)


def fill_element(path: ET.Element, h: int, w: int) -> np.ndarray:
    """:func:`fill_even_odd` of an SVG ``<path>`` element (its transform read)."""
    return fill_loops(element_loops(path), h, w)


def fill_even_odd(d: str, h: int, w: int) -> np.ndarray:
    """(H, W) bool: the pixels whose centres the path ``d`` encloses, by
    the even-odd rule (each edge toggles the centres to its right on the
    rows it crosses, half-open, so a centre on a shared edge falls on
    exactly one side)."""
    return fill_loops(path_loops(d), h, w)


def fill_loops(loops: list[np.ndarray], h: int, w: int) -> np.ndarray:
    """(H, W) bool: the pixel centres the ``loops`` enclose (even-odd)."""
    toggles = np.zeros((h, w + 1), dtype=np.int64)
    centres = np.arange(w) + 0.5
    for loop in loops:
        a, b = loop, np.roll(loop, -1, axis=0)
        for (x0, y0), (x1, y1) in zip(a.tolist(), b.tolist(), strict=True):
            if y0 == y1:
                continue
            if y0 > y1:  # the same sums for an edge either way round
                x0, y0, x1, y1 = x1, y1, x0, y0
            lo, hi = min(y0, y1), max(y0, y1)
            rows = np.arange(max(0, int(np.ceil(lo - 0.5))), min(h, int(np.ceil(hi - 0.5))))
            for r in rows:
                x = x0 + (r + 0.5 - y0) * (x1 - x0) / (y1 - y0)
                toggles[r, np.searchsorted(centres, x, side="left")] ^= 1
    return (np.cumsum(toggles, axis=1)[:, :w] % 2).astype(bool)


def flat_art(h: int, w: int, seed: int, shapes: int = 6, colours: int = 5) -> np.ndarray:
    """(H, W) int16 labels of flat-colour art: ellipses, stars and polygons
    with straight edges and sharp corners, some running off the frame."""
    rng = np.random.default_rng(seed)
    labels = np.zeros((h, w), np.int16)
    side = min(h, w)
    for k in range(1, shapes + 1):
        kind = int(rng.integers(3))
        cx = float(rng.uniform(-w / 8, w + w / 8))
        cy = float(rng.uniform(-h / 8, h + h / 8))
        r = float(rng.uniform(side / 6, side / 2))
        img = np.zeros((h, w), np.uint8)
        if kind == 0:
            axes = (int(r), int(r * rng.uniform(0.4, 1)))
            cv2.ellipse(img, (int(cx), int(cy)), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        else:
            a0 = rng.uniform(0, np.pi)
            if kind == 1:  # a five-pointed star
                angles = a0 + np.arange(10) * np.pi / 5
                radii = np.where(np.arange(10) % 2 == 0, r, 0.45 * r)
            else:
                angles = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 7))))
                radii = np.full(angles.shape, r)
            pts = np.stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)], axis=1)
            cv2.fillPoly(img, [np.round(pts).astype(np.int32)], 1)
        labels[img > 0] = k % colours
    return labels


def border_distance(labels: np.ndarray, points: np.ndarray, scale: int = 4) -> np.ndarray:
    """How far (pixels) each (x, y) point lies from the nearest pixel edge
    between two different labels (or the frame), at 1 / ``scale`` pixel."""
    h, w = labels.shape
    edges = np.ones((h * scale + 1, w * scale + 1), np.uint8)
    vertical = labels[:, 1:] != labels[:, :-1]
    for y, x in zip(*np.nonzero(vertical), strict=True):
        edges[y * scale : (y + 1) * scale + 1, (x + 1) * scale] = 0
    horizontal = labels[1:, :] != labels[:-1, :]
    for y, x in zip(*np.nonzero(horizontal), strict=True):
        edges[(y + 1) * scale, x * scale : (x + 1) * scale + 1] = 0
    edges[0, :] = edges[-1, :] = edges[:, 0] = edges[:, -1] = 0
    dist = cv2.distanceTransform(edges, cv2.DIST_L2, 5) / scale
    ix = np.clip(np.round(points[:, 0] * scale).astype(int), 0, w * scale)
    iy = np.clip(np.round(points[:, 1] * scale).astype(int), 0, h * scale)
    return dist[iy, ix]
