"""The pieces of the kseg pages (``app.py``, ``app_pages/``), by job, each
group importing only the groups listed before it:

- ``server``: what every session shares, in plain Python (budget, caches,
  memory, uploads, spool, the link's rules);
- ``session``: one visitor's settings and link, jobs, cached computations;
- ``parts``: what both pages draw (widgets, charts, markup, the fold);
- ``one_photo`` and ``many_photos``: each page's own sections, inputs and
  downloads, mirroring ``app_pages/``.

No image maths here: all of it is in ``kseg``.
"""
