"""Imaging on real files made with Pillow, pypdfium2 and pypdf: every supported format, what
is measured on a page, derivatives, rendering, watermarks, and the bad-input list."""

import io
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageFont, features

from retirelink.archives import scan_measuring, scan_watermark
from retirelink.archives.holdings import ColourMode, ImageFormat, QcSeverity
from retirelink.archives.scan_intake import ImageLimits, ScanError
from retirelink.archives.scan_quality import PageScan, QcCode, qc_issues
from retirelink.archives.scan_reading import read_scan, render_page
from retirelink.archives.scan_watermark import FontNotFoundError, watermark
from tests.support import scans

pytestmark = pytest.mark.integration


def read_one(path: Path) -> PageScan:
    pages = read_scan(path)
    assert len(pages) == 1
    return pages[0]


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    image.load()
    return image


def assert_derivatives(page: PageScan, *, aspect: float) -> None:
    thumbnail, view = decoded(page.thumbnail_jpeg), decoded(page.view_jpeg)
    assert max(thumbnail.size) == scan_measuring.THUMBNAIL_EDGE
    assert max(view.size) <= scan_measuring.VIEW_EDGE * scan_measuring.VIEW_SLACK
    assert max(view.size) >= 1000, "the view must stay readable"
    for image in (thumbnail, view):
        assert image.height / image.width == pytest.approx(aspect, rel=0.02)
    assert view.mode == ("RGB" if page.colour_mode is ColourMode.COLOUR else "L")


# --- formats and what is measured -----------------------------------------------------------


def test_colour_jpeg_with_a_seal(tmp_path: Path) -> None:
    data = scans.encode(scans.text_page(seal=True, noise=3), "JPEG", quality=85, dpi=(300, 300))
    page = read_one(scans.write(tmp_path / "p.jpg", data))
    assert (page.image_format, page.source_index) == (ImageFormat.JPEG, 0)
    assert (page.width_px, page.height_px, page.dpi) == (*scans.A4_150, 300)
    assert page.colour_mode is ColourMode.COLOUR
    assert not page.blank
    assert page.skew_degrees is not None and abs(page.skew_degrees) <= 0.25
    assert page.read_issues == ()
    assert_derivatives(page, aspect=1754 / 1240)
    assert qc_issues(page, min_dpi=300, fine_print=True, colour_required=True) == ()


def test_grey_pixels_in_an_rgb_file_are_grey(tmp_path: Path) -> None:
    rgb = scans.text_page(noise=3)
    assert rgb.mode == "RGB"
    page = read_one(scans.write(tmp_path / "rgb.jpg", scans.encode(rgb, "JPEG", quality=85)))
    assert page.colour_mode is ColourMode.GREY
    issues = qc_issues(page, min_dpi=200, fine_print=False, colour_required=True)
    assert QcCode.COLOUR_REQUIRED in [issue.code for issue in issues]
    assert_derivatives(page, aspect=1754 / 1240)


def test_greyscale_jpeg_is_grey(tmp_path: Path) -> None:
    data = scans.encode(scans.text_page().convert("L"), "JPEG", quality=85, dpi=(200, 200))
    page = read_one(scans.write(tmp_path / "grey.jpg", data))
    assert (page.colour_mode, page.dpi) == (ColourMode.GREY, 200)


def test_paper_captured_in_colour_is_colour_without_any_seal(tmp_path: Path) -> None:
    aged = scans.text_page(paper=(236, 231, 214))
    page = read_one(scans.write(tmp_path / "aged.jpg", scans.encode(aged, "JPEG", quality=85)))
    assert page.colour_mode is ColourMode.COLOUR


@pytest.mark.parametrize("angle", [0.6, -0.8, 1.5, -2.4, 4.2, -7.0])
def test_skew_is_measured_within_a_quarter_degree(tmp_path: Path, angle: float) -> None:
    data = scans.encode(scans.text_page(angle=angle, seed=3), "PNG", dpi=(300, 300))
    page = read_one(scans.write(tmp_path / "skewed.png", data))
    assert page.skew_degrees is not None
    assert page.skew_degrees == pytest.approx(angle, abs=0.25)
    codes = [
        issue.code
        for issue in qc_issues(page, min_dpi=200, fine_print=False, colour_required=False)
    ]
    assert (QcCode.SKEWED in codes) is (abs(angle) > 1)


def test_blank_page_is_flagged_and_has_no_skew(tmp_path: Path) -> None:
    data = scans.encode(scans.blank_page(specks=25), "PNG", dpi=(300, 300))
    page = read_one(scans.write(tmp_path / "blank.png", data))
    assert page.blank
    assert page.skew_degrees is None
    assert page.colour_mode is ColourMode.GREY
    issues = qc_issues(page, min_dpi=200, fine_print=False, colour_required=True)
    assert [(issue.code, issue.severity) for issue in issues] == [
        (QcCode.BLANK, QcSeverity.WARNING)
    ]
    assert issues[0].message_zh.startswith("疑似空白页")


def test_a_page_with_one_short_line_is_not_blank(tmp_path: Path) -> None:
    page_image = scans.blank_page()
    page_image.paste(40, (300, 600, 620, 622))  # one line of text about 5 cm long
    data = scans.encode(page_image, "PNG", dpi=(150, 150))
    page = read_one(scans.write(tmp_path / "line.png", data))
    assert not page.blank


def test_a_page_of_scattered_blots_has_no_text_lines_to_measure(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    pixels = np.full(scans.A4_150[::-1], scans.PAPER, dtype=np.uint8)
    for _ in range(400):
        x, y = rng.integers(100, 1100), rng.integers(100, 1600)
        pixels[y : y + 14, x : x + 14] = 30
    data = scans.encode(Image.fromarray(pixels), "PNG")
    page = read_one(scans.write(tmp_path / "blots.png", data))
    assert not page.blank
    assert page.skew_degrees is None


def test_bitonal_ccitt_g4_tiff(tmp_path: Path) -> None:
    bitonal = scans.text_page().convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    path = scans.write(
        tmp_path / "g4.tif", scans.encode(bitonal, "TIFF", compression="group4", dpi=(300, 300))
    )
    with Image.open(path) as check:
        assert check.info["compression"] == "group4"
    page = read_one(path)
    assert (page.image_format, page.colour_mode, page.dpi) == (
        ImageFormat.TIFF,
        ColourMode.BITONAL,
        300,
    )
    assert page.skew_degrees == pytest.approx(0, abs=0.25)
    assert_derivatives(page, aspect=1754 / 1240)


def test_multi_page_tiff_gives_one_scan_per_page(tmp_path: Path) -> None:
    colour = scans.text_page(seal=True)
    grey = scans.text_page(angle=2.0, seed=2).convert("L")
    bitonal = scans.text_page(seed=4).convert("L").point(lambda v: 0 if v < 128 else 255)
    path = tmp_path / "material.tiff"
    colour.save(
        path,
        "TIFF",
        save_all=True,
        append_images=[grey, bitonal.convert("1")],
        compression="tiff_deflate",
        dpi=(300, 300),
    )
    pages = read_scan(path)
    assert [page.source_index for page in pages] == [0, 1, 2]
    assert [page.colour_mode for page in pages] == [
        ColourMode.COLOUR,
        ColourMode.GREY,
        ColourMode.BITONAL,
    ]
    assert {page.dpi for page in pages} == {300}
    assert pages[1].skew_degrees == pytest.approx(2.0, abs=0.25)


def test_bitonal_image_stored_as_8_bit_grey_png_is_bitonal(tmp_path: Path) -> None:
    black_white = scans.text_page().convert("L").point(lambda v: 0 if v < 128 else 255)
    page = read_one(scans.write(tmp_path / "bw.png", scans.encode(black_white, "PNG")))
    assert page.colour_mode is ColourMode.BITONAL


def test_png_resolution_from_phys_and_none_without_it(tmp_path: Path) -> None:
    image = scans.text_page()
    with_dpi = read_one(scans.write(tmp_path / "a.png", scans.encode(image, "PNG", dpi=(400, 400))))
    without = read_one(scans.write(tmp_path / "b.png", scans.encode(image, "PNG")))
    assert (with_dpi.dpi, without.dpi) == (400, None)
    issues = qc_issues(without, min_dpi=200, fine_print=False, colour_required=False)
    assert [(issue.code, issue.severity) for issue in issues] == [
        (QcCode.DPI_UNKNOWN, QcSeverity.WARNING)
    ]


def test_jpeg_resolution_from_exif_when_jfif_has_none(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x011A] = 300.0  # XResolution
    exif[0x011B] = 300.0  # YResolution
    exif[0x0128] = 2  # ResolutionUnit: inch
    data = scans.encode(scans.text_page(), "JPEG", exif=exif)
    page = read_one(scans.write(tmp_path / "exif.jpg", data))
    assert page.dpi == 300


def test_exif_orientation_is_applied_to_size_and_derivatives(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90° clockwise to show
    sideways = scans.text_page().rotate(90, expand=True)
    data = scans.encode(sideways, "JPEG", exif=exif, dpi=(300, 300))
    page = read_one(scans.write(tmp_path / "turned.jpg", data))
    assert (page.width_px, page.height_px) == scans.A4_150
    assert_derivatives(page, aspect=1754 / 1240)
    assert page.skew_degrees == pytest.approx(0, abs=0.25)


@pytest.mark.skipif(not features.check("jpg_2000"), reason="Pillow built without OpenJPEG")
def test_jpeg2000_with_capture_resolution(tmp_path: Path) -> None:
    path = scans.write(tmp_path / "p.jp2", scans.jp2_with_dpi(scans.text_page(seal=True), 300))
    page = read_one(path)
    assert (page.image_format, page.dpi, page.colour_mode) == (
        ImageFormat.JPEG2000,
        300,
        ColourMode.COLOUR,
    )
    assert (page.width_px, page.height_px) == scans.A4_150
    assert_derivatives(page, aspect=1754 / 1240)


@pytest.mark.skipif(not features.check("jpg_2000"), reason="Pillow built without OpenJPEG")
@pytest.mark.parametrize("resolutions", [6, 1])
def test_jpeg2000_decoded_at_reduced_resolution_levels(tmp_path: Path, resolutions: int) -> None:
    # Skipping 2 of 6 levels decodes a quarter of the size; a codestream with a single level
    # cannot skip any and is decoded again at full size.
    data = scans.encode(scans.text_page(seal=True), "JPEG2000", num_resolutions=resolutions)
    path = scans.write(tmp_path / "p.jp2", data)
    image = render_page(path, 0, max_edge=400)
    assert (image.mode, max(image.size)) == ("RGB", 400)
    red = np.asarray(image).astype(int)
    assert ((red[..., 0] - red[..., 2]) > 100).any()


def test_scanned_pdf_pages_take_dpi_from_the_embedded_image(tmp_path: Path) -> None:
    data = scans.pdf_of([scans.text_page(seal=True), scans.text_page(angle=-1.6)], resolution=150)
    pages = read_scan(scans.write(tmp_path / "scan.pdf", data))
    assert [(page.source_index, page.image_format, page.dpi) for page in pages] == [
        (0, ImageFormat.PDF, 150),
        (1, ImageFormat.PDF, 150),
    ]
    assert [page.colour_mode for page in pages] == [ColourMode.COLOUR, ColourMode.GREY]
    assert (pages[0].width_px, pages[0].height_px) == scans.A4_150
    assert pages[1].skew_degrees == pytest.approx(-1.6, abs=0.25)
    issues = qc_issues(pages[0], min_dpi=200, fine_print=False, colour_required=True)
    assert [issue.message_zh for issue in issues] == [
        "分辨率150 dpi低于200 dpi（DA/T 31-2017最低要求）"
    ]
    for page in pages:
        assert_derivatives(page, aspect=1754 / 1240)


def test_bitonal_pdf_page_is_rendered_and_bitonal(tmp_path: Path) -> None:
    bitonal = scans.text_page().convert("1")
    data = scans.pdf_of([bitonal], resolution=300)
    page = read_one(scans.write(tmp_path / "bw.pdf", data))
    assert (page.colour_mode, page.dpi) == (ColourMode.BITONAL, 300)


def test_pdf_image_placed_on_part_of_the_page(tmp_path: Path) -> None:
    # A 600 × 400 px image drawn 2 in × 4/3 in on an A4 page: 300 dpi, rendered (not the
    # embedded-JPEG path, which needs one image covering the page).
    document = pdfium.PdfDocument.new()
    pdf_page = document.new_page(595, 842)
    picture = pdfium.PdfImage.new(document)
    picture.load_jpeg(io.BytesIO(scans.encode(scans.text_page((600, 400)), "JPEG")))
    picture.set_matrix(pdfium.PdfMatrix().scale(144, 96).translate(72, 600))
    pdf_page.insert_obj(picture)
    pdf_page.gen_content()
    out = io.BytesIO()
    document.save(out)
    document.close()
    page = read_one(scans.write(tmp_path / "placed.pdf", out.getvalue()))
    assert (page.dpi, page.width_px, page.height_px) == (300, 600, 400)
    assert not page.blank
    assert_derivatives(page, aspect=842 / 595)


def test_extension_that_disagrees_with_content_is_a_warning_not_an_error(tmp_path: Path) -> None:
    data = scans.encode(scans.text_page(), "PNG", dpi=(300, 300))
    page = read_one(scans.write(tmp_path / "page.jpg", data))
    assert page.image_format is ImageFormat.PNG
    assert [(issue.code, issue.severity) for issue in page.read_issues] == [
        (QcCode.EXTENSION_MISMATCH, QcSeverity.WARNING)
    ]
    assert "“.jpg”" in page.read_issues[0].message_zh and "PNG" in page.read_issues[0].message_zh
    issues = qc_issues(page, min_dpi=200, fine_print=False, colour_required=False)
    assert [issue.code for issue in issues] == [QcCode.EXTENSION_MISMATCH]
    # The submitted name can be given when the file was staged under another one.
    staged = scans.write(tmp_path / "upload-0001", data)
    assert read_one(staged).read_issues == ()
    renamed = read_scan(staged, file_name="第3页.TIF")
    assert [issue.code for issue in renamed[0].read_issues] == [QcCode.EXTENSION_MISMATCH]
    assert read_scan(staged, file_name="第3页.PNG")[0].read_issues == ()


# --- bad input ------------------------------------------------------------------------------


def test_truncated_jpeg(tmp_path: Path) -> None:
    data = scans.encode(scans.text_page(noise=3), "JPEG", quality=85)
    path = scans.write(tmp_path / "cut.jpg", data[: len(data) // 2])
    with pytest.raises(ScanError, match="图像文件已损坏或不完整"):
        read_scan(path)


def test_random_bytes_named_jpg(tmp_path: Path) -> None:
    path = scans.write(tmp_path / "photo.jpg", os.urandom(4096))
    with pytest.raises(ScanError, match=r"^无法识别的文件格式"):
        read_scan(path)


def test_png_claiming_ten_billion_pixels_is_refused_before_decoding(tmp_path: Path) -> None:
    path = scans.write(tmp_path / "bomb.png", scans.png_bomb(100_000, 100_000))
    started = time.perf_counter()
    with pytest.raises(ScanError) as raised:
        read_scan(path)
    assert time.perf_counter() - started < 0.5
    # The pixel data is a few bytes that cannot fill the image: had it been decoded, the
    # error would be a damaged file, not the limit.
    assert "100000×100000像素" in raised.value.message
    assert "超过每页150百万像素的上限，未解码" in raised.value.message


def test_pixel_limit_applies_to_each_format(tmp_path: Path) -> None:
    small = ImageLimits(max_pixels_per_page=1_000_000)
    files = {
        "p.jpg": scans.encode(scans.text_page(), "JPEG"),
        "p.tif": scans.encode(scans.text_page(), "TIFF"),
        "p.pdf": scans.pdf_of([scans.text_page()], resolution=150),
    }
    for name, data in files.items():
        with pytest.raises(ScanError, match=r"1240×1754像素.*超过每页1百万像素的上限"):
            read_scan(scans.write(tmp_path / name, data), small)


def test_pdf_declaring_more_pages_than_the_limit_is_refused_at_once(tmp_path: Path) -> None:
    path = scans.write(tmp_path / "many.pdf", scans.pdf_declaring_pages(100_000))
    started = time.perf_counter()
    with pytest.raises(ScanError, match="文件有100000页，超过每个文件2000页的上限"):
        read_scan(path)
    assert time.perf_counter() - started < 0.5


def test_page_limit_on_real_pdf_and_tiff(tmp_path: Path) -> None:
    limits = ImageLimits(max_pages_per_file=2)
    pages = [scans.text_page((200, 280), seed=seed) for seed in range(3)]
    pdf = scans.write(tmp_path / "three.pdf", scans.pdf_of(pages, resolution=30))
    with pytest.raises(ScanError, match="文件有3页，超过每个文件2页的上限"):
        read_scan(pdf, limits)
    tiff = tmp_path / "three.tif"
    pages[0].save(tiff, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    with pytest.raises(ScanError, match="超过每个文件2页的上限"):
        read_scan(tiff, limits)
    assert len(read_scan(tiff)) == 3


def test_file_over_the_size_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    # Unreadable content too: the size is checked first, without reading the file.
    path = scans.write(tmp_path / "big.tif", os.urandom(5000))
    with pytest.raises(ScanError, match=r"^文件大小4.9 KB超过上限4.0 KB，未读取"):
        read_scan(path, ImageLimits(max_file_bytes=4096))
    big = ImageLimits(max_file_bytes=3 * 2**20)
    path = scans.write(tmp_path / "big.png", b"\x89PNG\r\n\x1a\n" + bytes(4 * 2**20))
    with pytest.raises(ScanError, match=r"^文件大小4.0 MB超过上限3.0 MB"):
        read_scan(path, big)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match=r"^文件为空"):
        read_scan(scans.write(tmp_path / "empty.pdf", b""))


def test_encrypted_pdf_needing_a_password(tmp_path: Path) -> None:
    source = scans.pdf_of([scans.text_page((200, 280))], resolution=30)
    data = scans.encrypted_pdf(source, user_password="秘密")
    with pytest.raises(ScanError, match="PDF文件已加密，需要密码"):
        read_scan(scans.write(tmp_path / "locked.pdf", data))


def test_encrypted_pdf_with_only_an_owner_password(tmp_path: Path) -> None:
    source = scans.pdf_of([scans.text_page((200, 280))], resolution=30)
    data = scans.encrypted_pdf(source, user_password="")
    with pdfium.PdfDocument(data) as opens_without_password:
        assert len(opens_without_password) == 1
    with pytest.raises(ScanError, match="PDF文件已加密（设有权限口令）"):
        read_scan(scans.write(tmp_path / "restricted.pdf", data))


def test_pdf_without_pages(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match=r"^PDF文件没有页面"):
        read_scan(scans.write(tmp_path / "none.pdf", scans.pdf_without_pages()))


def test_damaged_pdf(tmp_path: Path) -> None:
    data = scans.pdf_of([scans.text_page((200, 280))], resolution=30)
    with pytest.raises(ScanError, match=r"^PDF文件已损坏"):
        read_scan(scans.write(tmp_path / "cut.pdf", data[:200]))


def test_damaged_tiff(tmp_path: Path) -> None:
    data = scans.encode(scans.text_page(), "TIFF", compression="tiff_lzw")
    with pytest.raises(ScanError, match="图像文件已损坏或不完整"):
        read_scan(scans.write(tmp_path / "cut.tif", data[: len(data) // 3]))


# --- rendering and watermarks ---------------------------------------------------------------


def test_render_page_of_each_kind(tmp_path: Path) -> None:
    jpeg = scans.write(tmp_path / "p.jpg", scans.encode(scans.text_page(seal=True), "JPEG"))
    image = render_page(jpeg, 0, max_edge=1000)
    assert (image.mode, max(image.size)) == ("RGB", 1000)
    # Never enlarged past the scan's own pixels.
    assert render_page(jpeg, 0, max_edge=5000).size == scans.A4_150

    tiff = tmp_path / "two.tif"
    scans.text_page().save(
        tiff, "TIFF", save_all=True, append_images=[scans.blank_page()], compression="tiff_lzw"
    )
    second = render_page(tiff, 1, max_edge=2000)
    assert second.mode == "RGB" and second.size == scans.A4_150
    assert np.asarray(second).min() >= scans.PAPER - 1
    with pytest.raises(ScanError, match="文件没有第3页"):
        render_page(tiff, 2, max_edge=800)

    pdf_data = scans.pdf_of([scans.blank_page(), scans.text_page(seal=True)], resolution=150)
    pdf = scans.write(tmp_path / "p.pdf", pdf_data)
    page = render_page(pdf, 1, max_edge=1200)
    assert page.mode == "RGB" and max(page.size) == 1200
    red = np.asarray(page).astype(int)
    assert ((red[..., 0] - red[..., 2]) > 100).any(), "the seal is rendered in colour"
    full = render_page(pdf, 1, max_edge=4000)
    assert abs(max(full.size) - 1754) <= 2, "rendered at the scan's resolution, not beyond"
    with pytest.raises(ScanError, match="PDF文件没有第3页"):
        render_page(pdf, 2, max_edge=800)


def test_watermark_is_drawn_across_the_view(tmp_path: Path) -> None:
    page = read_one(scans.write(tmp_path / "p.jpg", scans.encode(scans.blank_page(), "JPEG")))
    marked = watermark(page.view_jpeg, "查阅人 张三\n2026-11-23 10:30")
    before = np.asarray(decoded(page.view_jpeg).convert("L")).astype(int)
    after = np.asarray(decoded(marked).convert("RGB").convert("L")).astype(int)
    assert before.shape == after.shape
    changed = np.abs(after - before) > 12
    height, width = changed.shape
    for rows in (slice(0, height // 2), slice(height // 2, height)):
        for cols in (slice(0, width // 2), slice(width // 2, width)):
            assert changed[rows, cols].mean() > 0.005, "watermark repeated over the whole page"
    assert changed.mean() < 0.5, "the page stays readable under the watermark"


def test_watermark_font_draws_chinese_glyphs() -> None:
    file_name, index = scan_watermark._cjk_font()
    font = ImageFont.truetype(file_name, 40, index=index)
    masks = [np.asarray(font.getmask(char)) for char in "档案"]
    assert all(mask.any() for mask in masks)
    assert masks[0].shape != masks[1].shape or (masks[0] != masks[1]).any(), "not a tofu box"


def test_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Found:
        stdout = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\t0\tDejaVu Sans"

    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: Found())
    scan_watermark._cjk_font.cache_clear()
    try:
        with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
            watermark(scans.encode(scans.blank_page((100, 100)), "JPEG"), "张三")
    finally:
        scan_watermark._cjk_font.cache_clear()
