"""Deterministic text decoding of partner files (公安, 卫健, 民政 and 司法 often send GBK).

Order, per stack-notes §7: a UTF-8 byte-order mark wins; otherwise strict UTF-8, then strict
GB18030 (a superset of GB2312 and GBK); only when both fail is charset-normalizer asked, and its
answer is marked ``confident=False`` so the UI can ask the clerk to confirm. Detection alone is
not trusted because short GBK samples are misdetected (e.g. as ``big5hkscs``).

:func:`open_text` is the streaming variant: it sniffs at most ``SNIFF_BYTES`` of the file, then
decodes incrementally, so memory stays flat whatever the file size.
"""

import codecs
import io
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from charset_normalizer import from_bytes

from retirelink.errors import InvalidInputError

UTF8_BOM = codecs.BOM_UTF8
SNIFF_BYTES = 64 * 1024
_STRICT_CANDIDATES = ("utf-8", "gb18030")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_UNKNOWN_ENCODING = "无法识别文件的字符编码，请另存为UTF-8或GB18030编码后重新上传"


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the codec used, and whether the codec was chosen without guessing."""

    text: str
    encoding: str
    confident: bool


def _decodes(data: bytes, encoding: str, *, final: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        decoder.decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> tuple[str, bool]:
    """Pick a codec for ``data`` (a complete text or a prefix of one)."""
    best = from_bytes(data).best()
    if best is None:
        raise InvalidInputError(_UNKNOWN_ENCODING)
    return best.encoding, False


def decode_text(data: bytes) -> Decoded:
    """Decode a whole file held in memory: BOM, UTF-8, GB18030, then detection (not confident).

    >>> decode_text("张三".encode("gbk")).encoding
    'gb18030'
    """
    # A BOM followed by non-UTF-8 bytes falls through to the other candidates.
    if data.startswith(UTF8_BOM):
        with suppress(UnicodeDecodeError):
            return Decoded(data.decode("utf-8-sig"), "utf-8-sig", True)
    for encoding in _STRICT_CANDIDATES:
        try:
            return Decoded(data.decode(encoding), encoding, True)
        except UnicodeDecodeError:
            continue
    encoding, confident = _detect(data)
    try:
        return Decoded(data.decode(encoding), encoding, confident)
    except (UnicodeDecodeError, LookupError):
        raise InvalidInputError(_UNKNOWN_ENCODING) from None


def _non_ascii_sample(binary: BinaryIO, first: bytes) -> tuple[bytes, bool]:
    """Up to ``SNIFF_BYTES`` starting at the file's first non-ASCII byte, and whether EOF follows.

    Everything before the first byte >= 0x80 is ASCII, so that byte starts a character in
    UTF-8 and in GB18030 alike; a long ASCII prefix (a header such as ``aac002,aac003``) is
    skipped chunk by chunk without being kept in memory.
    """
    chunk = first
    while chunk:
        match = _NON_ASCII.search(chunk)
        if match is not None:
            sample = chunk[match.start() :]
            if len(sample) < SNIFF_BYTES:
                sample += binary.read(SNIFF_BYTES - len(sample))
            return sample, binary.read(1) == b""
        chunk = binary.read(SNIFF_BYTES)
    return b"", True


def sniff_encoding(binary: BinaryIO) -> tuple[str, bool]:
    """Choose the codec of a seekable binary stream; returns ``(encoding, confident)``.

    Reads from the current position and rewinds to the start afterwards.
    """
    head = binary.read(SNIFF_BYTES)
    try:
        if head.startswith(UTF8_BOM):
            return "utf-8-sig", True
        sample, at_eof = _non_ascii_sample(binary, head)
        if not sample:
            return "utf-8", True  # pure ASCII
        for encoding in _STRICT_CANDIDATES:
            if _decodes(sample, encoding, final=at_eof):
                return encoding, True
        return _detect(sample)
    finally:
        binary.seek(0)


def wrap_text(binary: BinaryIO) -> tuple[io.TextIOWrapper, str, bool]:
    """Wrap a seekable binary stream in an incremental, strict text decoder.

    Returns ``(text stream, encoding, confident)``. The stream uses ``newline=""`` as the
    :mod:`csv` module requires; bytes that do not decode raise :class:`UnicodeDecodeError`
    while reading, which callers report with the row reached.
    """
    encoding, confident = sniff_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    return text, encoding, confident


def open_text(path: Path) -> tuple[TextIO, str]:
    """Open ``path`` for streaming text reading in the codec chosen from its first 64 KB.

    The caller closes the returned stream (it owns the underlying file).
    """
    binary = path.open("rb")
    try:
        text, encoding, _ = wrap_text(binary)
    except BaseException:
        binary.close()
        raise
    return text, encoding
