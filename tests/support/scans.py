"""Scan files made with Pillow for the imaging tests: text-like pages, seals, blank pages,
bitonal and multi-page TIFFs, JPEG2000 with a resolution box, PDFs, and bad files."""

import io
import random
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

PAPER = 245
# A4 at 150 dpi: big enough for real text lines, small enough to keep the tests quick.
A4_150 = (1240, 1754)


def text_page(
    size: tuple[int, int] = A4_150,
    *,
    angle: float = 0.0,
    seed: int = 1,
    paper: int | tuple[int, int, int] = PAPER,
    seal: bool = False,
    noise: int = 0,
) -> Image.Image:
    """A page of text-like dark bars in lines on paper (RGB), turned ``angle`` degrees
    counter-clockwise (Pillow's convention), with a red seal if asked."""
    rnd = random.Random(seed)
    width, height = size
    paper_rgb = paper if isinstance(paper, tuple) else (paper, paper, paper)
    image = Image.new("RGB", size, paper_rgb)
    draw = ImageDraw.Draw(image)
    unit = width / 8.27  # pixels per inch of an A4 page this wide
    line, y = int(unit * 0.2), int(unit * 1.2)
    while y < height - unit * 1.2:
        x = int(unit * 1.0)
        end = int(width - unit * rnd.uniform(1.0, 2.5))
        while x < end:
            word = rnd.randint(int(unit * 0.08), int(unit * 0.45))
            ink = rnd.randint(20, 70)
            draw.rectangle([x, y, min(x + word, end), y + int(line * 0.5)], fill=(ink, ink, ink))
            x += word + int(unit * 0.06)
        y += line
    if seal:
        cx, cy, r = int(width * 0.68), int(height * 0.78), int(unit * 0.8)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(205, 30, 35), width=int(unit / 16))
        draw.regular_polygon((cx, cy, r // 3), 5, fill=(205, 30, 35))
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=paper_rgb)
    if noise:
        pixels = np.asarray(image).astype(np.int16)
        grain = np.random.default_rng(seed).integers(-noise, noise + 1, size=pixels.shape[:2])
        image = Image.fromarray(np.clip(pixels + grain[..., None], 0, 255).astype(np.uint8))
    return image


def blank_page(size: tuple[int, int] = A4_150, *, specks: int = 0) -> Image.Image:
    """White paper with a few dust specks."""
    image = Image.new("L", size, PAPER)
    draw = ImageDraw.Draw(image)
    rnd = random.Random(7)
    for _ in range(specks):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.ellipse([x, y, x + 2, y + 2], fill=90)
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def jp2_with_dpi(image: Image.Image, dpi: int) -> bytes:
    """A JPEG2000 (JP2) file with a capture-resolution box (``res `` / ``resc``) in its header,
    which Pillow's writer leaves out."""
    data = encode(image, "JPEG2000", irreversible=True, quality_mode="rates")
    header_at = data.index(b"jp2h") - 4
    (length,) = struct.unpack(">I", data[header_at : header_at + 4])
    per_metre = round(dpi / 0.0254)
    # resc: vertical then horizontal numerator/denominator, then both exponents (pixels/metre).
    resc = struct.pack(">HHHHbb", per_metre, 1, per_metre, 1, 0, 0)
    res_box = _box(b"res ", _box(b"resc", resc))
    header = data[header_at : header_at + length] + res_box
    header = struct.pack(">I", len(header)) + header[4:]
    return data[:header_at] + header + data[header_at + length :]


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def png_bomb(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` grey pixels over a tiny IDAT."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def pdf_of(images: list[Image.Image], *, resolution: float) -> bytes:
    """A scanned-style PDF: one image per page at ``resolution`` dpi (Pillow's writer)."""
    # Copies: Pillow leaves the PDF encoder's settings on appended images, which breaks a
    # later save of the same images in another format.
    first, *rest = (image.copy() for image in images)
    return encode(first, "PDF", resolution=resolution, save_all=True, append_images=rest)


def pdf_declaring_pages(count: int) -> bytes:
    """A PDF whose page tree declares ``count`` pages but holds one."""
    return _pdf(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [3 0 R] /Count {count} >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def pdf_without_pages() -> bytes:
    return _pdf(["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"])


def _pdf(objects: list[str]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def encrypted_pdf(source: bytes, *, user_password: str) -> bytes:
    """``source`` encrypted with pypdf (AES-128; an empty user password leaves only the owner
    password, so the file opens but is still encrypted)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
