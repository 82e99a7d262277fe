"""The "Many photos" page (``app_pages/many_photos.py``): one palette over
several photos (``photos``), its inputs (``widgets``), sections
(``sections``) and downloads (``downloads``).

May import: ``kseg``, ``webapp.server``, ``webapp.session``,
``webapp.parts``.
"""
