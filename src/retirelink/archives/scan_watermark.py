"""The watermark over every page image shown: the viewer and the time, drawn diagonally.

``watermark`` draws the text repeated across a view image in Noto Sans CJK SC, found through
fontconfig; a missing font is a deployment problem (:class:`FontNotFoundError`), not bad input.
"""

import io
import math
import subprocess
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from retirelink.archives.holdings import ImageFormat
from retirelink.archives.scan_intake import ImageLimits, check_pixels
from retirelink.archives.scan_raster import open_raster_bytes, to_rgb


class FontNotFoundError(RuntimeError):
    """No CJK font for watermarks: a deployment problem (install fonts-noto-cjk), not bad input."""


def watermark(image_jpeg: bytes, text: str, *, font_path: Path | None = None) -> bytes:
    """The view image with ``text`` (viewer, time) repeated diagonally across it, as JPEG.

    The font is Noto Sans CJK SC found through fontconfig unless ``font_path`` is given;
    :class:`FontNotFoundError` when there is none.
    """
    font_file, font_index = (str(font_path), 0) if font_path else _cjk_font()
    with open_raster_bytes(image_jpeg, ImageFormat.JPEG) as im:
        check_pixels(im.size, 0, ImageLimits())
        page = to_rgb(im).convert("RGBA")
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
