"""Imaging without files: format by content, and the DA/T 31-2017 page checks."""

import pytest

from retirelink.archives import scan_measuring, scan_raster
from retirelink.archives.holdings import ColourMode, ImageFormat, QcIssue, QcSeverity
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.archives.scan_intake import ImageLimits, ScanError, identify
from retirelink.archives.scan_quality import PageScan, QcCode, qc_issues
from retirelink.errors import InvalidInputError


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"II*\x00\x08\x00\x00\x00", ImageFormat.TIFF),
        (b"MM\x00*\x00\x00\x00\x08", ImageFormat.TIFF),
        (b"II+\x00\x08\x00\x00\x00", ImageFormat.TIFF),  # BigTIFF
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", ImageFormat.JPEG),
        (b"\xff\xd8\xff\xe1\x00\x10Exif\x00", ImageFormat.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ImageFormat.PNG),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00\x00\x14ftypjp2 ", ImageFormat.JPEG2000),
        (b"\xff\x4f\xff\x51\x00\x2f\x00\x00", ImageFormat.JPEG2000),  # bare codestream
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ImageFormat.PDF),
        (b"\r\n\r\n%PDF-1.4\n", ImageFormat.PDF),  # PDF allows bytes before the header
    ],
)
def test_identify_by_magic_bytes(head: bytes, expected: ImageFormat) -> None:
    assert identify(head + bytes(32)) is expected


@pytest.mark.parametrize(
    "head",
    [
        b"GIF89a\x01\x00\x01\x00",
        b"BM6\x00\x00\x00\x00\x00",  # BMP
        b"PK\x03\x04\x14\x00\x06\x00",  # a .docx or .zip
        "扫描件.jpg".encode(),
        b"",
        b"\xff\xd8",  # two bytes of a JPEG marker are not a JPEG
        b"\x00\x00\x00\x0cjP  \r\n\x87",  # JP2 signature cut short
    ],
)
def test_identify_refuses_other_content(head: bytes) -> None:
    assert identify(head) is None


def test_scan_error_is_bad_input_and_limits_have_the_agreed_defaults() -> None:
    assert issubclass(ScanError, InvalidInputError)
    limits = ImageLimits()
    assert limits.max_file_bytes == 200 * 2**20
    assert limits.max_pixels_per_page == 150_000_000
    assert limits.max_pages_per_file == 2000


def scan(**changes: object) -> PageScan:
    values: dict[str, object] = {
        "source_index": 0,
        "image_format": ImageFormat.JPEG,
        "width_px": 2480,
        "height_px": 3508,
        "dpi": 300,
        "colour_mode": ColourMode.COLOUR,
        "skew_degrees": 0.2,
        "blank": False,
        "thumbnail_jpeg": b"",
        "view_jpeg": b"",
    }
    values.update(changes)
    return PageScan(**values)  # type: ignore[arg-type]


def codes(issues: tuple[QcIssue, ...]) -> list[tuple[str, QcSeverity]]:
    return [(issue.code, issue.severity) for issue in issues]


ENTERPRISE = ArchiveKind.ENTERPRISE_WORKER.min_dpi
CADRE = ArchiveKind.CADRE.min_dpi


def test_a_good_colour_page_at_300_dpi_has_no_issues_for_any_material() -> None:
    for material in MaterialType:
        info = material.info
        issues = qc_issues(
            scan(),
            min_dpi=CADRE,
            fine_print=info.fine_print,
            colour_required=info.colour_required,
        )
        assert issues == (), material


def test_below_200_dpi_is_an_error_whatever_the_material() -> None:
    issues = qc_issues(scan(dpi=150), min_dpi=ENTERPRISE, fine_print=False, colour_required=False)
    assert codes(issues) == [(QcCode.LOW_DPI, QcSeverity.ERROR)]
    assert issues[0].message_zh.startswith("分辨率150 dpi低于200 dpi")


def test_fine_print_needs_300_dpi() -> None:
    ok = qc_issues(scan(dpi=240), min_dpi=ENTERPRISE, fine_print=False, colour_required=False)
    assert ok == ()
    issues = qc_issues(scan(dpi=240), min_dpi=ENTERPRISE, fine_print=True, colour_required=False)
    assert codes(issues) == [(QcCode.LOW_DPI, QcSeverity.ERROR)]
    assert issues[0].message_zh.startswith("分辨率240 dpi低于300 dpi")
    assert "小字" in issues[0].message_zh


def test_cadre_archives_need_300_dpi_on_every_page() -> None:
    issues = qc_issues(scan(dpi=250), min_dpi=CADRE, fine_print=False, colour_required=False)
    assert codes(issues) == [(QcCode.LOW_DPI, QcSeverity.ERROR)]
    assert issues[0].message_zh.startswith("分辨率250 dpi低于300 dpi")
    assert "GB/T 33870" in issues[0].message_zh
    # The same page is fine in an enterprise worker's archive.
    assert (
        qc_issues(scan(dpi=250), min_dpi=ENTERPRISE, fine_print=False, colour_required=False) == ()
    )


def test_unknown_resolution_is_a_warning_naming_what_to_check() -> None:
    issues = qc_issues(scan(dpi=None), min_dpi=CADRE, fine_print=False, colour_required=False)
    assert codes(issues) == [(QcCode.DPI_UNKNOWN, QcSeverity.WARNING)]
    assert "300 dpi" in issues[0].message_zh


@pytest.mark.parametrize("mode", [ColourMode.GREY, ColourMode.BITONAL])
def test_seal_or_photo_material_must_be_scanned_in_colour(mode: ColourMode) -> None:
    page = scan(colour_mode=mode)
    issues = qc_issues(page, min_dpi=ENTERPRISE, fine_print=False, colour_required=True)
    assert codes(issues) == [(QcCode.COLOUR_REQUIRED, QcSeverity.ERROR)]
    assert issues[0].message_zh.startswith("该材料有印章或照片，应采用彩色模式扫描（DA/T 31-2017）")
    assert mode.label in issues[0].message_zh
    assert qc_issues(page, min_dpi=ENTERPRISE, fine_print=False, colour_required=False) == ()


@pytest.mark.parametrize(
    ("skew", "warned"), [(1.3, True), (-1.3, True), (0.9, False), (None, False)]
)
def test_skew_over_one_degree_is_a_warning(skew: float | None, warned: bool) -> None:
    issues = qc_issues(
        scan(skew_degrees=skew), min_dpi=ENTERPRISE, fine_print=False, colour_required=False
    )
    assert codes(issues) == ([(QcCode.SKEWED, QcSeverity.WARNING)] if warned else [])
    if warned:
        assert "1.3°" in issues[0].message_zh and "纠偏" in issues[0].message_zh


def test_blank_page_is_a_warning_and_not_judged_for_colour_or_skew() -> None:
    page = scan(blank=True, colour_mode=ColourMode.GREY, skew_degrees=None)
    issues = qc_issues(page, min_dpi=ENTERPRISE, fine_print=False, colour_required=True)
    assert codes(issues) == [(QcCode.BLANK, QcSeverity.WARNING)]
    assert issues[0].message_zh.startswith("疑似空白页")


def test_resolution_is_still_checked_on_a_blank_page() -> None:
    page = scan(blank=True, dpi=100)
    issues = qc_issues(page, min_dpi=ENTERPRISE, fine_print=False, colour_required=True)
    assert codes(issues) == [
        (QcCode.LOW_DPI, QcSeverity.ERROR),
        (QcCode.BLANK, QcSeverity.WARNING),
    ]


def test_findings_of_reading_come_first_and_all_problems_are_reported() -> None:
    note = QcIssue(QcCode.EXTENSION_MISMATCH, QcSeverity.WARNING, "文件扩展名“.jpg”与内容不符")
    page = scan(dpi=180, colour_mode=ColourMode.GREY, skew_degrees=-2.0, read_issues=(note,))
    issues = qc_issues(page, min_dpi=CADRE, fine_print=True, colour_required=True)
    assert codes(issues) == [
        (QcCode.EXTENSION_MISMATCH, QcSeverity.WARNING),
        (QcCode.LOW_DPI, QcSeverity.ERROR),
        (QcCode.COLOUR_REQUIRED, QcSeverity.ERROR),
        (QcCode.SKEWED, QcSeverity.WARNING),
    ]
    # Below 200 dpi the message names the floor every page must reach.
    assert issues[1].message_zh.startswith("分辨率180 dpi低于200 dpi")
    # Issues survive the JSON round trip the ingest records use.
    assert tuple(QcIssue.from_dict(issue.to_dict()) for issue in issues) == issues


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((2480, 3508), 1),  # A4 at 300 dpi: half size, 1240 × 1754, covers the 1600 px view
        ((1240, 1754), 0),  # already near the view size
        ((6400, 9052), 2),
        # Pillow computes 6401 / 4 as 1600 where OpenJPEG makes 1601 columns: skip one less.
        ((6401, 9052), 1),
        ((100_000, 140_000), 5),  # never more than OpenJPEG's default 5 skippable levels
    ],
)
def test_jpeg2000_resolution_levels_to_skip(size: tuple[int, int], expected: int) -> None:
    target = scan_raster.fit_size(size, scan_measuring.VIEW_EDGE)
    assert scan_raster._jp2_reduce(size, target) == expected
