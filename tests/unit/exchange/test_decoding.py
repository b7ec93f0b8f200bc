import io
import tracemalloc
from pathlib import Path

import pytest

from retirelink.errors import InvalidInputError
from retirelink.exchange.decoding import SNIFF_BYTES, decode_text, open_text, sniff_encoding

TEXT = "公民身份号码,姓名\n130406195309224371,丁立林\n"


def test_utf8_with_bom() -> None:
    decoded = decode_text(TEXT.encode("utf-8-sig"))
    assert (decoded.text, decoded.encoding, decoded.confident) == (TEXT, "utf-8-sig", True)


def test_utf8_without_bom() -> None:
    decoded = decode_text(TEXT.encode("utf-8"))
    assert (decoded.text, decoded.encoding, decoded.confident) == (TEXT, "utf-8", True)


def test_gbk_decodes_as_gb18030() -> None:
    decoded = decode_text(TEXT.encode("gbk"))
    assert (decoded.text, decoded.encoding, decoded.confident) == (TEXT, "gb18030", True)


def test_gb18030_four_byte_character() -> None:
    text = "姓名\n𠮷丽\n"
    data = text.encode("gb18030")
    assert len("𠮷".encode("gb18030")) == 4  # outside GBK: a four-byte GB18030 sequence
    assert decode_text(data).text == text


def test_short_gbk_sample_is_not_taken_for_big5() -> None:
    # charset-normalizer alone reads this as big5hkscs garbage (stack-notes §7).
    decoded = decode_text("张三".encode("gbk"))
    assert (decoded.text, decoded.encoding) == ("张三", "gb18030")


def test_undecodable_bytes_fall_back_to_detection_marked_not_confident() -> None:
    data = "Ceci est un fichier déjà encodé en UTF-16.".encode("utf-16-le")
    try:
        decoded = decode_text(data)
    except InvalidInputError as error:
        assert "编码" in error.message
    else:
        assert decoded.confident is False


def test_sniff_skips_a_long_ascii_prefix() -> None:
    data = b"aac002,aac003\n" + b"x" * (3 * SNIFF_BYTES) + "\n丁立林\n".encode("gbk")
    binary = io.BytesIO(data)
    assert sniff_encoding(binary) == ("gb18030", True)
    assert binary.tell() == 0


def test_sniff_tolerates_a_character_cut_at_the_window_edge() -> None:
    # The 64 KB window ends inside a three-byte UTF-8 character; that is not a decoding error.
    data = ("丁" * (SNIFF_BYTES // 3 + 10)).encode("utf-8")
    assert sniff_encoding(io.BytesIO(data)) == ("utf-8", True)


def test_sniff_pure_ascii_and_bom() -> None:
    assert sniff_encoding(io.BytesIO(b"a,b\n1,2\n")) == ("utf-8", True)
    assert sniff_encoding(io.BytesIO("丁".encode("utf-8-sig"))) == ("utf-8-sig", True)


def test_open_text_streams_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "130406195309224371,丁立林,2025-04-29\n".encode("gb18030")
    with path.open("wb") as handle:
        for _ in range(20):
            handle.write(line * 20_000)  # about 16 MB in total
    tracemalloc.start()
    try:
        text, encoding = open_text(path)
        with text:
            count = sum(1 for _ in text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, encoding) == (400_000, "gb18030")
    assert peak < 2 * 1024 * 1024  # far below the file size


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_open_text_round_trip(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(TEXT.encode(encoding))
    text, chosen = open_text(path)
    with text:
        assert text.read() == TEXT
    assert chosen == encoding
