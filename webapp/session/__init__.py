"""One visitor's session: what they chose and the link (``state``), jobs
under the server's budget (``jobs``) and the page's cached computations
(``compute``).

May import: ``kseg``, ``webapp.server``.
"""
