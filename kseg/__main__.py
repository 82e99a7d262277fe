"""``python -m kseg``: see :mod:`kseg.cli`."""

from kseg.cli import main

raise SystemExit(main())
