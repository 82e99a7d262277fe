"""Pictures to look at, made from a result: masks, cut-outs and the
segmented image (``masks``), the page's views and which pixel a click
points at (``views``), small previews (``previews``), regions outlined
and numbered (``numbered``).

May import: ``kseg.base``, ``kseg.engine``.
"""
