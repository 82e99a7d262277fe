"""The "One photo" page (``app_pages/one_photo.py``): its sections in
page order (``sections``), clicking a colour (``pointing``), the
paint-by-number view (``paint_view``) and its downloads (``downloads``).

May import: ``kseg``, ``webapp.server``, ``webapp.session``,
``webapp.parts``.
"""
