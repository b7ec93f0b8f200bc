"""Scan files into checked page descriptions: ``read_scan`` and ``render_page`` (no database,
no settings).

``read_scan`` turns one scan file — TIFF (multi-page, bitonal CCITT G4 …), JPEG, JPEG2000, PNG
or PDF (one or many pages) — into one :class:`~retirelink.archives.scan_quality.PageScan` per
page: size, resolution, colour mode seen in the pixels, estimated skew, a blank-page flag, a
thumbnail and a view image for the browser. ``render_page`` gives a page as an RGB image (OCR,
watermarked viewing).

The work is done by the modules beside this one:

- ``scan_intake``: the format from the content, the limits, :class:`ScanError`;
- ``scan_raster``: decoding TIFF, JPEG, JPEG2000 and PNG pages;
- ``scan_pdf``: PDF pages through PDFium;
- ``scan_measuring``: colour, blank and skew measured, the thumbnail and view JPEGs;
- ``scan_quality``: :class:`PageScan` and the DA/T 31-2017 checks (``qc_issues``);
- ``scan_watermark``: the viewer and time drawn over a view image.

Bad input is refused with a :class:`ScanError` whose 中文 message names the problem, before
the expensive part where possible: the file size from ``stat``, the format from the content
(never the extension), the page count before any page is decoded, and each page's pixel count
from its header before it is decoded (a decompression bomb is never decoded).

Cost: a page is decoded at reduced scale where the format allows (JPEG DCT scaling, JPEG2000
resolution levels, the embedded JPEG of a scanned PDF page); colour, blank and skew are
measured on an image of about 800 px long edge, and both JPEGs are made from the reduced
image. Figures are in ``benchmarks/bench_imaging.py``.

PDFium is not thread-safe: PDF work holds one process-wide lock (``scan_pdf``). Run ingest
in processes, not threads, to use more cores on PDF files.
"""

from dataclasses import replace
from pathlib import Path

from PIL import Image

from retirelink.archives.holdings import ImageFormat, QcIssue
from retirelink.archives.scan_intake import ImageLimits, ScanError, check_file
from retirelink.archives.scan_measuring import VIEW_EDGE, describe
from retirelink.archives.scan_pdf import (
    pdf_document,
    pdf_images,
    pdf_native_scale,
    pdf_page,
    pdf_render,
    read_pdf,
)
from retirelink.archives.scan_quality import PageScan
from retirelink.archives.scan_raster import (
    count_frames,
    decode_frame,
    fit,
    open_raster,
    seek_frame,
    to_rgb,
)


def read_scan(
    path: Path, limits: ImageLimits = ImageLimits(), *, file_name: str | None = None
) -> list[PageScan]:
    """Every page of a scan file, identified by content, measured, with its two JPEGs.

    ``file_name`` is the name the file was submitted under (default ``path.name``); only its
    extension is used, to note a disagreement with the content (a warning, not an error:
    the content decides the format). Raises :class:`ScanError` for bad input.
    """
    fmt, head_issues = check_file(path, limits, file_name or path.name)
    pages = read_pdf(path, limits) if fmt is ImageFormat.PDF else _read_raster(path, fmt, limits)
    if head_issues:
        pages = [_with_read_issues(page, head_issues) for page in pages]
    return pages


def render_page(
    path: Path, source_index: int, *, max_edge: int, limits: ImageLimits = ImageLimits()
) -> Image.Image:
    """One page as an RGB image with its long edge at most ``max_edge`` (never enlarged past
    the scan's own pixels); PDF pages are rendered with PDFium."""
    fmt, _ = check_file(path, limits, path.name)
    if fmt is ImageFormat.PDF:
        with pdf_document(path, limits) as pdf:
            if not 0 <= source_index < len(pdf):
                raise ScanError(f"PDF文件没有第{source_index + 1}页")
            page = pdf_page(pdf, source_index)
            try:
                images = pdf_images(page, source_index, limits)
                return pdf_render(page, source_index, max_edge, pdf_native_scale(images))
            finally:
                page.close()
    with open_raster(path, fmt) as im:
        if source_index:
            seek_frame(im, source_index)
        decoded = decode_frame(im, fmt, source_index, limits, fit_edge=max_edge)
        rendered = to_rgb(fit(decoded.image, max_edge))
        # An RGB scan that needs no resizing comes back as the opened image itself, which
        # closes with this block: hand out a copy that outlives the file.
        return im.copy() if rendered is im else rendered


def _with_read_issues(page: PageScan, issues: tuple[QcIssue, ...]) -> PageScan:
    return replace(page, read_issues=page.read_issues + issues)


def _read_raster(path: Path, fmt: ImageFormat, limits: ImageLimits) -> list[PageScan]:
    with open_raster(path, fmt) as im:
        count = count_frames(im, limits) if fmt is ImageFormat.TIFF else 1
        pages = []
        for index in range(count):
            if index:
                seek_frame(im, index)
            decoded = decode_frame(im, fmt, index, limits, fit_edge=VIEW_EDGE)
            pages.append(describe(decoded, fmt, index))
        return pages
