"""OCR engines behind one small interface, so the pipeline does not care which one read a line."""

from .base import OcrEngine
from .rapid import RapidOcrEngine, get_rapid_engine

__all__ = ["OcrEngine", "RapidOcrEngine", "get_rapid_engine"]
