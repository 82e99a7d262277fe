"""What every part of kseg uses: argument checks (``validation``), the
thread pool (``parallel``), colour names (``naming``), the one OpenCV
import (``opencv``) and the version (``version``).

May import: no other kseg module.
"""
