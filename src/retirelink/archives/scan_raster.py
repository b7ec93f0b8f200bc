"""Decoding the pages of raster scans: TIFF (multi-page), JPEG, JPEG2000 and PNG, with Pillow.

Each format is opened through its own Pillow plugin, so the header is parsed and the page's
pixel count checked (``scan_intake.check_pixels``) before anything is decoded. A page is
decoded at reduced scale where the format allows (JPEG DCT scaling, JPEG2000 resolution
levels), turned upright by its EXIF/TIFF orientation, its resolution read from the metadata,
and its pixels normalised to L or RGB with bitonal pages recognised. ``fit_size`` and ``fit``
scale a page to a long edge (the decoding target, the view and thumbnail, a rendered page).
"""

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import (
    Image,
    ImageFile,
    Jpeg2KImagePlugin,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
)

from retirelink.archives.holdings import ImageFormat
from retirelink.archives.scan_intake import (
    ImageLimits,
    ScanError,
    check_pixels,
    corrupt,
    too_many_pages,
)

# EXIF/TIFF Orientation → the transpose that shows the page upright.
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_QUARTER_TURNS = frozenset(
    {
        Image.Transpose.TRANSPOSE,
        Image.Transpose.TRANSVERSE,
        Image.Transpose.ROTATE_90,
        Image.Transpose.ROTATE_270,
    }
)


@dataclass
class Decoded:
    """A decoded page reduced for the view (≥ the fit size where the format allows)."""

    image: Image.Image
    width_px: int
    height_px: int
    dpi: int | None
    bitonal: bool


_FACTORIES: dict[ImageFormat, Any] = {
    ImageFormat.TIFF: TiffImagePlugin.TiffImageFile,
    ImageFormat.JPEG: JpegImagePlugin.JpegImageFile,
    ImageFormat.JPEG2000: Jpeg2KImagePlugin.Jpeg2KImageFile,
    ImageFormat.PNG: PngImagePlugin.PngImageFile,
}


@contextmanager
def open_raster(path: Path, fmt: ImageFormat) -> Iterator[ImageFile.ImageFile]:
    with path.open("rb") as handle, open_raster_bytes(handle, fmt) as im:
        yield im


@contextmanager
def open_raster_bytes(source: bytes | IO[bytes], fmt: ImageFormat) -> Iterator[ImageFile.ImageFile]:
    """The format's own Pillow plugin on the stream: the header is parsed, nothing decoded.

    (``Image.open`` would also apply Pillow's global decompression-bomb limit, which is not
    ours; the plugin classes leave the check to ``check_pixels``.)
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        im: ImageFile.ImageFile = _FACTORIES[fmt](stream)
    except Exception as exc:
        raise corrupt(0, exc) from exc
    try:
        yield im
    finally:
        im.close()


def count_frames(im: ImageFile.ImageFile, limits: ImageLimits) -> int:
    """TIFF pages counted through the IFD chain (nothing decoded), at most one past the limit."""
    count = 1
    try:
        while count <= limits.max_pages_per_file:
            im.seek(count)
            count += 1
    except EOFError:
        pass
    except Exception as exc:
        raise corrupt(count, exc) from exc
    if count > limits.max_pages_per_file:
        raise too_many_pages(None, limits)
    im.seek(0)
    return count


def seek_frame(im: ImageFile.ImageFile, index: int) -> None:
    try:
        im.seek(index)
    except EOFError as exc:
        raise ScanError(f"文件没有第{index + 1}页") from exc
    except Exception as exc:
        raise corrupt(index, exc) from exc


def decode_frame(
    im: ImageFile.ImageFile,
    fmt: ImageFormat,
    index: int,
    limits: ImageLimits,
    *,
    fit_edge: int,
    orient: bool = True,
) -> Decoded:
    check_pixels(im.size, index, limits)
    width, height = im.size
    try:
        dpi = _dpi_from_info(im.info)
        transpose = _ORIENTATION.get(_orientation(im))
        target = fit_size(im.size, fit_edge)
        if fmt is ImageFormat.JPEG:
            im.draft(None, target)
        if isinstance(im, Jpeg2KImagePlugin.Jpeg2KImageFile):
            im = _load_jp2(im, target)
        else:
            im.load()
        image, bitonal = normalise(im)
    except ScanError:
        raise
    except Exception as exc:
        raise corrupt(index, exc) from exc
    if transpose is not None and orient:
        image = image.transpose(transpose)
        if transpose in _QUARTER_TURNS:
            width, height = height, width
    return Decoded(image, width, height, dpi, bitonal)


def _orientation(im: ImageFile.ImageFile) -> int:
    if "exif" not in im.info and not isinstance(im, TiffImagePlugin.TiffImageFile):
        return 1
    value = im.getexif().get(0x0112, 1)
    return value if isinstance(value, int) else 1


def _load_jp2(
    im: Jpeg2KImagePlugin.Jpeg2KImageFile, target: tuple[int, int]
) -> Jpeg2KImagePlugin.Jpeg2KImageFile:
    """Decode skipping resolution levels (a quarter of the pixels per level); a codestream
    with fewer levels than asked for is decoded again with fewer skipped, from a fresh reader."""
    stream = im.fp
    levels = _jp2_reduce(im.size, target)
    while True:
        im.reduce = levels
        try:
            im.load()
            return im
        except OSError:
            if levels == 0 or stream is None:
                raise
        levels -= 1
        stream.seek(0)
        im = Jpeg2KImagePlugin.Jpeg2KImageFile(stream)


def _jp2_reduce(size: tuple[int, int], target: tuple[int, int]) -> int:
    """JPEG2000 resolution levels to skip: the most that keep the image ≥ the target, where
    Pillow's rounding of the reduced size agrees with OpenJPEG's (it rounds half-way down)."""
    factor = min(size[0] / target[0], size[1] / target[1])
    # OpenJPEG's default codestream has 6 resolution levels: at most 5 can be skipped.
    levels = min(5, math.floor(math.log2(factor))) if factor >= 2 else 0
    while levels > 0:
        power = 1 << levels
        if all((side + power // 2) // power == -(-side // power) for side in size):
            break
        levels -= 1
    return levels


def _dpi_from_info(info: dict[str | tuple[int, int], Any]) -> int | None:
    value = info.get("dpi")
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    try:
        dpi = min(float(value[0]), float(value[1]))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(dpi) or dpi < 1:
        return None
    return round(dpi)


def normalise(im: Image.Image) -> tuple[Image.Image, bool]:
    """L or RGB pixels (alpha flattened on white, 16-bit grey scaled), and whether the page is
    bitonal: a 1-bit image, or a lossless 8-bit grey image of only black and white pixels."""
    mode = im.mode
    if mode == "1":
        return im.convert("L"), True
    if mode == "L":
        if im.format == "JPEG":
            return im, False
        return im, not any(im.histogram()[1:255])
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        pixels = np.asarray(im).astype(np.int64)
        if int(pixels.max(initial=0)) > 255:
            pixels >>= 8
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L"), False
    if mode == "RGB":
        return im, False
    if mode in ("LA", "RGBA", "PA") or (mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB"), False
    return im.convert("RGB"), False


def fit_size(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    longest = max(width, height)
    if longest <= edge:
        return width, height
    scale = edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def fit(image: Image.Image, edge: int) -> Image.Image:
    target = fit_size(image.size, edge)
    if target == image.size:
        return image
    # A box reduce by the whole factor first, then area averaging for the rest: as sharp as
    # bilinear on text and a fifth cheaper (the view of an A4 page at 300 dpi: 1754 → 1600).
    return image.resize(target, Image.Resampling.BOX, reducing_gap=1.0)


def to_rgb(image: Image.Image) -> Image.Image:
    normalised, _ = normalise(image) if image.mode not in ("L", "RGB") else (image, False)
    return normalised if normalised.mode == "RGB" else normalised.convert("RGB")
