"""Per-file text encoding: UTF-8 with or without BOM, UTF-16, GBK/GB18030, latin-1; always returns UTF-8 bytes."""

from __future__ import annotations

import codecs

_CANDIDATES = ["gb18030", "big5", "cp1252", "latin_1"]
_SAMPLE_BYTES = 256_000


def to_utf8(raw: bytes) -> tuple[bytes, str]:
    """Return the text as UTF-8 bytes without BOM, and the name of the encoding it was found in."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace").encode("utf-8"), "utf-16"
    bom_less = _utf16_without_bom(raw)
    if bom_less is not None:
        return raw.decode(bom_less, errors="replace").encode("utf-8"), bom_less
    if raw.isascii():
        return raw, "ascii"
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _guess_legacy(raw)
    return raw.decode(encoding, errors="replace").encode("utf-8"), encoding


def _utf16_without_bom(raw: bytes) -> str | None:
    """utf-16-le or utf-16-be when the text is UTF-16 written without a BOM: CSV text is mostly ASCII, so
    every other byte is NUL (odd positions in little-endian, even ones in big-endian)."""
    sample = raw[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _guess_legacy(raw: bytes) -> str:
    # Chinese feeds are GBK/GB18030 far more often than anything else. Latin-1 text also decodes as GB18030
    # (an accented letter plus an ASCII letter is a valid GBK pair), but only into rare GBK-extension
    # characters; real Chinese text is nearly all in the common GB2312 set.
    try:
        text = raw[:_SAMPLE_BYTES].decode("gb18030", errors="ignore")
        non_ascii = [c for c in text if ord(c) > 127]
        if non_ascii and sum(_in_gb2312(c) for c in non_ascii) / len(non_ascii) > 0.95:
            raw.decode("gb18030")
            return "gb18030"
    except UnicodeDecodeError:
        pass
    # imported only by the rare feed that needs it (20 ms at every start otherwise)
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:_SAMPLE_BYTES], cp_isolation=_CANDIDATES).best()
    return best.encoding if best is not None else "latin_1"


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False
