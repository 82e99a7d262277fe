"""Masks as shapes: outlines traced (``tracing``), smoothed (``curves``,
``splines``, ``chains``, ``borders``) and written as SVG path data
(``pathdata``); the layered SVG (``vector``, its layers ordered by
``stacking``) and the paint-by-number sheet (``paint``, printed by
``sheet`` on one page or by ``tiling`` over many, written by ``pdf``).

May import: ``kseg.base``, ``kseg.engine``, ``kseg.pictures``.
"""
