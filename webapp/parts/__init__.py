"""What both pages draw: inputs (``widgets``), charts (``charts``), the
page's own HTML and text (``markup``), and the first screen first
(``fold``).

May import: ``kseg``, ``webapp.server``, ``webapp.session``.
"""
