"""Bytes to lines of text: BOMs, UTF-16 without its BOM, UTF-8 and Windows-1258 line by line.

A file may be two exports glued together, or cut in the middle of a character; decoding never
fails on damage (undecodable bytes become U+FFFD on the lines they are on), and it tells a
binary file from text so that the header search can say which one it was given.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BYTE_BREAK = re.compile(rb"\r\n|\r|\n")


_TEXT_BREAK = re.compile(r"\r\n|\r|\n")


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")


@dataclass
class DecodedText:
    lines: list[str]
    encoding: str
    terminated: bool  # the last line ends with a line break
    truncated: bool  # the bytes end in the middle of a character (or in NUL padding)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with its BOM lost: NUL bytes in every other position (ASCII letters, digits)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : pairs * 2 : 2].count(0), sample[1 : pairs * 2 : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_wide(body: bytes, codec: str, label: str) -> DecodedText:
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    text = decoder.decode(body, final=False)
    truncated = bool(decoder.getstate()[0])
    terminated = text.endswith(("\n", "\r"))
    lines = _TEXT_BREAK.split(text)
    if terminated or lines[-1] == "":
        lines.pop()
    return DecodedText([line.replace("\x00", "") for line in lines], label, terminated, truncated)


def _line_as_utf8(raw: bytes) -> bool:
    """A line that is not valid UTF-8: damaged UTF-8 (mostly good sequences) or 8-bit text."""
    good = len(_UTF8_SEQUENCE.findall(raw))
    if not good:
        return False
    bad = raw.decode("utf-8", "replace").count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    return good >= bad


def _decode_narrow(body: bytes, label: str) -> DecodedText:
    """UTF-8 or Windows-1258, decided line by line: a file may be two exports glued together.

    A line that is valid UTF-8 is UTF-8; one that has UTF-8 sequences and a few bad bytes is
    damaged UTF-8 (its bad bytes become U+FFFD, which cleaning reports); any other line is
    Windows-1258. UTF-8 cut inside its last character keeps the characters before it.
    """
    kept = body.rstrip(b"\x00")
    padded = len(kept) < len(body)
    terminated = kept.endswith((b"\n", b"\r"))
    try:
        text = kept.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        lines = _TEXT_BREAK.split(text)
        if terminated or lines[-1] == "":
            lines.pop()
        lines = [line.replace("\x00", "") for line in lines]
        return DecodedText(lines, label, terminated, padded and not terminated)
    raw_lines = _BYTE_BREAK.split(kept)
    if terminated:
        raw_lines.pop()
    used: set[str] = set()
    lines = []
    truncated = padded and not terminated
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
            if not raw.isascii():
                used.add("utf-8")
        except UnicodeDecodeError:
            line = None
        if line is None and number == len(raw_lines) and not terminated:
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                head = decoder.decode(raw, final=False)
            except UnicodeDecodeError:
                head = None
            if head is not None and ("utf-8" in used or not head.isascii()):
                line, truncated = head, True
        if line is None:
            if _line_as_utf8(raw):
                line = raw.decode("utf-8", "replace")
                used.add("utf-8")
            else:
                line = raw.decode("cp1258", "replace")
                used.add("cp1258")
        lines.append(line.replace("\x00", ""))
    base = label if "utf-8" in used or "cp1258" not in used else ""
    encoding = "+".join(filter(None, [base, "cp1258" if "cp1258" in used else ""]))
    return DecodedText(lines, encoding, terminated, truncated)


def decode_text(data: bytes, file_name: str) -> DecodedText:
    """Decode CSV or JSON-lines bytes: BOMs first, then UTF-16 by its NULs, UTF-8, Windows-1258.

    Never fails on damage: undecodable bytes become U+FFFD in the lines they are on.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode_narrow(data[3:], "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE):
        return _decode_wide(data[2:], "utf-16-le", "utf-16")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _decode_wide(data[2:], "utf-16-be", "utf-16")
    wide = _utf16_without_bom(data)
    if wide:
        return _decode_wide(data, wide, wide)
    return _decode_narrow(data, "utf-8")


def _binary_line(text: DecodedText, data: bytes) -> int | None:
    """The line where binary data starts, when the file's start is not text at all."""
    head = "\n".join(text.lines)[:4096]
    nuls = data[:4096].count(0) if not text.encoding.startswith("utf-16") else 0
    bad = len(_NOT_TEXT.findall(head)) + nuls
    if not head or bad <= 0.05 * max(len(head), 1) and nuls <= 0.05 * len(data[:4096]):
        return None
    for number, line in enumerate(text.lines, start=1):
        if _NOT_TEXT.search(line):
            return number
    return 1
