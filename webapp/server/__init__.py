"""What every session of the server shares, in plain Python (never
Streamlit): the memory budget (``budget``), the byte-bounded caches
(``cache``), handing memory back (``memory``), uploads at the door
(``uploads``), series photos on disk (``spool``) and the link's rules
(``links``).

May import: ``kseg``.
"""
