"""Reading articles, normalising their characters, splitting sentences.

Normalisation maps characters one to one (no-break and narrow no-break
spaces to a space, typographic apostrophes to ASCII, the minus
sign to a hyphen), so an offset in the normalised text is the same offset
in the file as decoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from eventstudy.articles.records import ArticleError
from eventstudy.file_io import read_input

# one character for one character, so offsets survive
_MAP = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space (French "2,3 %")
        "\u2009": " ",  # thin space
        "\u2007": " ",  # figure space
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash
        "\uff05": "%",  # full-width percent
        "\ufeff": " ",  # byte-order mark
    }
)

# a sentence ends at a newline, or after . ! ? … (and closing quotes) before
# a capital, a quote or a dash; "pays.Cependant" (no space) also ends one
_END = re.compile(r"\n+|(?<=[.!?…])(?P<close>(?:\s?[\"')\]»”](?=\s|$))*)(?:\s+(?=[\"(\-A-ZÀ-Ý«“])|(?=[A-ZÀ-Ý]))")
# a "date YYYY-MM[-DD]" header opening the text: the article's own date
HEADER = re.compile(r"^\W{0,3}(?P<h>date\s+(?P<y>\d{4})-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)(?!\d)", re.IGNORECASE)
_NOT_END = re.compile(r"(?:\b[A-Z]|\bM|\bMme|\bDr|\bSt|\bInc|\bCorp|\bCo|\bLtd|\bvs|\bNo)\.$")


@dataclass(frozen=True)
class Article:
    """An article's text as decoded (``raw``) and normalised (``text``)."""

    path: Path
    raw: str
    text: str

    @property
    def source(self) -> str:
        """The file name, used as the source of every record."""
        return self.path.name


def normalize(raw: str) -> str:
    """Map spaces, apostrophes, quotes and minus signs to ASCII, one for one; blank a link's screen-reader words."""
    return _NEW_TAB.sub(lambda m: " " * len(m.group()), raw.translate(_MAP))


# a link's screen-reader words left in copied text: "(SOXX), which opened a new tab, climbed", "(.IXIC), opens new tab"
_NEW_TAB = re.compile(r"(?:,\s*)?(?:which\s+)?(?:opens|opened)\s+(?:a\s+)?new\s+tab\b,?", re.IGNORECASE)


def read_article(path: str | Path) -> Article:
    """Read a UTF-8 text article.

    Raises
    ------
    ArticleError
        When the file is missing, unreadable or not UTF-8; the message names it.
    """
    path = Path(path)
    try:
        data = read_input(path, "article")  # a regular file under the article size limit
    except FileNotFoundError:
        raise ArticleError(f"{path}: no such article file") from None
    except IsADirectoryError:
        raise ArticleError(f"{path}: is a directory, not an article file") from None
    except OSError as exc:
        raise ArticleError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ArticleError(f"{path}: is UTF-16 text, not UTF-8; convert it first, e.g. iconv -f utf-16 -t utf-8")
    _check_binary(path, data)
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: is not UTF-8 text (byte 0x{data[exc.start]:02x} at byte {exc.start}); "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None
    if not raw.strip():
        raise ArticleError(f"{path}: is empty; give a plain-text article")
    if _HTML.search(raw[:4000]) or len(_TAG.findall(raw[:20000])) > 20:
        raise ArticleError(
            f"{path}: looks like HTML, not plain text; save the article's text only (e.g. copy it from the page)"
        )
    return Article(path=path, raw=raw, text=normalize(raw))


_HTML = re.compile(r"<!doctype html|<html[\s>]|<body[\s>]|<head[\s>]", re.IGNORECASE)
_TAG = re.compile(r"</?(?:p|div|span|a|br|script|style|meta|li|ul|h[1-6]|table|tr|td|img)\b[^>]*>", re.IGNORECASE)


def _check_binary(path: Path, data: bytes) -> None:
    if b"\0" in data[:65536]:
        raise ArticleError(f"{path}: is a binary file, not a plain-text article")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of spaces and leading dashes."""
    spans, start = [], 0
    if header := HEADER.match(text):
        spans.append((header.start("h"), header.end()))
        start = header.end()
    for m in _END.finditer(text, start):
        if "\n" not in m.group() and _NOT_END.search(text[max(0, m.start() - 6) : m.start()]):
            continue  # "M. Son", "U.S. "
        before = text[m.start() - 2] if m.start() >= 2 else ""
        if m.group() == "" and before and (before.isupper() or before.isspace() or before.isdigit() or before == "("):
            continue  # a ticker "(ORCL.N)", "9984.T" or a code " .IXIC", "(.SPX)", not "pays.Cependant"
        spans.append((start, m.start() + len(m.group("close") or "")))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and (text[a].isspace() or text[a] in "-•*"):
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def sentence_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The sentence span containing ``offset``."""
    for a, b in spans:
        if a <= offset < b:
            return a, b
    raise ValueError(offset)


# an aside: a relative clause between commas (decimals such as "17,4" or "17.4" stay inside), or a parenthesis
_ASIDE = re.compile(
    r",\s*(?:whose|which|who|whom|where|dont|qui|où|lequel|laquelle|lesquels|lesquelles)\b"
    r"(?:[^,;().!?]|(?<=\d)[,.](?=\d))*,|\([^()]*\)",
    re.IGNORECASE,
)


def aside_spans(text: str, a: int = 0, b: int | None = None) -> list[tuple[int, int]]:
    """Spans of the asides in ``text[a:b]``: ", whose … ,", ", qui … ,", "( … )".

    Day words in an aside are the aside's own ("Nvidia, whose value fell the
    day before, climbed 8.9%"): not the day of the main verb, nor the day
    that "the day before" in a later sentence counts from.
    """
    return [m.span() for m in _ASIDE.finditer(text, a, len(text) if b is None else b)]
