"""Labelling a large series on a cluster scheduler: one task per photo,
each the ``kseg PHOTO --palette PALETTE --out OUT/NAME`` command, so every
photo's folder is byte for byte what one ``kseg --palette`` run over all
of them writes (and its ``shares.csv`` that run's row for the photo).

kseg does not import a scheduler: :func:`label_on` takes any client with
Dask's ``map`` and ``gather`` (``dask.distributed.Client``; ``pip install
kseg[dask]``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kseg.files.export import unique_stems

__all__ = ["label_on", "label_one"]


def label_one(photo: str, palette: str, out: str) -> int:
    """``kseg PHOTO --palette PALETTE -q --out OUT``: one task; returns the
    command's exit status (0 when the photo was labelled)."""
    from kseg.cli import main  # the command itself, on the worker

    return main([photo, "--palette", palette, "-q", "--out", out])


def label_on(
    client: Any,
    photos: Sequence[str | os.PathLike[str]],
    palette: str | os.PathLike[str],
    out: str | os.PathLike[str],
) -> dict[str, int]:
    """Label every photo with ``palette`` on ``client``'s workers, one task
    per photo, into ``out/NAME/`` (NAME as one ``kseg`` run names its
    folders; each holds the photo's folder and its ``shares.csv``).

    Parameters
    ----------
    client : dask.distributed.Client or alike
        Anything with ``map(fn, *iterables, pure=...)`` and ``gather(futures)``.
    photos : sequence of paths
        The photos; the workers must see them at these paths.
    palette : path
        A palette file (``palette.json``, ``.csv`` or ``.gpl``, as a
        ``kseg --shared-palette`` run writes it).
    out : path
        The folder the workers write into (shared with them).

    Returns
    -------
    dict
        Each photo's path and its task's exit status (0: labelled; 1: the
        photo could not be used, as the command reports it).
    """
    paths = [os.fspath(p) for p in photos]
    if not paths:
        msg = "photos must name at least one photo"
        raise ValueError(msg)
    names = unique_stems(paths)
    outs = [os.fspath(Path(out) / n) for n in names]
    futures = client.map(label_one, paths, [os.fspath(palette)] * len(paths), outs, pure=False)
    return dict(zip(paths, client.gather(futures), strict=True))
