"""Turning the bytes of a department file into text.

Seoul's files come in UTF-8 (with or without a byte-order mark) or in the Korean legacy encodings: S-DoT
exports are EUC-KR, and spreadsheets saved by Korean Windows are CP949 (Microsoft's superset of EUC-KR, which
adds 8,822 hangul such as 똠 and 햏). ``"auto"`` tries UTF-8, then CP949, then charset-normalizer's guess.

Invalid bytes never crash the read: they are replaced by U+FFFD and the physical lines holding them are
reported in :attr:`DecodedText.bad_lines`, so each reader can raise a problem on the row they belong to.
Line endings are normalised to ``\\n``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Final

from charset_normalizer import from_bytes

from kg_service.errors import MappingRuleError, SourceDataError
from kg_service.mapping.sources.rows import ProblemLog

AUTO: Final = "auto"

_KOREAN_LEGACY: Final = "cp949"
_BINARY_PROBE_BYTES: Final = 8192
_WIDE_CODECS: Final = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


@dataclass(frozen=True, slots=True)
class DecodedText:
    """The text of a file and how it was obtained.

    - ``text``: the decoded text, byte-order mark removed, line endings normalised to ``\\n``.
    - ``encoding``: the codec used (Python's canonical name, e.g. ``utf-8``, ``utf-8-sig``, ``cp949``,
      ``euc_kr``).
    - ``bad_lines``: 1-based physical line numbers holding bytes invalid in that encoding (each replaced by
      U+FFFD in ``text``); ``0`` stands for "somewhere in the file" when lines cannot be told apart (UTF-16).
    """

    text: str
    encoding: str
    bad_lines: tuple[int, ...] = ()


def normalise_newlines(text: str) -> str:
    r"""Turn ``\r\n`` and lone ``\r`` into ``\n``.

    >>> normalise_newlines("a\r\nb\rc\n")
    'a\nb\nc\n'
    """
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_source(data: bytes, encoding: str, *, file_name: str) -> DecodedText:
    """Decode ``data`` with ``encoding`` (a codec name, or ``"auto"``).

    >>> decode_source("시리얼,date\\r\\n".encode("euc-kr"), "auto", file_name="s.csv")
    DecodedText(text='시리얼,date\\n', encoding='cp949', bad_lines=())
    >>> decode_source(b"\\xef\\xbb\\xbfa,b\\n", "auto", file_name="s.csv").encoding
    'utf-8-sig'

    :raises SourceDataError: the file is binary, or ``"auto"`` found no encoding that fits it.
    :raises MappingRuleError: ``encoding`` is not a codec Python knows.
    """
    _refuse_binary(data, file_name=file_name)
    if encoding.strip().lower() == AUTO:
        return _decode_auto(data, file_name=file_name)
    try:
        codec = codecs.lookup(encoding.strip()).name
    except LookupError:
        raise MappingRuleError(
            f"unknown text encoding '{encoding}' in the source description of {file_name}",
            f"{file_name}의 원천 설명에 알 수 없는 문자 인코딩 '{encoding}'이(가) 있습니다",
            hint="use 'auto', 'utf-8', 'cp949' or 'euc-kr'",
        ) from None
    return _decode_declared(data, codec)


def _refuse_binary(data: bytes, *, file_name: str) -> None:
    head = data[:_BINARY_PROBE_BYTES]
    if b"\x00" not in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    hint = "upload the data as text (CSV, JSON, XML)"
    if head.startswith(b"PK\x03\x04"):
        hint = "this looks like a ZIP or XLSX file: describe it as kind 'xlsx', or save it as CSV"
    raise SourceDataError(
        f"{file_name} looks like a binary file, not text (it contains NUL bytes)",
        f"{file_name} 파일은 텍스트가 아닌 바이너리 파일로 보입니다 (NUL 바이트 포함)",
        hint=hint,
    )


def _normalise_newline_bytes(data: bytes) -> bytes:
    """Normalise line endings before decoding (cheaper than on text).

    Safe for UTF-8 and CP949/EUC-KR: their multi-byte sequences never contain the bytes of CR or LF.
    """
    if b"\r" not in data:
        return data
    data = data.replace(b"\r\n", b"\n")
    return data.replace(b"\r", b"\n") if b"\r" in data else data


def _decode_declared(data: bytes, codec: str) -> DecodedText:
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if codec not in _WIDE_CODECS and "\n".encode(codec) == b"\n" and "\r".encode(codec) == b"\r":
        data = _normalise_newline_bytes(data)
    try:
        text = data.decode(codec)
        bad: tuple[int, ...] = ()
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        bad = (0,) if codec in _WIDE_CODECS else _bad_lines(data, codec)
    return DecodedText(normalise_newlines(text.removeprefix("\ufeff")), codec, bad)


def _decode_auto(data: bytes, *, file_name: str) -> DecodedText:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_declared(data, "utf-16")
    if data.startswith(codecs.BOM_UTF8):
        # A byte-order mark is strong evidence of UTF-8: keep it even with a few bad bytes.
        decoded = _decode_declared(data[len(codecs.BOM_UTF8) :], "utf-8")
        return DecodedText(decoded.text, "utf-8-sig", decoded.bad_lines)
    data = _normalise_newline_bytes(data)
    for codec in ("utf-8", _KOREAN_LEGACY):
        try:
            return DecodedText(data.decode(codec), codec)
        except UnicodeDecodeError:
            continue
    # Neither fits exactly: a file in one of them with a few damaged bytes is kept (and the damaged lines
    # reported) rather than handed to a statistical guess that may turn every hangul into mojibake.
    line_count = data.count(b"\n") + 1
    tolerated = max(2, line_count // 100)
    best: tuple[int, str, tuple[int, ...]] | None = None
    for codec in ("utf-8", _KOREAN_LEGACY):
        bad = _bad_lines(data, codec, stop_after=tolerated + 1)
        if len(bad) <= tolerated and (best is None or len(bad) < best[0]):
            best = (len(bad), codec, bad)
    if best is not None:
        _, codec, _ = best
        return DecodedText(data.decode(codec, errors="replace"), codec, _bad_lines(data, codec))
    guess = from_bytes(data).best()
    if guess is None or guess.encoding is None:
        raise SourceDataError(
            f"{file_name} is not text in any encoding tried (UTF-8, CP949/EUC-KR, or a detected one)",
            f"{file_name} 파일을 어떤 문자 인코딩으로도 읽을 수 없습니다 (UTF-8, CP949/EUC-KR, 자동 감지)",
            hint="save the file as UTF-8 text, or state its encoding in the mapping's source description",
        )
    return DecodedText(normalise_newlines(str(guess).removeprefix("\ufeff")), guess.encoding)


def _bad_lines(data: bytes, codec: str, *, stop_after: int | None = None) -> tuple[int, ...]:
    """1-based numbers of the physical lines that do not decode in ``codec`` (ASCII-compatible codecs)."""
    bad: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode(codec)
        except UnicodeDecodeError:
            bad.append(number)
            if stop_after is not None and len(bad) >= stop_after:
                break
    return tuple(bad)


def invalid_bytes_text(encoding: str, *, where_en: str, where_ko: str) -> tuple[str, str]:
    """English and Korean wording for bytes invalid in ``encoding`` at a place described in both languages.

    >>> en, ko = invalid_bytes_text("euc_kr", where_en="line 3", where_ko="3번째 줄")
    >>> en.startswith("line 3 has bytes that are invalid in euc_kr"), "cp949" in en
    (True, True)
    """
    en = f"{where_en} has bytes that are invalid in {encoding} (replaced by '\ufffd')"
    ko = f"{where_ko}에 {encoding} 인코딩에서 잘못된 바이트가 있습니다 ('\ufffd'로 대체됨)"
    if encoding == "euc_kr":
        en += "; files saved by Korean Windows are usually cp949, a superset of EUC-KR: declare 'cp949' or 'auto'"
        ko += "; 한국어 윈도우에서 저장한 파일은 보통 EUC-KR의 확장인 cp949이므로 'cp949' 또는 'auto'로 지정하세요"
    return en, ko


def line_problem_text(line: int, encoding: str) -> tuple[str, str]:
    """:func:`invalid_bytes_text` for physical ``line`` (``0``: somewhere in the file)."""
    if line == 0:
        return invalid_bytes_text(encoding, where_en="the file", where_ko="파일")
    return invalid_bytes_text(encoding, where_en=f"line {line}", where_ko=f"{line}번째 줄")


def report_bad_lines(decoded: DecodedText, log: ProblemLog) -> None:
    """Add one file-level ``encoding`` problem per damaged line (for readers that cannot locate rows)."""
    for line in decoded.bad_lines:
        en, ko = line_problem_text(line, decoded.encoding)
        log.add(None, None, None, "encoding", en, ko)
