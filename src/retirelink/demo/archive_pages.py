"""Drawing the demo district's archive pages as scans: A4 images with Pillow and Noto CJK.

A page is laid out in millimetres and drawn at its scan resolution: title, heading, a table
grid of labels and values, paragraphs, a footer, a red seal (ring, star and the organisation
around the rim) and a photo box on registration forms. Forms of the hand-filled era get their
values in blue-black ink with a little pen jitter; an altered field (涂改) shows the original
crossed out and the correction written above it in another pen. Then the scanner: a skewed
page is rotated, a grey or bitonal page converted, and the file written as JPEG (quality 80),
TIFF (LZW, or Group 4 when bitonal), PNG or a multi-page PDF, with the resolution recorded.

Rendering is deterministic: every random touch (jitter, ink, paper) is drawn from the page's
own seed, so the same page always gives the same pixels.
"""

import shutil
import subprocess
import time
from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from math import cos, pi, radians, sin
from pathlib import Path
from random import Random

from PIL import Image, ImageChops, ImageDraw, ImageFont

from retirelink.archives.holdings import ColourMode, ImageFormat
from retirelink.demo.archive_model import DemoArchive, PageFile, ScanPage
from retirelink.demo.page_content import Alteration, Cell, Seal
from retirelink.errors import UnavailableError

A4_MM = (210.0, 297.0)
JPEG_QUALITY = 80
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"

_MARGIN = 20.0
_TABLE_TOP = 42.0
_ROW = 13.0
_LINE = 7.6
_BOTTOM = 282.0
_PHOTO = (26.0, 36.0)
_SEAL = 42.0
_SCANNER_WHITE = (250, 250, 250)
_PRINT_INK = (28, 28, 30)
_PEN_INK = (32, 44, 112)
_CORRECTION_INK = (18, 18, 24)
_SEAL_RED = (208, 36, 48)
_OLD_PAPER = (244, 238, 222)
_NEW_PAPER = (252, 251, 247)
_BITONAL_THRESHOLD = 150
# Handwriting is drawn a tenth larger and spaced wider than print: widths scale by these.
_HAND_SIZE = 1.1
_HAND_SPREAD = 1.25
_PRINT_SPREAD = 1.06
_NO_LINE_START = frozenset("，。、；：！？）》”’")


class FontMissingError(UnavailableError):
    """No CJK font: pages cannot be drawn."""


@cache
def cjk_font(family: str = SERIF, *, bold: bool = False) -> tuple[str, int]:
    """(file, face index) of a Noto CJK face, as fontconfig finds it."""
    missing = FontMissingError(
        f"找不到中文字体“{family}”，无法绘制档案页面；"
        "请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）"
    )
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise missing
    pattern = f"{family}:bold" if bold else family
    found = subprocess.run(
        [fc_match, "-f", "%{file}\n%{index}\n%{family}", pattern],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = found.stdout.split("\n")
    if found.returncode != 0 or len(lines) < 3 or "CJK" not in lines[2]:
        raise missing
    path = Path(lines[0])
    if not path.is_file():
        raise missing
    return str(path), int(lines[1] or 0)


@lru_cache(maxsize=256)
def _font(size: int, *, bold: bool = False, sans: bool = False) -> ImageFont.FreeTypeFont:
    path, index = cjk_font(SANS if sans else SERIF, bold=bold)
    return ImageFont.truetype(path, max(6, size), index=index)


class _Canvas:
    """One page being drawn: millimetre coordinates, fonts by size in millimetres."""

    def __init__(self, page: ScanPage) -> None:
        self.page = page
        self.content = page.content
        self.scale = page.dpi / 25.4
        self.rnd = Random(page.seed).random
        self.size = (self.px(A4_MM[0]), self.px(A4_MM[1]))
        self.image = _paper(self.size, self.content.handwritten, page.seed)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, mm: float) -> int:
        return round(mm * self.scale)

    def font(self, mm: float, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _font(self.px(mm), bold=bold)

    # text ----------------------------------------------------------------------------------

    def printed(self, xy: tuple[float, float], text: str, mm: float, *, bold: bool = False) -> None:
        """Printed text, left end and vertical middle at ``xy`` (mm)."""
        font = self.font(mm, bold=bold)
        self.draw.text(
            (self.px(xy[0]), self.px(xy[1])), text, font=font, fill=_PRINT_INK, anchor="lm"
        )

    def width(self, text: str, mm: float, *, bold: bool = False) -> float:
        """Printed width of ``text`` in mm."""
        return float(self.font(mm, bold=bold).getlength(text)) / self.scale

    def fitted(self, text: str, mm: float, room: float, *, by_hand: bool = False) -> float:
        """The largest size up to ``mm`` at which ``text`` fits ``room`` mm."""
        spread = _HAND_SPREAD if by_hand else _PRINT_SPREAD
        while mm > 2.2 and self.width(text, mm) * spread > room:
            mm *= 0.9
        return mm

    def handwritten(
        self,
        xy: tuple[float, float],
        text: str,
        mm: float,
        *,
        ink: tuple[int, int, int] = _PEN_INK,
        wobble: float = 1.0,
    ) -> float:
        """Text written by hand: each character a little turned, lifted and spaced apart.
        Returns the x (mm) where the writing ends."""
        x, y = xy
        for char in text:
            size = mm * (1 + 0.08 * wobble * (self.rnd() - 0.5))
            if not char.isspace():
                self._glyph(char, (x, y + 0.5 * wobble * (self.rnd() - 0.5)), size, ink, wobble)
            x += self.width(char, size) * (1.02 + 0.08 * wobble * self.rnd())
        return x

    def _glyph(
        self,
        char: str,
        xy: tuple[float, float],
        mm: float,
        ink: tuple[int, int, int],
        wobble: float,
    ) -> None:
        turn = round(7 * wobble * (self.rnd() - 0.5))  # whole degrees, so masks repeat
        mask = _glyph_mask(char, self.px(mm) // 2 * 2, turn)
        half = self.px(mm * 0.5)
        x = self.px(xy[0]) - mask.width // 2 + half
        self.image.paste(ink, (x, self.px(xy[1]) - mask.height // 2), mask)

    def write(self, xy: tuple[float, float], text: str, mm: float, room: float = 0.0) -> None:
        """A filled-in value: by hand on old forms, typed on new ones (shrunk to ``room``)."""
        by_hand = self.content.handwritten
        if room:
            mm = self.fitted(text, mm, room, by_hand=by_hand)
        if by_hand:
            self.handwritten(xy, text, mm * _HAND_SIZE)
        else:
            self.printed(xy, text, mm)

    def wrap(self, text: str, mm: float, room: float) -> list[str]:
        """Lines of at most ``room`` mm; a closing mark never starts a line (避头点)."""
        spread = _HAND_SPREAD if self.content.handwritten else _PRINT_SPREAD
        lines, line = [], ""
        for char in text:
            too_long = self.width(line + char, mm) * spread > room
            if line and too_long and char not in _NO_LINE_START:
                lines.append(line)
                line = ""
            line += char
        return [*lines, line] if line else lines


@lru_cache(maxsize=4096)
def _glyph_mask(char: str, size: int, turn: int) -> Image.Image:
    """One character as an ink mask, turned by ``turn`` degrees (cached: pens repeat)."""
    side = round(size * 1.6)
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).text((side // 2, side // 2), char, font=_font(size), fill=255, anchor="mm")
    if turn:
        mask = mask.rotate(turn, resample=Image.Resampling.BICUBIC)
    return mask


_PAPER_VARIANTS = 4


def _paper(size: tuple[int, int], old: bool, seed: str) -> Image.Image:
    """A sheet of paper: cream for old forms, near-white for new, with faint uneven tone."""
    variant = Random(f"paper:{seed}").randrange(_PAPER_VARIANTS)
    return _paper_sheet(size, old, variant).copy()


@lru_cache(maxsize=2 * 2 * _PAPER_VARIANTS)
def _paper_sheet(size: tuple[int, int], old: bool, variant: int) -> Image.Image:
    rng = Random(f"paper:{variant}")
    tone = Image.new("L", (9, 12))
    tone.putdata([128 + int(rng.random() * 9) - 4 for _ in range(9 * 12)])
    tone = tone.resize(size, Image.Resampling.BICUBIC)
    base = _OLD_PAPER if old else _NEW_PAPER
    return Image.merge(
        "RGB",
        [
            tone.point([max(0, min(255, level + value - 128)) for value in range(256)])
            for level in base
        ],
    )


def render_page(page: ScanPage) -> Image.Image:
    """The page as the scanner saw it: drawn, rotated if skewed, converted to its colour mode."""
    canvas = _Canvas(page)
    if not page.content.blank:
        _draw_content(canvas)
    image = canvas.image
    if page.skew_degrees:
        image = image.rotate(
            page.skew_degrees, resample=Image.Resampling.BILINEAR, fillcolor=_SCANNER_WHITE
        )
    if page.mode is ColourMode.GREY:
        return image.convert("L")
    if page.mode is ColourMode.BITONAL:
        lut = [255 if value >= _BITONAL_THRESHOLD else 0 for value in range(256)]
        return image.convert("L").point(lut).convert("1", dither=Image.Dither.NONE)
    return image


def _draw_content(canvas: _Canvas) -> None:
    content = canvas.content
    width = A4_MM[0]
    title_mm = 7.0
    title_width = canvas.width(content.title, title_mm, bold=True)
    canvas.printed(((width - title_width) / 2, 24.0), content.title, title_mm, bold=True)
    if content.heading:
        canvas.printed((_MARGIN, 34.0), content.heading, 3.8)
    y = _draw_table(canvas, content.rows, _TABLE_TOP) if content.rows else _TABLE_TOP
    y = _draw_paragraphs(canvas, content.paragraphs, y + 6.0)
    footer_y = min(y + 14.0, 272.0)
    if content.footer:
        footer_mm = 3.8
        footer_x = width - _MARGIN - canvas.width(content.footer, footer_mm) * _HAND_SPREAD
        canvas.write((footer_x, footer_y), content.footer, footer_mm)
    if content.seal is not None:  # stamped over the date, as offices do
        _draw_seal(canvas, content.seal, footer_y - 30.0)


def _draw_table(canvas: _Canvas, rows: Sequence[Sequence[Cell]], top: float) -> float:
    """The form's grid; returns the y (mm) of its bottom line."""
    content = canvas.content
    left, right = _MARGIN, A4_MM[0] - _MARGIN
    photo_rows = min(3, len(rows)) if content.photo else 0
    line = max(1, canvas.px(0.3))
    y = top
    for index, row in enumerate(rows):
        row_right = right - _PHOTO[0] - 2.0 if index < photo_rows else right
        _draw_row(canvas, row, (left, row_right), y)
        y += _ROW
    canvas.draw.rectangle(
        (canvas.px(left), canvas.px(top), canvas.px(right), canvas.px(y)),
        outline=_PRINT_INK,
        width=line * 2,
    )
    if photo_rows:
        photo_left, photo_bottom = right - _PHOTO[0] - 2.0, top + photo_rows * _ROW
        px = canvas.px
        canvas.draw.line(
            (px(photo_left), px(top), px(photo_left), px(photo_bottom)), fill=_PRINT_INK, width=line
        )
        canvas.draw.line(
            (px(photo_left), px(photo_bottom), px(right), px(photo_bottom)),
            fill=_PRINT_INK,
            width=line,
        )
        _draw_photo(canvas, photo_left + 1.0, top + 1.0, photo_rows * _ROW - 2.0)
    return y


def _draw_row(canvas: _Canvas, row: Sequence[Cell], span: tuple[float, float], y: float) -> None:
    left, right = span
    units = sum(1 + cell.span for cell in row)
    unit = (right - left) / units
    line = max(1, canvas.px(0.3))
    canvas.draw.line(
        (canvas.px(left), canvas.px(y + _ROW), canvas.px(right), canvas.px(y + _ROW)),
        fill=_PRINT_INK,
        width=line,
    )
    x = left
    middle = y + _ROW / 2
    alteration = canvas.content.alteration
    for cell in row:
        label_mm = canvas.fitted(cell.label, 3.6, unit - 2.0)
        label_x = x + (unit - canvas.width(cell.label, label_mm)) / 2
        canvas.printed((label_x, middle), cell.label, label_mm)
        room = unit * cell.span - 3.0
        if alteration is not None and alteration.label == cell.label:
            _draw_alteration(canvas, (x + unit + 1.5, middle), alteration, room)
        else:
            canvas.write((x + unit + 1.5, middle), cell.value, 3.8, room)
        for edge in (x + unit, x + unit * (1 + cell.span)):
            if edge < right - 0.5:
                canvas.draw.line(
                    (canvas.px(edge), canvas.px(y), canvas.px(edge), canvas.px(y + _ROW)),
                    fill=_PRINT_INK,
                    width=line,
                )
        x += unit * (1 + cell.span)


def _draw_alteration(
    canvas: _Canvas, xy: tuple[float, float], alteration: Alteration, room: float
) -> None:
    """The original value crossed out twice, the correction squeezed in above it by hand."""
    x, y = xy
    lower = y + 2.2
    size = canvas.fitted(alteration.struck, 3.6, room, by_hand=True)
    end = canvas.handwritten((x, lower), alteration.struck, size)
    for offset in (-0.5, 0.5):
        canvas.draw.line(
            (canvas.px(x - 0.5), canvas.px(lower + offset + 0.3), canvas.px(end + 0.5),
             canvas.px(lower + offset - 0.3)),
            fill=_CORRECTION_INK,
            width=max(1, canvas.px(0.35)),
        )  # fmt: skip
    size = canvas.fitted(alteration.written, 4.2, room - 1.5, by_hand=True)
    canvas.handwritten(
        (x + 1.5, y - 3.2), alteration.written, size, ink=_CORRECTION_INK, wobble=1.8
    )


def _draw_paragraphs(canvas: _Canvas, paragraphs: Sequence[str], top: float) -> float:
    """Free text: approval opinions, contract clauses, the pages of an autobiography."""
    mm = 4.0
    room = A4_MM[0] - 2 * _MARGIN
    y = top
    ruled = canvas.content.handwritten and not canvas.content.rows
    for paragraph in paragraphs:
        for number, line in enumerate(canvas.wrap(paragraph, mm, room - 8.0)):
            if y > _BOTTOM - 20.0:
                return y
            if ruled:
                canvas.draw.line(
                    (canvas.px(_MARGIN), canvas.px(y + 3.2), canvas.px(A4_MM[0] - _MARGIN),
                     canvas.px(y + 3.2)),
                    fill=(214, 120, 120),
                    width=max(1, canvas.px(0.15)),
                )  # fmt: skip
            indent = 8.0 if number == 0 else 0.0
            canvas.write((_MARGIN + indent, y), line, mm)
            y += _LINE
        y += 1.5
    return y


def _draw_photo(canvas: _Canvas, x: float, y: float, height: float) -> None:
    """A one-inch photo in its box: light backdrop, head and shoulders."""
    w, h = _PHOTO[0] - 2.0, min(_PHOTO[1], height)
    px = canvas.px
    draw = canvas.draw
    draw.rectangle((px(x), px(y), px(x + w), px(y + h)), fill=(176, 198, 216))
    draw.ellipse(
        (px(x + w * 0.3), px(y + h * 0.14), px(x + w * 0.7), px(y + h * 0.56)), fill=(205, 170, 150)
    )
    draw.ellipse(
        (px(x + w * 0.28), px(y + h * 0.1), px(x + w * 0.72), px(y + h * 0.3)), fill=(40, 36, 34)
    )
    draw.pieslice(
        (px(x + w * 0.05), px(y + h * 0.6), px(x + w * 0.95), px(y + h * 1.4)),
        180,
        360,
        fill=(54, 62, 78),
    )
    draw.rectangle((px(x), px(y), px(x + w), px(y + h)), outline=(240, 240, 240), width=px(0.8))


@lru_cache(maxsize=64)
def _seal_mask(organisation: str, caption: str, dpi: int) -> Image.Image:
    """The seal's ink as a mask: ring, star, organisation round the rim, caption below."""
    scale = dpi / 25.4
    side = round(_SEAL * scale)
    mask = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(mask)
    ring = round(1.1 * scale)
    draw.ellipse((ring, ring, side - ring, side - ring), outline=255, width=ring)
    centre = side / 2
    _star_points(draw, centre, side * 0.13)
    count = len(organisation)
    arc = min(250.0, 21.0 * count)
    radius = side / 2 - ring * 2 - side * 0.08
    # Long names get smaller characters, so neighbours on the rim do not overlap.
    size = min(side * 0.13, 0.9 * radius * radians(arc / count))
    font = _font(round(size), bold=True)
    radius = side / 2 - ring * 2 - size * 0.62
    for index, char in enumerate(organisation):
        angle = -90.0 - arc / 2 + arc * (index + 0.5) / count
        glyph = Image.new("L", (round(side * 0.2), round(side * 0.2)), 0)
        ImageDraw.Draw(glyph).text(
            (glyph.width // 2, glyph.height // 2), char, font=font, fill=255, anchor="mm"
        )
        glyph = glyph.rotate(-(angle + 90.0), resample=Image.Resampling.BICUBIC)
        cx = centre + radius * cos(radians(angle))
        cy = centre + radius * sin(radians(angle))
        mask.paste(255, (round(cx - glyph.width / 2), round(cy - glyph.height / 2)), glyph)
    if caption:
        caption_font = _font(round(side * 0.085))
        draw.text((centre, side * 0.74), caption, font=caption_font, fill=255, anchor="mm")
    return mask


def _star_points(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    """A five-pointed star."""
    points = []
    for index in range(10):
        r = radius * (1.0 if index % 2 == 0 else 0.4)
        angle = -pi / 2 + index * pi / 5
        points.append((centre + r * cos(angle), centre + r * sin(angle)))
    draw.polygon(points, fill=255)


def _draw_seal(canvas: _Canvas, seal: Seal, y: float) -> None:
    """Stamp the seal in red ink (multiplied onto the paper, so the text below shows)."""
    mask = _seal_mask(seal.organisation, seal.caption, canvas.page.dpi)
    mask = mask.rotate(30 * (canvas.rnd() - 0.5), resample=Image.Resampling.BICUBIC)
    strength = 0.75 + 0.2 * canvas.rnd()
    mask = mask.point([round(value * strength) for value in range(256)])
    x = A4_MM[0] - _MARGIN - _SEAL - 8.0 + 10.0 * canvas.rnd()
    box = (canvas.px(x), canvas.px(y + 6.0 * (canvas.rnd() - 0.5)))
    region = canvas.image.crop((box[0], box[1], box[0] + mask.width, box[1] + mask.height))
    ink = Image.new("RGB", mask.size, (255, 255, 255))
    ink.paste(_SEAL_RED, (0, 0), mask)
    canvas.image.paste(ImageChops.multiply(region, ink), box)


# files -------------------------------------------------------------------------------------


def write_file(file: PageFile, folder: Path, *, scanned_on: date) -> int:
    """Render and write one scan file; returns its size in bytes."""
    images = [render_page(page) for page in file.pages]
    path = folder / file.name
    dpi = file.pages[0].dpi
    if file.image_format is ImageFormat.PDF:
        _save_pdf(images, path, dpi, scanned_on)
    elif file.image_format is ImageFormat.TIFF:
        compression = "group4" if images[0].mode == "1" else "tiff_lzw"
        images[0].save(path, "TIFF", compression=compression, dpi=(dpi, dpi))
    elif file.image_format is ImageFormat.PNG:
        images[0].save(path, "PNG", dpi=(dpi, dpi))
    else:
        images[0].save(path, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi))
    return path.stat().st_size


def _save_pdf(images: Sequence[Image.Image], path: Path, dpi: int, scanned_on: date) -> None:
    """A multi-page PDF with the scan date as its dates (fixed: the same bytes every time)."""
    stamp = time.struct_time((scanned_on.year, scanned_on.month, scanned_on.day, 9, 0, 0, 0, 1, 0))
    options: dict[str, object] = {}
    if all(image.mode != "1" for image in images):
        # Pillow passes the options to every page's encoder; bitonal pages go in as CCITT G4,
        # whose encoder refuses a JPEG quality.
        options["quality"] = JPEG_QUALITY
    images[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=float(dpi),
        title=path.stem,
        producer="retirelink demo",
        creationDate=stamp,
        modDate=stamp,
        **options,
    )


def write_archive_files(archive: DemoArchive, folder: Path, *, scanned_on: date) -> tuple[int, int]:
    """Render every scan file of an archive into ``folder``; returns (pages, bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = size = 0
    for material in archive.materials:
        for file in material.files:
            size += write_file(file, folder, scanned_on=scanned_on)
            pages += len(file.pages)
    return pages, size
