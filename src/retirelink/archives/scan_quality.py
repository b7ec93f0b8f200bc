"""What a scan page is and whether it passes (pure: no files, no decoding, no database).

:class:`PageScan` is one page of a scan file as read and measured; ``qc_issues`` checks it
against DA/T 31-2017 纸质档案数字化规范 (policy-spec.md §6.3): the resolution floors of the
archive kind and the material, colour for materials with seals or photos, skew, blank pages.
Its findings carry the stable :class:`QcCode` values.
"""

from dataclasses import dataclass
from typing import Final

from retirelink.archives.holdings import ColourMode, ImageFormat, QcIssue, QcSeverity
from retirelink.archives.material_classes import FINE_PRINT_DPI, MIN_DPI

# DA/T 31-2005 practice: 纠偏 to under 1°.
MAX_SKEW_DEGREES: Final = 1.0


class QcCode:
    """Stable ``QcIssue.code`` values of the page checks."""

    LOW_DPI: Final = "low_dpi"
    DPI_UNKNOWN: Final = "dpi_unknown"
    COLOUR_REQUIRED: Final = "colour_required"
    SKEWED: Final = "skewed"
    BLANK: Final = "blank"
    EXTENSION_MISMATCH: Final = "extension_mismatch"


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
