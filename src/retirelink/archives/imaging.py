"""Scan files into checked page descriptions and derivatives (no database, no settings).

``read_scan`` turns one scan file — TIFF (multi-page, bitonal CCITT G4 …), JPEG, JPEG2000, PNG
or PDF (one or many pages) — into one :class:`PageScan` per page: size, resolution, colour mode
seen in the pixels, estimated skew, a blank-page flag, a thumbnail and a view image for the
browser (which cannot show TIFF, JPEG2000 or PDF). ``qc_issues`` checks a page against
DA/T 31-2017 纸质档案数字化规范 (policy-spec.md §6.3). ``render_page`` gives a page as an RGB
image (OCR, watermarked viewing) and ``watermark`` draws the viewer and time over a view image.

Bad input is refused with a :class:`ScanError` whose 中文 message names the problem, before
the expensive part where possible: the file size from ``stat``, the format from the content
(never the extension), the page count before any page is decoded, and each page's pixel count
from its header before it is decoded (a decompression bomb is never decoded).

Cost: a page is decoded at reduced scale where the format allows (JPEG DCT scaling, JPEG2000
resolution levels, the embedded JPEG of a scanned PDF page); colour, blank and skew are
measured on an image of about 800 px long edge, and both JPEGs are made from the reduced
image. Figures are in ``benchmarks/bench_imaging.py``.

PDFium is not thread-safe: PDF work in this module holds one process-wide lock. Run ingest
in processes, not threads, to use more cores on PDF files.
"""

import io
import math
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import (
    Image,
    ImageDraw,
    ImageFile,
    ImageFont,
    Jpeg2KImagePlugin,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
)

from retirelink.archives.holdings import ColourMode, ImageFormat, QcIssue, QcSeverity
from retirelink.archives.material_classes import FINE_PRINT_DPI, MIN_DPI
from retirelink.errors import InvalidInputError

THUMBNAIL_EDGE: Final = 256
VIEW_EDGE: Final = 1600
VIEW_SLACK: Final = 1.125
# Colour, blank and skew are measured on the view image box-reduced to about this long edge.
ANALYSIS_EDGE: Final = 800
THUMBNAIL_QUALITY: Final = 75
VIEW_QUALITY: Final = 80
# DA/T 31-2005 practice: 纠偏 to under 1°.
MAX_SKEW_DEGREES: Final = 1.0
HEAD_BYTES: Final = 1024

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

_EXTENSIONS: dict[ImageFormat, frozenset[str]] = {
    ImageFormat.TIFF: frozenset({".tif", ".tiff"}),
    ImageFormat.JPEG: frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    ImageFormat.JPEG2000: frozenset({".jp2", ".j2k", ".j2c", ".jpf", ".jpx"}),
    ImageFormat.PNG: frozenset({".png"}),
    ImageFormat.PDF: frozenset({".pdf"}),
}
_FORMAT_NAMES = {
    ImageFormat.TIFF: "TIFF",
    ImageFormat.JPEG: "JPEG",
    ImageFormat.JPEG2000: "JPEG2000",
    ImageFormat.PNG: "PNG",
    ImageFormat.PDF: "PDF",
}
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
_PDFIUM_LOCK = threading.Lock()


class QcCode:
    """Stable ``QcIssue.code`` values of the page checks."""

    LOW_DPI: Final = "low_dpi"
    DPI_UNKNOWN: Final = "dpi_unknown"
    COLOUR_REQUIRED: Final = "colour_required"
    SKEWED: Final = "skewed"
    BLANK: Final = "blank"
    EXTENSION_MISMATCH: Final = "extension_mismatch"


@dataclass(frozen=True)
class ImageLimits:
    max_file_bytes: int = 200 * 2**20
    # Decompression-bomb guard, checked from the header before a page is decoded.
    max_pixels_per_page: int = 150_000_000
    max_pages_per_file: int = 2000


class ScanError(InvalidInputError):
    """The file cannot become archive pages; the 中文 message says what is wrong with it."""


class FontNotFoundError(RuntimeError):
    """No CJK font for watermarks: a deployment problem (install fonts-noto-cjk), not bad input."""


@dataclass(frozen=True)
class PageScan:
    """One page of a scan file, as read and measured (see ``qc_issues`` for the verdict).

    ``dpi`` comes from the file's metadata (TIFF resolution, JPEG JFIF or EXIF, PNG pHYs,
    JPEG2000 capture resolution); for a PDF page from the embedded image's pixels over its
    size on the page. ``None`` when unknown. ``width_px``/``height_px`` are the full-size page
    as shown (EXIF orientation applied); for a PDF page the largest embedded image, or the
    page size in points when the page has no image. ``skew_degrees`` is positive when the
    content is turned counter-clockwise (rotate by ``-skew_degrees`` to straighten), ``None``
    when the page shows no text lines. ``read_issues`` are findings of reading itself
    (an extension that disagrees with the content); ``qc_issues`` includes them.
    """

    source_index: int
    image_format: ImageFormat
    width_px: int
    height_px: int
    dpi: int | None
    colour_mode: ColourMode
    skew_degrees: float | None
    blank: bool
    thumbnail_jpeg: bytes
    view_jpeg: bytes
    read_issues: tuple[QcIssue, ...] = ()


def identify(head: bytes) -> ImageFormat | None:
    """The format of a file from its first bytes (32 or more; a PDF header may sit anywhere
    in the first 1024), never from its name.

    >>> identify(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(24))
    <ImageFormat.PNG: 'png'>
    >>> identify(b"GIF89a" + bytes(26)) is None
    True
    """
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return ImageFormat.TIFF
    if head.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageFormat.PNG
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return ImageFormat.JPEG2000
    if b"%PDF-" in head[:HEAD_BYTES]:
        return ImageFormat.PDF
    return None


def read_scan(
    path: Path, limits: ImageLimits = ImageLimits(), *, file_name: str | None = None
) -> list[PageScan]:
    """Every page of a scan file, identified by content, measured, with its two JPEGs.

    ``file_name`` is the name the file was submitted under (default ``path.name``); only its
    extension is used, to note a disagreement with the content (a warning, not an error:
    the content decides the format). Raises :class:`ScanError` for bad input.
    """
    fmt, head_issues = _check_file(path, limits, file_name or path.name)
    pages = _read_pdf(path, limits) if fmt is ImageFormat.PDF else _read_raster(path, fmt, limits)
    if head_issues:
        pages = [_with_read_issues(page, head_issues) for page in pages]
    return pages


def qc_issues(
    scan: PageScan, *, min_dpi: int, fine_print: bool, colour_required: bool
) -> tuple[QcIssue, ...]:
    """The DA/T 31-2017 checks of one page: ERRORs mean rescan, WARNINGs mean look.

    ``min_dpi`` is the archive kind's floor (``ArchiveKind.min_dpi``: 300 for cadre archives);
    ``fine_print`` and ``colour_required`` come from the material type. One ``low_dpi`` issue
    names the strictest requirement missed. A blank page is not checked for colour or skew.
    """
    issues = list(scan.read_issues)
    issues.extend(_dpi_issues(scan.dpi, min_dpi=min_dpi, fine_print=fine_print))
    if scan.blank:
        issues.append(
            QcIssue(
                QcCode.BLANK, QcSeverity.WARNING, "疑似空白页（几乎没有字迹），请核对是否应扫描"
            )
        )
        return tuple(issues)
    if colour_required and scan.colour_mode is not ColourMode.COLOUR:
        issues.append(
            QcIssue(
                QcCode.COLOUR_REQUIRED,
                QcSeverity.ERROR,
                "该材料有印章或照片，应采用彩色模式扫描（DA/T 31-2017）；"
                f"本页为{scan.colour_mode.label}",
            )
        )
    if scan.skew_degrees is not None and abs(scan.skew_degrees) > MAX_SKEW_DEGREES:
        issues.append(
            QcIssue(
                QcCode.SKEWED,
                QcSeverity.WARNING,
                f"页面倾斜约{abs(scan.skew_degrees):.1f}°，超过1°，应纠偏",
            )
        )
    return tuple(issues)


def render_page(
    path: Path, source_index: int, *, max_edge: int, limits: ImageLimits = ImageLimits()
) -> Image.Image:
    """One page as an RGB image with its long edge at most ``max_edge`` (never enlarged past
    the scan's own pixels); PDF pages are rendered with PDFium."""
    fmt, _ = _check_file(path, limits, path.name)
    if fmt is ImageFormat.PDF:
        with _pdf_document(path, limits) as pdf:
            if not 0 <= source_index < len(pdf):
                raise ScanError(f"PDF文件没有第{source_index + 1}页")
            page = _pdf_page(pdf, source_index)
            try:
                images = _pdf_images(page, source_index, limits)
                return _pdf_render(page, source_index, max_edge, _pdf_native_scale(images))
            finally:
                page.close()
    with _open_raster(path, fmt) as im:
        if source_index:
            _seek_frame(im, source_index)
        decoded = _decode_frame(im, fmt, source_index, limits, fit_edge=max_edge)
        rendered = _to_rgb(_fit(decoded.image, max_edge))
        # An RGB scan that needs no resizing comes back as the opened image itself, which
        # closes with this block: hand out a copy that outlives the file.
        return im.copy() if rendered is im else rendered


def watermark(image_jpeg: bytes, text: str, *, font_path: Path | None = None) -> bytes:
    """The view image with ``text`` (viewer, time) repeated diagonally across it, as JPEG.

    The font is Noto Sans CJK SC found through fontconfig unless ``font_path`` is given;
    :class:`FontNotFoundError` when there is none.
    """
    font_file, font_index = (str(font_path), 0) if font_path else _cjk_font()
    with _open_raster_bytes(image_jpeg, ImageFormat.JPEG) as im:
        _check_pixels(im.size, 0, ImageLimits())
        page = _to_rgb(im).convert("RGBA")
    size = max(14, max(page.size) // 40)
    font = ImageFont.truetype(font_file, size, index=font_index)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox((0, 0), text, font=font, align="center")
    box = (math.ceil(right - left) + size, math.ceil(bottom - top) + size)
    stamp = Image.new("RGBA", box, (0, 0, 0, 0))
    ImageDraw.Draw(stamp).multiline_text(
        (size // 2 - left, size // 2 - top), text, font=font, fill=(96, 96, 96, 88), align="center"
    )
    stamp = stamp.rotate(30, expand=True, resample=Image.Resampling.BICUBIC)
    overlay = Image.new("RGBA", page.size, (0, 0, 0, 0))
    step_x, step_y = stamp.width + size * 2, stamp.height + size
    for row, y in enumerate(range(-stamp.height // 2, page.height, step_y)):
        for x in range(-stamp.width + (row % 2) * step_x // 2, page.width, step_x):
            overlay.alpha_composite(stamp, (max(x, 0), max(y, 0)), (max(-x, 0), max(-y, 0)))
    out = io.BytesIO()
    Image.alpha_composite(page, overlay).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


# --- checks ---------------------------------------------------------------------------------


def _dpi_issues(dpi: int | None, *, min_dpi: int, fine_print: bool) -> list[QcIssue]:
    required = max(MIN_DPI, min_dpi, FINE_PRINT_DPI if fine_print else 0)
    if dpi is None:
        return [
            QcIssue(
                QcCode.DPI_UNKNOWN,
                QcSeverity.WARNING,
                f"文件未记录分辨率，请人工核对是否达到{required} dpi",
            )
        ]
    if dpi >= required:
        return []
    if dpi < MIN_DPI:
        reason = "DA/T 31-2017最低要求"
    elif fine_print and required == FINE_PRINT_DPI:
        reason = "小字或密集文字材料，DA/T 31-2017"
    else:
        reason = "本档案类别的要求，GB/T 33870-2017"
    return [
        QcIssue(
            QcCode.LOW_DPI,
            QcSeverity.ERROR,
            f"分辨率{dpi} dpi低于{required if dpi >= MIN_DPI else MIN_DPI} dpi（{reason}）",
        )
    ]


def _with_read_issues(page: PageScan, issues: tuple[QcIssue, ...]) -> PageScan:
    return replace(page, read_issues=page.read_issues + issues)


def _check_file(
    path: Path, limits: ImageLimits, file_name: str
) -> tuple[ImageFormat, tuple[QcIssue, ...]]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScanError(f"无法读取文件：{exc.strerror or exc}") from exc
    if size > limits.max_file_bytes:
        raise ScanError(
            f"文件大小{_megabytes(size)}超过上限{_megabytes(limits.max_file_bytes)}，未读取"
        )
    if size == 0:
        raise ScanError("文件为空（0字节）")
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    fmt = identify(head)
    if fmt is None:
        raise ScanError(
            "无法识别的文件格式：文件内容不是TIFF、JPEG、JPEG2000、PNG或PDF（按内容判断，与扩展名无关）"
        )
    suffix = Path(file_name).suffix.lower()
    if suffix and suffix not in _EXTENSIONS[fmt]:
        note = QcIssue(
            QcCode.EXTENSION_MISMATCH,
            QcSeverity.WARNING,
            f"文件扩展名“{suffix}”与内容不符，内容为{_FORMAT_NAMES[fmt]}，已按内容处理",
        )
        return fmt, (note,)
    return fmt, ()


def _megabytes(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size}字节"


def _check_pixels(size: tuple[int, int], index: int, limits: ImageLimits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ScanError(f"第{index + 1}页图像尺寸无效（{width}×{height}像素）")
    if width * height > limits.max_pixels_per_page:
        raise ScanError(
            f"第{index + 1}页图像为{width}×{height}像素（{width * height / 1e6:.0f}百万像素），"
            f"超过每页{limits.max_pixels_per_page / 1e6:.0f}百万像素的上限，"
            "未解码（疑似解压缩炸弹）"
        )


def _too_many_pages(count: int | None, limits: ImageLimits) -> ScanError:
    stated = f"有{count}页" if count is not None else f"超过{limits.max_pages_per_file}页"
    return ScanError(f"文件{stated}，超过每个文件{limits.max_pages_per_file}页的上限，未读取")


def _corrupt(index: int, exc: BaseException) -> ScanError:
    detail = str(exc).strip() or type(exc).__name__
    return ScanError(f"图像文件已损坏或不完整，无法解码（第{index + 1}页：{detail[:200]}）")


# --- raster formats -------------------------------------------------------------------------


@dataclass
class _Decoded:
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
def _open_raster(path: Path, fmt: ImageFormat) -> Iterator[ImageFile.ImageFile]:
    with path.open("rb") as handle, _open_raster_bytes(handle, fmt) as im:
        yield im


@contextmanager
def _open_raster_bytes(
    source: bytes | IO[bytes], fmt: ImageFormat
) -> Iterator[ImageFile.ImageFile]:
    """The format's own Pillow plugin on the stream: the header is parsed, nothing decoded.

    (``Image.open`` would also apply Pillow's global decompression-bomb limit, which is not
    ours; the plugin classes leave the check to ``_check_pixels``.)
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        im: ImageFile.ImageFile = _FACTORIES[fmt](stream)
    except Exception as exc:
        raise _corrupt(0, exc) from exc
    try:
        yield im
    finally:
        im.close()


def _read_raster(path: Path, fmt: ImageFormat, limits: ImageLimits) -> list[PageScan]:
    with _open_raster(path, fmt) as im:
        count = _count_frames(im, limits) if fmt is ImageFormat.TIFF else 1
        pages = []
        for index in range(count):
            if index:
                _seek_frame(im, index)
            decoded = _decode_frame(im, fmt, index, limits, fit_edge=VIEW_EDGE)
            pages.append(_describe(decoded, fmt, index))
        return pages


def _count_frames(im: ImageFile.ImageFile, limits: ImageLimits) -> int:
    """TIFF pages counted through the IFD chain (nothing decoded), at most one past the limit."""
    count = 1
    try:
        while count <= limits.max_pages_per_file:
            im.seek(count)
            count += 1
    except EOFError:
        pass
    except Exception as exc:
        raise _corrupt(count, exc) from exc
    if count > limits.max_pages_per_file:
        raise _too_many_pages(None, limits)
    im.seek(0)
    return count


def _seek_frame(im: ImageFile.ImageFile, index: int) -> None:
    try:
        im.seek(index)
    except EOFError as exc:
        raise ScanError(f"文件没有第{index + 1}页") from exc
    except Exception as exc:
        raise _corrupt(index, exc) from exc


def _decode_frame(
    im: ImageFile.ImageFile,
    fmt: ImageFormat,
    index: int,
    limits: ImageLimits,
    *,
    fit_edge: int,
    orient: bool = True,
) -> _Decoded:
    _check_pixels(im.size, index, limits)
    width, height = im.size
    try:
        dpi = _dpi_from_info(im.info)
        transpose = _ORIENTATION.get(_orientation(im))
        target = _fit_size(im.size, fit_edge)
        if fmt is ImageFormat.JPEG:
            im.draft(None, target)
        if isinstance(im, Jpeg2KImagePlugin.Jpeg2KImageFile):
            im = _load_jp2(im, target)
        else:
            im.load()
        image, bitonal = _normalise(im)
    except ScanError:
        raise
    except Exception as exc:
        raise _corrupt(index, exc) from exc
    if transpose is not None and orient:
        image = image.transpose(transpose)
        if transpose in _QUARTER_TURNS:
            width, height = height, width
    return _Decoded(image, width, height, dpi, bitonal)


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


def _normalise(im: Image.Image) -> tuple[Image.Image, bool]:
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


# --- measuring a page -----------------------------------------------------------------------


def _describe(decoded: _Decoded, fmt: ImageFormat, index: int) -> PageScan:
    # A JPEG decoded in draft mode comes out at a power-of-two scale (an A4 page at 300 dpi:
    # 1754 px); resizing that to exactly VIEW_EDGE cost a third of the page's time, for a
    # view a browser scales anyway. Within VIEW_SLACK of the target it is kept as decoded.
    image = decoded.image
    view = image if max(image.size) <= VIEW_EDGE * VIEW_SLACK else _fit(image, VIEW_EDGE)
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
    thumbnail = _fit(small, THUMBNAIL_EDGE)
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


def _fit_size(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    longest = max(width, height)
    if longest <= edge:
        return width, height
    scale = edge / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _fit(image: Image.Image, edge: int) -> Image.Image:
    target = _fit_size(image.size, edge)
    if target == image.size:
        return image
    # A box reduce by the whole factor first, then area averaging for the rest: as sharp as
    # bilinear on text and a fifth cheaper (the view of an A4 page at 300 dpi: 1754 → 1600).
    return image.resize(target, Image.Resampling.BOX, reducing_gap=1.0)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _to_rgb(image: Image.Image) -> Image.Image:
    normalised, _ = _normalise(image) if image.mode not in ("L", "RGB") else (image, False)
    return normalised if normalised.mode == "RGB" else normalised.convert("RGB")


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


# --- PDF ------------------------------------------------------------------------------------


@dataclass
class _PdfImage:
    width_px: int
    height_px: int
    # Size on the page in points (1/72 in).
    width_pt: float
    height_pt: float
    filters: tuple[str, ...]
    axis_aligned: bool
    raw: Any

    @property
    def dpi(self) -> float | None:
        area_in = (self.width_pt / 72) * (self.height_pt / 72)
        if area_in <= 1e-4:
            return None
        return math.sqrt(self.width_px * self.height_px / area_in)


@contextmanager
def _pdf_document(path: Path, limits: ImageLimits) -> Iterator[Any]:
    with _PDFIUM_LOCK:
        # Loaded through the C API: PdfDocument refuses a document without pages using
        # PDFium's last error, which a document without pages does not set.
        handle = pdfium_raw.FPDF_LoadDocument(os.fsencode(path) + b"\x00", None)
        if not handle:
            raise _pdf_open_error(int(pdfium_raw.FPDF_GetLastError()))
        pdf = pdfium.PdfDocument(handle)
        try:
            if len(pdf) == 0:
                raise ScanError("PDF文件没有页面")
            if pdfium_raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
                raise ScanError(
                    "PDF文件已加密（设有权限口令），档案扫描件不得加密，请提交未加密的文件"
                )
            count = len(pdf)
            if count > limits.max_pages_per_file:
                raise _too_many_pages(count, limits)
            yield pdf
        finally:
            pdf.close()


def _pdf_open_error(code: int) -> ScanError:
    if code in (pdfium_raw.FPDF_ERR_PASSWORD, pdfium_raw.FPDF_ERR_SECURITY):
        return ScanError("PDF文件已加密，需要密码才能打开；档案扫描件不得加密，请提交未加密的文件")
    reason = {
        pdfium_raw.FPDF_ERR_FILE: "文件无法打开",
        pdfium_raw.FPDF_ERR_FORMAT: "不是有效的PDF结构",
    }.get(code, f"PDFium错误码{code}")
    return ScanError(f"PDF文件已损坏，无法读取（{reason}）")


def _read_pdf(path: Path, limits: ImageLimits) -> list[PageScan]:
    pages = []
    with _pdf_document(path, limits) as pdf:
        for index in range(len(pdf)):
            page = _pdf_page(pdf, index)
            try:
                pages.append(_read_pdf_page(page, index, limits))
            finally:
                page.close()
    return pages


def _pdf_page(pdf: Any, index: int) -> Any:
    try:
        return pdf[index]
    except pdfium.PdfiumError as exc:
        raise _corrupt(index, exc) from exc


def _read_pdf_page(page: Any, index: int, limits: ImageLimits) -> PageScan:
    images = _pdf_images(page, index, limits)
    largest = max(images, key=lambda item: item.width_pt * item.height_pt, default=None)
    dpi_value = largest.dpi if largest else None
    dpi = round(dpi_value) if dpi_value else None
    page_w, page_h = (float(v) for v in page.get_size())
    fast = _pdf_embedded_jpeg(page, images, page_w, page_h)
    if fast is not None:
        with _open_raster_bytes(fast, ImageFormat.JPEG) as im:
            if im.mode in ("L", "RGB"):
                decoded = _decode_frame(
                    im, ImageFormat.JPEG, index, limits, fit_edge=VIEW_EDGE, orient=False
                )
                decoded.dpi = dpi
                return _describe(decoded, ImageFormat.PDF, index)
    image = _pdf_render(page, index, VIEW_EDGE, _pdf_native_scale(images))
    if largest:
        width_px, height_px = largest.width_px, largest.height_px
    else:
        width_px, height_px = round(page_w), round(page_h)
    bitonal = largest is not None and _pdf_bitonal(largest)
    decoded = _Decoded(image, width_px, height_px, dpi, bitonal)
    return _describe(decoded, ImageFormat.PDF, index)


def _pdf_images(page: Any, index: int, limits: ImageLimits) -> list[_PdfImage]:
    """The page's image objects (also inside form XObjects), each checked against the pixel
    limit before anything is decoded."""
    found = []
    try:
        for obj in page.get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
            width_px, height_px = obj.get_px_size()
            _check_pixels((int(width_px), int(height_px)), index, limits)
            left, bottom, right, top = obj.get_bounds()
            a, b, c, d, _, _ = obj.get_matrix().get()
            found.append(
                _PdfImage(
                    int(width_px),
                    int(height_px),
                    float(right - left),
                    float(top - bottom),
                    tuple(obj.get_filters()),
                    a > 0 and d > 0 and b == 0 and c == 0,
                    obj,
                )
            )
    except ScanError:
        raise
    except Exception as exc:
        raise _corrupt(index, exc) from exc
    return found


def _pdf_native_scale(images: list[_PdfImage]) -> float | None:
    dpis = [dpi for item in images if (dpi := item.dpi)]
    return max(dpis) / 72 if dpis else None


def _pdf_embedded_jpeg(
    page: Any, images: list[_PdfImage], page_w: float, page_h: float
) -> bytes | None:
    """The JPEG of a scanned page that is one upright JPEG covering the page, else None
    (then the page is rendered): decoding it at reduced scale costs a third of rendering."""
    if len(images) != 1 or page.get_rotation() != 0:
        return None
    only = images[0]
    if only.filters != ("DCTDecode",) or not only.axis_aligned:
        return None
    if only.width_pt * only.height_pt < 0.95 * page_w * page_h:
        return None
    if sum(1 for _ in page.get_objects(max_depth=1)) != 1:
        return None
    data = bytes(only.raw.get_data(decode_simple=False))
    return data if data.startswith(b"\xff\xd8\xff") else None


def _pdf_bitonal(image: _PdfImage) -> bool:
    if {"CCITTFaxDecode", "JBIG2Decode"} & set(image.filters):
        return True
    try:
        return int(image.raw.get_metadata().bits_per_pixel) == 1
    except pdfium.PdfiumError:
        return False


def _pdf_render(page: Any, index: int, max_edge: int, native_scale: float | None) -> Image.Image:
    """The page as RGB with its long edge at ``max_edge``, or at the embedded image's own
    resolution when that is less."""
    try:
        page_w, page_h = (float(v) for v in page.get_size())
        scale = max_edge / max(page_w, page_h, 1.0)
        if native_scale:
            scale = min(scale, native_scale)
        bitmap = page.render(scale=scale)
        try:
            image: Image.Image = bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    except Exception as exc:
        raise _corrupt(index, exc) from exc
    return image


# --- watermark font -------------------------------------------------------------------------


@cache
def _cjk_font() -> tuple[str, int]:
    """Noto Sans CJK SC's file and face index, from fontconfig."""
    hint = "请安装 fonts-noto-cjk（Debian: apt-get install fonts-noto-cjk）"
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{family}", "Noto Sans CJK SC"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontNotFoundError(
            f"无法用fontconfig查找水印字体Noto Sans CJK SC（{exc}）；{hint}"
        ) from exc
    file_name, _, rest = found.partition("\t")
    index, _, family = rest.partition("\t")
    if "Noto Sans CJK" not in family or not Path(file_name).is_file():
        raise FontNotFoundError(
            f"未找到水印字体Noto Sans CJK SC（fontconfig给出的是“{family or file_name}”）；{hint}"
        )
    return file_name, int(index or 0)
