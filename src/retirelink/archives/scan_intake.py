"""Whether a file may be read as a scan at all, decided before anything is decoded.

The format comes from the content (``identify``; never from the extension, which is only
compared with it); :class:`ImageLimits` bounds the file size, the pages per file and the
pixels per page. ``check_file`` refuses a file from its ``stat`` size and first bytes; the
decoders call ``check_pixels`` with each page's size from its header and ``too_many_pages``
with the page count before any page is decoded, so a decompression bomb is never decoded.
Bad input is refused with a :class:`ScanError` whose 中文 message names the problem.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from retirelink.archives.holdings import ImageFormat, QcIssue, QcSeverity
from retirelink.archives.scan_quality import QcCode
from retirelink.errors import InvalidInputError

HEAD_BYTES: Final = 1024

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


@dataclass(frozen=True)
class ImageLimits:
    max_file_bytes: int = 200 * 2**20
    # Decompression-bomb guard, checked from the header before a page is decoded.
    max_pixels_per_page: int = 150_000_000
    max_pages_per_file: int = 2000


class ScanError(InvalidInputError):
    """The file cannot become archive pages; the 中文 message says what is wrong with it."""


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


def check_file(
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


def check_pixels(size: tuple[int, int], index: int, limits: ImageLimits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ScanError(f"第{index + 1}页图像尺寸无效（{width}×{height}像素）")
    if width * height > limits.max_pixels_per_page:
        raise ScanError(
            f"第{index + 1}页图像为{width}×{height}像素（{width * height / 1e6:.0f}百万像素），"
            f"超过每页{limits.max_pixels_per_page / 1e6:.0f}百万像素的上限，"
            "未解码（疑似解压缩炸弹）"
        )


def too_many_pages(count: int | None, limits: ImageLimits) -> ScanError:
    stated = f"有{count}页" if count is not None else f"超过{limits.max_pages_per_file}页"
    return ScanError(f"文件{stated}，超过每个文件{limits.max_pages_per_file}页的上限，未读取")


def corrupt(index: int, exc: BaseException) -> ScanError:
    detail = str(exc).strip() or type(exc).__name__
    return ScanError(f"图像文件已损坏或不完整，无法解码（第{index + 1}页：{detail[:200]}）")
