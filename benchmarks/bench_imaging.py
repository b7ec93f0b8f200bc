"""Benchmark ``archives.scan_reading.read_scan`` on generated A4 scans of each format.

Usage: .venv/bin/python benchmarks/bench_imaging.py [--runs 20] [--dpi 300]

Budget: ingest of 10,000 page images (identify, digest, QC, thumbnail) in at most 5 minutes on
2 cores including the database, so ``read_scan`` of a typical 300-dpi A4 colour JPEG
(2480×3508, about 1 MB) should cost at most about 40 ms of one core. The other formats are
measured for the record (no budget): bitonal CCITT G4 TIFF, LZW colour TIFF, PNG, JPEG2000
and a one-page scanned PDF (Pillow's writer: the page is one embedded JPEG). Pages are text-
like bars with a red seal and scanner grain, generated once and not timed; each format is
timed over ``--runs`` reads after one warm-up read. Prints one JSON line: per format the median
CPU time of the process per page (the budget's "one core"; steady when other work shares the
machine) and the wall-clock median and p95.
"""

import argparse
import io
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import Stopwatch, emit, latency_ms
from PIL import Image, ImageDraw

from retirelink.archives.scan_reading import read_scan

BUDGET_JPEG_MS = 40.0


def a4_page(dpi: int, *, seed: int = 1) -> Image.Image:
    """An A4 page of text-like bars, a red seal, a 0.6° skew and grain (so JPEG is ~1 MB)."""
    rnd = random.Random(seed)
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("RGB", (width, height), (242, 240, 234))
    draw = ImageDraw.Draw(image)
    line, y = int(dpi * 0.2), int(dpi * 1.2)
    while y < height - dpi * 1.2:
        x, end = dpi, int(width - dpi * rnd.uniform(1.0, 2.5))
        while x < end:
            word = rnd.randint(int(dpi * 0.08), int(dpi * 0.45))
            ink = rnd.randint(20, 70)
            draw.rectangle([x, y, min(x + word, end), y + line // 2], fill=(ink, ink, ink))
            x += word + int(dpi * 0.06)
        y += line
    cx, cy, r = int(width * 0.68), int(height * 0.8), int(dpi * 0.8)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(205, 30, 35), width=dpi // 16)
    image = image.rotate(0.6, resample=Image.Resampling.BILINEAR, fillcolor=(242, 240, 234))
    pixels = np.asarray(image).astype(np.int16)
    grain = np.random.default_rng(seed).integers(-3, 4, size=pixels.shape[:2])
    return Image.fromarray(np.clip(pixels + grain[..., None], 0, 255).astype(np.uint8))


def encoded_files(page: Image.Image, dpi: int) -> dict[str, bytes]:
    def save(image: Image.Image, fmt: str, **options: object) -> bytes:
        out = io.BytesIO()
        image.save(out, fmt, **options)
        return out.getvalue()

    bitonal = page.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    return {
        "jpeg_colour.jpg": save(page, "JPEG", quality=85, dpi=(dpi, dpi)),
        "jpeg_grey.jpg": save(page.convert("L"), "JPEG", quality=85, dpi=(dpi, dpi)),
        "tiff_g4.tif": save(bitonal, "TIFF", compression="group4", dpi=(dpi, dpi)),
        "tiff_lzw_colour.tif": save(page, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi)),
        "png_colour.png": save(page, "PNG", dpi=(dpi, dpi)),
        # Lossy 9/7 wavelet at 1:20, about the size of the JPEG.
        "jp2_colour.jp2": save(
            page, "JPEG2000", irreversible=True, quality_mode="rates", quality_layers=[20]
        ),
        "pdf_colour.pdf": save(page, "PDF", resolution=dpi),
    }


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--runs", type=int, default=20)
    arguments.add_argument("--dpi", type=int, default=300)
    options = arguments.parse_args()
    page = a4_page(options.dpi)
    result: dict[str, object] = {
        "benchmark": "imaging.read_scan",
        "page_px": list(page.size),
        "runs": options.runs,
    }
    per_format: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-") as directory:
        for name, data in encoded_files(page, options.dpi).items():
            path = Path(directory) / name
            path.write_bytes(data)
            read_scan(path)  # warm-up
            runs = options.runs if not name.startswith("jp2") else max(3, options.runs // 5)
            seconds, cpu_seconds = [], []
            for _ in range(runs):
                cpu_started = time.process_time()
                with Stopwatch() as watch:
                    pages = read_scan(path)
                cpu_seconds.append(time.process_time() - cpu_started)
                seconds.append(watch.seconds)
            wall, cpu = latency_ms(seconds), latency_ms(cpu_seconds)
            per_format[name.split(".")[0]] = {
                "file_kb": round(len(data) / 1024),
                "cpu_ms_per_page_p50": cpu["p50"],
                "wall_ms_per_page_p50": wall["p50"],
                "wall_ms_per_page_p95": wall["p95"],
                "colour_mode": pages[0].colour_mode.value,
                "skew": pages[0].skew_degrees,
            }
    result["formats"] = per_format
    jpeg = per_format["jpeg_colour"]
    assert isinstance(jpeg, dict)
    result["budget_jpeg_colour_ms"] = BUDGET_JPEG_MS
    result["within_budget"] = jpeg["cpu_ms_per_page_p50"] <= BUDGET_JPEG_MS
    emit(result)


if __name__ == "__main__":
    main()
