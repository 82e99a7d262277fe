"""Files in and out: photos read (``loading``, their pixels by
``decoding``), PNGs written (``encoding``), palette files written and read
back (``palette_writing``, ``palette_reading``) and for designers' tools
(``swatches``), classes of colours read (``class_reading``), stitch
patterns (``pattern``), measurements (``measurements``) and how they
were made (``methods``), and a result's files, ZIP
and manifest (``export``), made on several threads, the slowest first
(``zipping``).

May import: ``kseg.base``, ``kseg.engine``, ``kseg.pictures``,
``kseg.shapes``.
"""
