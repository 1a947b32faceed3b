"""Lines that are headlines, not the story: titles, short lines, a feed's footer repeating the title."""

from __future__ import annotations

import re


def headings(text: str) -> list[tuple[int, int]]:
    """Lines that are headlines: short, and not ended like a sentence.

    A key-figure line below the first ("S&P 500 : 5 396,52 points, en baisse de 4,84 %") is no headline,
    nor a line of a list a line ending with ":" opens ("Also moving on July 24:"). The first line is one when
    it asks ("… TIME TO WORRY?") or is in capitals.
    """
    out, start, first, in_list = [], 0, True, False
    lines = text.split("\n")
    prose = next((k for k, line in enumerate(lines) if _PROSE.match(line.strip())), len(lines))
    for k, line in enumerate(lines):
        body = line.strip()
        short = body and len(body) <= 150 and not re.search(r"[.!?…»\"”)':]$", body)
        bullet = body.startswith(("- ", "• ", "* ", "– ", "** "))  # a bullet point (Reuters' "** ")
        short = short and (not bullet or k < prose < len(lines))  # bullets above the story's prose: its summary
        title = first and body and len(body) <= 150 and (body.endswith(("?", "!")) or not re.search(r"[a-zà-ÿ]", body))
        key_figure = _KEY_FIGURE.match(body) and " | " not in body  # a quote strip "MSFT | $525.76 | -2.92%" is none
        repost = _FEED_FOOTER.match(body)  # "L'article … est apparu en premier sur …": the title again
        if (short and not in_list and (first or not key_figure)) or title or repost:
            out.append((start, start + len(line)))
        in_list = bool(body) and (in_list or body.endswith(":"))
        first = first and not body
        start += len(line) + 1
    return out


_FEED_FOOTER = re.compile(r"(?:L['’]article|The post)\s.{5,300}\s(?:est apparu en premier sur|appeared first on)\s")
_PROSE = re.compile(r"[^*•–\-\s][^\n]{60,}[.!?…»\"”]$")  # a paragraph of the story (not a title, a bullet)
_KEY_FIGURE = re.compile(r"[^:\n]{2,40}\s?:\s[^:\n]*\d\s?%\s*$")
