"""Is the photo good enough to read at all? Too dark or too blurred is the participant's to fix with a retake,
not a moderator's to puzzle over."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Measured on 150 generated photos (seed 99991): legible slips had sharpness >= 1950 and mean grey >= 130. Blurred
# with sigma 2 px (sharpness 27-54) all 6 of 6 amounts still read; sigma 3 (sharpness 6-10) only 3 of 6. Scaled to
# 0.2 of their exposure (mean grey 30-40) slips still read 6 of 6. The decision calls a photo unreadable only when
# it is under one of these and its fields did not read, so the bounds sit at the failing side.
MIN_BRIGHTNESS = 30.0
MIN_SHARPNESS = 12.0
_WORK_SIDE = 1000  # px: sharpness is measured at one scale, whatever the upload's size


@dataclass(frozen=True)
class PhotoQuality:
    brightness: float  # mean grey, 0..255
    sharpness: float  # variance of the Laplacian at 1000 px on the long side, of the brightest-contrast half

    @property
    def too_dark(self) -> bool:
        return self.brightness < MIN_BRIGHTNESS

    @property
    def too_blurred(self) -> bool:
        return self.sharpness < MIN_SHARPNESS

    @property
    def poor(self) -> bool:
        return self.too_dark or self.too_blurred

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "brightness": round(self.brightness, 1),
            "sharpness": round(self.sharpness, 1),
            "too_dark": self.too_dark,
            "too_blurred": self.too_blurred,
        }


def photo_quality(pixels: np.ndarray) -> PhotoQuality:
    """Brightness and sharpness of a photo (BGR or grey)."""
    grey = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY) if pixels.ndim == 3 else pixels
    scale = _WORK_SIDE / max(grey.shape[:2])
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    laplacian = cv2.Laplacian(grey, cv2.CV_64F)
    # A slip fills part of the frame; a plain table around it has no edges and would dilute the figure, so
    # sharpness is taken over the tiles that have the most detail.
    tiles = [
        float(tile.var())
        for row in np.array_split(laplacian, 8, axis=0)
        for tile in np.array_split(row, 8, axis=1)
    ]
    tiles.sort(reverse=True)
    sharpness = float(np.mean(tiles[: max(len(tiles) // 4, 1)]))
    return PhotoQuality(brightness=float(grey.mean()), sharpness=sharpness)
