"""Camera frames from the browser: JPEG bytes to RGB arrays."""

from __future__ import annotations

import io
import logging

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)


def decode_jpeg(data: bytes | memoryview) -> npt.NDArray[np.uint8] | None:
    """RGB uint8 (H x W x 3) from JPEG bytes, or None when no decoder is installed or it is broken."""
    try:
        try:
            from PIL import Image
        except ImportError:
            import cv2

            bgr = cv2.imdecode(np.frombuffer(bytes(data), dtype=np.uint8), cv2.IMREAD_COLOR)
            return None if bgr is None else np.ascontiguousarray(bgr[:, :, ::-1])
        with Image.open(io.BytesIO(bytes(data))) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except ImportError:
        log.warning("no JPEG decoder (install pillow): camera frames are not decoded")
    except Exception:
        log.warning("a camera frame could not be decoded", exc_info=True)
    return None
