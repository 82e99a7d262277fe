"""The pieces of the kseg page (``app.py``), one job a module.

- ``state``: the settings and edits a user chose, the URL round trip and
  what a session keeps; ``links``: a link's values parsed, one rule each;
- ``compute``: the computations (decode, segment, edit, previews, the k
  curve), shared by every session; ``downloads``: the files made on click;
- ``jobs`` and ``budget``: every heavy job under the server's memory budget,
  in a first-come queue the page shows;
- ``cache`` and ``memory``: the byte-bounded caches and the allocator
  settings that hand memory back;
- ``widgets``: the sidebar's inputs, each helper returning plain values;
- ``charts`` and ``markup``: Altair charts and the page's own HTML;
- ``sections``: the parts of the page below the sidebar, in page order.

No image maths here: all of it is in ``kseg``.
"""
