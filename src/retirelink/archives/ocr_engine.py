"""The OCR engine adapter: rapidocr 3 with the models that ship inside its wheel.

rapidocr is an optional extra (``pip install retirelink[ocr]``; ``make setup`` installs it).
Only the default model set is used: any other choice makes rapidocr download models from the
internet, which government private networks do not have (stack-notes.md, OCR).
"""

import importlib.util
import logging
import threading
from typing import Any

from retirelink.archives.holdings import OcrLine
from retirelink.errors import UnavailableError


def ocr_available() -> bool:
    """Whether the OCR extra is installed (without loading the model)."""
    return importlib.util.find_spec("rapidocr") is not None


class RapidOcrEngine:
    """Thread-safe wrapper: the model is loaded once, on first use (about a second)."""

    name = "rapidocr-3"

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._engine is None:
                try:
                    from rapidocr import RapidOCR
                except ImportError:
                    raise UnavailableError(
                        "未安装文字识别组件：请安装 retirelink[ocr]（rapidocr 与 onnxruntime）"
                    ) from None
                # rapidocr logs every model file it checks at INFO; keep the server log quiet.
                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                self._engine = RapidOCR()
            return self._engine

    def recognise(self, image: Any) -> list[OcrLine]:
        import numpy as np

        engine = self._loaded()
        result = engine(np.asarray(image.convert("RGB")))
        texts = result.txts or ()
        boxes = result.boxes if result.boxes is not None else ()
        scores = result.scores or ()
        return [
            OcrLine(str(text), _rectangle(box), float(score))
            for text, box, score in zip(texts, boxes, scores, strict=False)
        ]


def _rectangle(points: Any) -> tuple[int, int, int, int]:
    """The axis-aligned box around rapidocr's four corner points."""
    xs = [float(point[0]) for point in points]
    ys = [float(point[1]) for point in points]
    return int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1
