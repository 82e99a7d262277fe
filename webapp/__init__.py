"""The pieces of the kseg page (``app.py``), one job a module.

- ``state``: the settings and edits a user chose, the URL round trip and
  what a session keeps; ``links``: a link's values parsed, one rule each;
- ``compute``: the computations (decode, segment, edit, previews, the k
  curve, the ZIP), shared by every session, each a job under the budget;
- ``budget``: the server's memory budget and the first-come admission queue;
- ``cache`` and ``memory``: the byte-bounded caches and the allocator
  settings that hand memory back;
- ``widgets``: the sidebar's inputs, each helper returning plain values;
- ``charts`` and ``markup``: Altair charts and the page's own HTML;
- ``sections``: the parts of the page below the sidebar, in page order.

No image maths here: all of it is in ``kseg``.
"""
