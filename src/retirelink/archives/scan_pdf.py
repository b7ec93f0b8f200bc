"""PDF scans (one or many pages) through PDFium.

A document is refused when damaged, encrypted, without pages or over the page limit; each
page's image objects are checked against the pixel limit before anything is decoded. A
scanned page that is one upright JPEG covering the page is decoded from that JPEG at reduced
scale (a third of the cost of rendering); any other page is rendered, never past the
resolution of its embedded images. The page's dpi is the embedded image's pixels over its
size on the page.

PDFium is not thread-safe: PDF work in this module holds one process-wide lock. Run ingest
in processes, not threads, to use more cores on PDF files.
"""

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image

from retirelink.archives.holdings import ImageFormat
from retirelink.archives.scan_intake import (
    ImageLimits,
    ScanError,
    check_pixels,
    corrupt,
    too_many_pages,
)
from retirelink.archives.scan_measuring import VIEW_EDGE, describe
from retirelink.archives.scan_quality import PageScan
from retirelink.archives.scan_raster import Decoded, decode_frame, open_raster_bytes

_PDFIUM_LOCK = threading.Lock()


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
def pdf_document(path: Path, limits: ImageLimits) -> Iterator[Any]:
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
                raise too_many_pages(count, limits)
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


def read_pdf(path: Path, limits: ImageLimits) -> list[PageScan]:
    pages = []
    with pdf_document(path, limits) as pdf:
        for index in range(len(pdf)):
            page = pdf_page(pdf, index)
            try:
                pages.append(_read_pdf_page(page, index, limits))
            finally:
                page.close()
    return pages


def pdf_page(pdf: Any, index: int) -> Any:
    try:
        return pdf[index]
    except pdfium.PdfiumError as exc:
        raise corrupt(index, exc) from exc


def _read_pdf_page(page: Any, index: int, limits: ImageLimits) -> PageScan:
    images = pdf_images(page, index, limits)
    largest = max(images, key=lambda item: item.width_pt * item.height_pt, default=None)
    dpi_value = largest.dpi if largest else None
    dpi = round(dpi_value) if dpi_value else None
    page_w, page_h = (float(v) for v in page.get_size())
    fast = _pdf_embedded_jpeg(page, images, page_w, page_h)
    if fast is not None:
        with open_raster_bytes(fast, ImageFormat.JPEG) as im:
            if im.mode in ("L", "RGB"):
                decoded = decode_frame(
                    im, ImageFormat.JPEG, index, limits, fit_edge=VIEW_EDGE, orient=False
                )
                decoded.dpi = dpi
                return describe(decoded, ImageFormat.PDF, index)
    image = pdf_render(page, index, VIEW_EDGE, pdf_native_scale(images))
    if largest:
        width_px, height_px = largest.width_px, largest.height_px
    else:
        width_px, height_px = round(page_w), round(page_h)
    bitonal = largest is not None and _pdf_bitonal(largest)
    decoded = Decoded(image, width_px, height_px, dpi, bitonal)
    return describe(decoded, ImageFormat.PDF, index)


def pdf_images(page: Any, index: int, limits: ImageLimits) -> list[_PdfImage]:
    """The page's image objects (also inside form XObjects), each checked against the pixel
    limit before anything is decoded."""
    found = []
    try:
        for obj in page.get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
            width_px, height_px = obj.get_px_size()
            check_pixels((int(width_px), int(height_px)), index, limits)
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
        raise corrupt(index, exc) from exc
    return found


def pdf_native_scale(images: list[_PdfImage]) -> float | None:
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


def pdf_render(page: Any, index: int, max_edge: int, native_scale: float | None) -> Image.Image:
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
        raise corrupt(index, exc) from exc
    return image
