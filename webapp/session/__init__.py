"""One visitor's session: what they chose and the link (``state``), jobs
under the server's budget (``jobs``) and the page's cached computations
(``compute``), from the choices turned into kseg's arguments (``choices``).

May import: ``kseg``, ``webapp.server``.
"""
