"""A photo becomes a :class:`~kseg.Segmentation`, and edits make new ones.

The compiled kernels (``kernels``, ``hamerly``, ``pixel_kernels``), a
photo's colours counted and its pixels labelled (``histogram``), Lloyd's
iterations and their first centres (``lloyd``), restarts (``restarts``),
the result (``result``), :func:`~kseg.segment` (``clustering``),
:func:`~kseg.apply_palette` (``applying``), the best N of a list of
colours (``picking``), regions measured (``measuring``) and counted
straight from the pixels (``counting``), named classes of
colours (``classes``), a region of interest (``roi``), choosing k
(``choosing``), merging, cleaning and recolouring (``editing``) and
connected regions (``regions``).

May import: ``kseg.base``.
"""
