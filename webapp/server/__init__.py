"""What every session of the server shares, in plain Python (never
Streamlit): the memory budget (``budget``), the byte-bounded caches
(``cache``), handing memory back (``memory``), uploads at the door
(``uploads``), series photos on disk (``spool``), the link's rules
(``links``) and the engine's compiled kernels on a fresh host (``kernels``).

May import: ``kseg``.
"""
