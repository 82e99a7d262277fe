"""Many photos, one palette: the shared palette and each photo's labels
(``fitting``), and the series' files (``files``).

May import: ``kseg.base``, ``kseg.engine``, ``kseg.pictures``,
``kseg.shapes``, ``kseg.files``.
"""
