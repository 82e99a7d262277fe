"""The pieces of the kseg page (``app.py``), one job a module.

- ``state``: the settings and edits a user chose, the URL round trip and
  what a session keeps;
- ``compute``: cached computations (decode, segment, edit, previews, the
  k curve), shared by every session;
- ``widgets``: the sidebar's inputs, each helper returning plain values;
- ``charts`` and ``markup``: Altair charts and the page's own HTML;
- ``sections``: the parts of the page below the sidebar, in page order.

No image maths here: all of it is in ``kseg``.
"""
