"""The pieces of the kseg page (``app.py``), one job a module.

- ``state``: the settings and edits a user chose, the URL round trip and
  what a session keeps;
- ``compute``: the computations (decode, segment, edit, previews, the k
  curve, the ZIP), shared by every session, and what a session keeps;
- ``cache`` and ``memory``: the byte-bounded cache of full-size pieces and
  the allocator settings that hand memory back;
- ``widgets``: the sidebar's inputs, each helper returning plain values;
- ``charts`` and ``markup``: Altair charts and the page's own HTML;
- ``sections``: the parts of the page below the sidebar, in page order.

No image maths here: all of it is in ``kseg``.
"""
