"""The request guard's pieces that need no application."""
import io

import pytest

from congdichvu.ingress import PublicURL, part_sizes


def _multipart(parts, boundary=b"xyz"):
    body = b""
    for name, content in parts:
        body += b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"" + name + b"\"\r\n\r\n" + content + b"\r\n"
    return body + b"--" + boundary + b"--\r\n"


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 65536])
def test_part_sizes_are_read_without_parsing_whatever_the_chunks(chunk):
    body = _multipart([(b"a", b"x"), (b"b", b"y" * 2000), (b"c", b"")])
    sizes = part_sizes(io.BytesIO(body), b"xyz", limit=100, chunk=chunk)
    assert len(sizes) == 3
    assert sizes[1] > 2000 > sizes[0] and sizes[2] < 100


def test_part_sizes_stop_past_the_limit():
    body = _multipart([(b"f", b"x")] * 50)
    assert len(part_sizes(io.BytesIO(body), b"xyz", limit=10, chunk=16)) == 11


def test_the_public_url_must_be_an_address_without_a_path():
    assert PublicURL("https://dichvucong.example.vn").url == "https://dichvucong.example.vn"
    for wrong in ("", "dichvucong.example.vn", "ftp://x.vn", "https://x.vn/portal", "https://x.vn/?a=1"):
        with pytest.raises(ValueError):
            PublicURL(wrong)
