"""A decoded page measured and made into its derivatives, the thumbnail and the view image.

``describe`` turns a decoded page into a :class:`~retirelink.archives.scan_quality.PageScan`:
the colour mode seen in the pixels, a blank-page flag and the estimated skew, measured on an
image of about ``ANALYSIS_EDGE`` px long edge, and two JPEGs for the browser (which cannot
show TIFF, JPEG2000 or PDF), both made from the reduced image: the thumbnail and the view.
"""

import io
import math
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from retirelink.archives.holdings import ColourMode, ImageFormat
from retirelink.archives.scan_quality import PageScan
from retirelink.archives.scan_raster import Decoded, fit

THUMBNAIL_EDGE: Final = 256
VIEW_EDGE: Final = 1600
VIEW_SLACK: Final = 1.125
# Colour, blank and skew are measured on the view image box-reduced to about this long edge.
ANALYSIS_EDGE: Final = 800
THUMBNAIL_QUALITY: Final = 75
VIEW_QUALITY: Final = 80

# A pixel is ink when it is this much darker than the paper (the page's 90th grey percentile).
_INK_CONTRAST = 60
# Ink coverage below this share of the page interior is a blank page (空白页).
_BLANK_MAX_INK = 0.0005
# The outer 4 % on each side is ignored for blank and skew (scanner shadows, punch holes).
_MARGIN = 0.04
# Colour: some pixels clearly coloured (a red seal, a photo) ...
_CHROMA_STRONG = 12
_COLOUR_MIN_SHARE = 0.001
# ... or a tint over the whole page (a colour capture of aged paper). Grey stored as RGB has 0.
_TINT_MIN_MEAN = 2.0
# Skew search: ±10° in 1° steps, then ±0.7° around the best in 0.1° steps, then a parabola.
_SKEW_RANGE = 10.0
_SKEW_MIN_INK = 300
_SKEW_SAMPLE = 15_000
# Best projection score over the mean of the coarse search: below it the page has no lines.
_SKEW_MIN_CONTRAST = 1.15


def describe(decoded: Decoded, fmt: ImageFormat, index: int) -> PageScan:
    # A JPEG decoded in draft mode comes out at a power-of-two scale (an A4 page at 300 dpi:
    # 1754 px); resizing that to exactly VIEW_EDGE cost a third of the page's time, for a
    # view a browser scales anyway. Within VIEW_SLACK of the target it is kept as decoded.
    image = decoded.image
    view = image if max(image.size) <= VIEW_EDGE * VIEW_SLACK else fit(image, VIEW_EDGE)
    factor = max(1, round(max(view.size) / ANALYSIS_EDGE))
    small = view.reduce(factor) if factor > 1 else view
    colour = small.mode == "RGB" and _is_colour(small)
    grey_small = small if small.mode == "L" else small.convert("L")
    blank, skew = _blank_and_skew(np.asarray(grey_small))
    if colour:
        mode = ColourMode.COLOUR
    elif decoded.bitonal:
        mode = ColourMode.BITONAL
    else:
        mode = ColourMode.GREY
    if not colour:
        view = view if view.mode == "L" else view.convert("L")
        small = grey_small
    thumbnail = fit(small, THUMBNAIL_EDGE)
    return PageScan(
        source_index=index,
        image_format=fmt,
        width_px=decoded.width_px,
        height_px=decoded.height_px,
        dpi=decoded.dpi,
        colour_mode=mode,
        skew_degrees=skew,
        blank=blank,
        thumbnail_jpeg=_jpeg(thumbnail, THUMBNAIL_QUALITY),
        view_jpeg=_jpeg(view, VIEW_QUALITY),
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _is_colour(image: Image.Image) -> bool:
    """Colour in the pixels: a few clearly coloured pixels (seal, photo), or a tint over the
    whole page (paper captured in colour). An RGB file whose pixels are grey is not colour."""
    ycc = image.convert("YCbCr")
    cb = np.abs(np.asarray(ycc.getchannel(1), dtype=np.int16) - 128)
    cr = np.abs(np.asarray(ycc.getchannel(2), dtype=np.int16) - 128)
    chroma = np.maximum(cb, cr)
    strong = int(np.count_nonzero(chroma > _CHROMA_STRONG))
    return strong >= _COLOUR_MIN_SHARE * chroma.size or float(chroma.mean()) >= _TINT_MIN_MEAN


def _blank_and_skew(grey: npt.NDArray[np.uint8]) -> tuple[bool, float | None]:
    height, width = grey.shape
    top, left = int(height * _MARGIN), int(width * _MARGIN)
    interior = grey[top : height - top, left : width - left]
    if interior.size == 0:
        return True, None
    histogram = np.bincount(interior.ravel(), minlength=256)
    paper = int(np.searchsorted(np.cumsum(histogram), 0.9 * interior.size))
    ink = interior < paper - _INK_CONTRAST
    if np.count_nonzero(ink) < _BLANK_MAX_INK * interior.size:
        return True, None
    return False, _estimate_skew(ink)


def _estimate_skew(ink: npt.NDArray[np.bool_]) -> float | None:
    """Text-line skew by projection profiles: the angle whose row histogram of ink pixels is
    the most peaked (sum of squared counts), coarse then fine. Row positions are dithered by
    up to half a pixel, or 0° (where every pixel falls exactly on a row) would always win."""
    ys, xs = np.nonzero(ink)
    if ys.size < _SKEW_MIN_INK:
        return None
    step = max(1, ys.size // _SKEW_SAMPLE)
    x = xs[::step].astype(np.float32)
    y = ys[::step].astype(np.float32)
    y += np.random.default_rng(0).random(y.size, dtype=np.float32) - np.float32(0.5)
    offset = float(x.max()) * math.tan(math.radians(_SKEW_RANGE + 1)) + 1

    def score(degrees: float) -> float:
        rows = (y + x * np.float32(math.tan(math.radians(degrees))) + offset).astype(np.int32)
        counts = np.bincount(rows).astype(np.int64)
        return float(np.dot(counts, counts))

    coarse = np.arange(-_SKEW_RANGE, _SKEW_RANGE + 0.5, 1.0)
    coarse_scores = np.array([score(float(a)) for a in coarse])
    best = int(np.argmax(coarse_scores))
    if coarse_scores[best] < _SKEW_MIN_CONTRAST * float(coarse_scores.mean()):
        return None
    fine = np.round(np.arange(coarse[best] - 0.7, coarse[best] + 0.75, 0.1), 2)
    fine_scores = np.array([score(float(a)) for a in fine])
    i = int(np.argmax(fine_scores))
    angle = float(fine[i])
    if 0 < i < len(fine) - 1:
        left, mid, right = fine_scores[i - 1], fine_scores[i], fine_scores[i + 1]
        curvature = left - 2 * mid + right
        if curvature < 0:
            angle += 0.1 * 0.5 * float(left - right) / float(curvature)
    return round(angle, 2) + 0.0
