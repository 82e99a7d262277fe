"""Import OpenCV with its image decoder limited (kseg decodes with Pillow).

``OPENCV_IO_MAX_IMAGE_PIXELS`` must be set before cv2 is first imported, so
every kseg module imports cv2 from here.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(50_000_000))

import cv2

__all__ = ["cv2"]
