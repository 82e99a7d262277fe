"""SVG path data written as ASCII bytes (compiled, numba): the exact pixel
boundaries of traced loops as ``h``/``v`` runs (:func:`exact_path`), a
closed quadratic spline as one ``q`` and then ``t`` curves
(:func:`put_curves`), and the short numbers they are made of, in tenths of
a pixel (:func:`put_number`, or whole tenths: :func:`put_tenths`).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "DOTTED",
    "LETTER",
    "PLAIN",
    "exact_path",
    "put_curves",
    "put_int",
    "put_number",
    "put_tenths",
]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: What a number is written after (``put_number``): a command letter, a
#: number without a dot, a number with one.
LETTER, PLAIN, DOTTED = 0, 1, 2


@_jit
def put_int(buf: np.ndarray, n: int, v: int) -> int:
    """Write the decimal ``v`` into ``buf`` at ``n``; returns the new end."""
    if v < 0:
        buf[n] = 45  # "-"
        n += 1
        v = -v
    digits = np.empty(20, dtype=np.uint8)
    k = 0
    while True:
        digits[k] = 48 + v % 10
        k += 1
        v //= 10
        if v == 0:
            break
    for i in range(k - 1, -1, -1):
        buf[n] = digits[i]
        n += 1
    return n


@_jit
def exact_path(corners: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """SVG path data of the loops: ``M x y`` then relative ``h``/``v``
    runs, each loop closed with ``z``; ASCII bytes."""
    buf = np.empty(24 * corners.shape[0] + 8, dtype=np.uint8)
    n = 0
    for i in range(starts.shape[0] - 1):
        a, b = starts[i], starts[i + 1]
        buf[n] = 77  # "M"
        n = put_int(buf, n + 1, corners[a, 0])
        buf[n] = 32
        n = put_int(buf, n + 1, corners[a, 1])
        for j in range(a + 1, b):
            dx = corners[j, 0] - corners[j - 1, 0]
            if dx != 0:
                buf[n] = 104  # "h"
                n = put_int(buf, n + 1, dx)
            else:
                buf[n] = 118  # "v"
                n = put_int(buf, n + 1, corners[j, 1] - corners[j - 1, 1])
        buf[n] = 122  # "z"
        n += 1
    return buf[:n].copy()


@_jit
def put_number(buf: np.ndarray, n: int, v: int, after: int) -> tuple[int, int]:
    """Write ``v`` tenths as a short SVG number (``-12.5``, ``.5``, ``3``);
    a space before it only where it would run into the number ``after``
    (none before ``-``, nor before ``.5`` after a number with a dot).
    Returns the new end and what the next number comes after."""
    a = -v if v < 0 else v
    whole, tenth = a // 10, a % 10
    if v < 0:
        buf[n] = 45  # "-"
        n += 1
    elif after == PLAIN or (after == DOTTED and (whole or not tenth)):
        buf[n] = 32
        n += 1
    if whole or not tenth:
        n = put_int(buf, n, whole)
    if tenth:
        buf[n] = 46  # "."
        buf[n + 1] = 48 + tenth
        n += 2
    return n, DOTTED if tenth else PLAIN


@_jit
def put_tenths(buf: np.ndarray, n: int, v: int, after: int, whole: bool) -> tuple[int, int]:
    """Write ``v`` tenths as :func:`put_number` does, or, where ``whole``,
    as a whole number of tenths (``-125``; for path data drawn at
    ``scale(.1)``, a dot shorter)."""
    if not whole:
        return put_number(buf, n, v, after)
    if v >= 0 and after != LETTER:
        buf[n] = 32
        n += 1
    return put_int(buf, n, v), PLAIN


@_jit
def put_curves(buf: np.ndarray, n: int, vx: np.ndarray, vy: np.ndarray) -> int:
    """Write one closed loop of quadratic curves: through the middles of
    the sides of the polygon ``(vx, vy)`` (in tenths of a pixel, all even),
    each vertex the control point of its curve.  Since a middle is halfway
    between two controls, each control is the reflection of the one before:
    the first curve is ``q`` and the rest are ``t`` (their endpoints only),
    relative, exact in tenths."""
    q = vx.shape[0]
    mx = (vx + np.roll(vx, -1)) // 2
    my = (vy + np.roll(vy, -1)) // 2
    buf[n] = 77  # "M"
    n, after = put_number(buf, n + 1, mx[q - 1], LETTER)
    n, after = put_number(buf, n, my[q - 1], after)
    buf[n] = 113  # "q"
    n, after = put_number(buf, n + 1, vx[0] - mx[q - 1], LETTER)
    n, after = put_number(buf, n, vy[0] - my[q - 1], after)
    n, after = put_number(buf, n, mx[0] - mx[q - 1], after)
    n, after = put_number(buf, n, my[0] - my[q - 1], after)
    if q > 1:
        buf[n] = 116  # "t"
        n += 1
        after = LETTER
    for j in range(1, q):
        n, after = put_number(buf, n, mx[j] - mx[j - 1], after)
        n, after = put_number(buf, n, my[j] - my[j - 1], after)
    buf[n] = 122  # "z"
    return n + 1
