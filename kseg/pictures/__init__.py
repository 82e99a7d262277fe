"""Pictures to look at, made from a result: masks, cut-outs and the
segmented image (``masks``), the page's views and which pixel a click
points at (``views``), small previews (``previews``).

May import: ``kseg.base``, ``kseg.engine``.
"""
