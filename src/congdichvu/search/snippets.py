"""The query's words marked in a result's name and passages (HTML).

Whoosh's highlighter runs every word of a text through the analyzer chain
and scores every fragment: some 0.3 ms a text, 6 ms of a 10-result page,
more than the search itself at 5,000 procedures. Marking needs less: the
words of the text, each folded as the index folds it, compared with the
query's folded syllables; passages are cut around the first words found.
"""
import re
from functools import lru_cache
from html import escape

from .analysis import fold, nfc, unify_spelling

WORD = re.compile(r"\w+")
#: characters of context a passage keeps on each side of its first mark
SURROUND = 60
#: the longest passage, and how many a snippet shows
PASSAGE_CHARS, PASSAGES = 160, 2
BETWEEN = " … "
LINE_BETWEEN = " · "


@lru_cache(maxsize=65536)
def _folded(word):
    return fold(unify_spelling(word.lower()))


def _marks(text, marked):
    """The (start, end) of each word of ``text`` the query holds, in order (lazily)."""
    return ((m.start(), m.end()) for m in WORD.finditer(text) if _folded(m.group()) in marked)


def _html(text, marks, start=0, end=None):
    """``text[start:end]`` escaped, each of ``marks`` inside it in <mark>."""
    end = len(text) if end is None else end
    parts, at = [], start
    for mark_start, mark_end in marks:
        if mark_start < start or mark_end > end:
            continue
        parts.append(escape(text[at:mark_start]))
        parts.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        at = mark_end
    parts.append(escape(text[at:end]))
    return "".join(parts)


def whole(text, marked):
    """All of ``text`` (a name), escaped, the query's words marked."""
    text = nfc(text or "")
    return _html(text, list(_marks(text, marked)))


def passages(text, marked):
    """Up to PASSAGES passages of ``text`` around the query's words, joined
    by BETWEEN, escaped and marked; "" when the text holds none of them.
    Words are read only as far as the passages need (a long text's end is
    never analysed). Lines (a procedure's papers, one a line) are kept
    apart by LINE_BETWEEN: a page shows a passage as one paragraph."""
    text = nfc(text or "").replace("\n", LINE_BETWEEN)
    found, current, marks = [], None, []
    for mark in _marks(text, marked):
        if current is not None and mark[1] <= current[1]:
            marks.append(mark)
            continue
        if current is not None:
            found.append(_html(text, marks, *current).strip())
            if len(found) == PASSAGES:
                break
        # a passage opens a little before its first mark, never inside the one before
        start = _word_start(text, max(current[1] if current else 0, mark[0] - SURROUND))
        current, marks = (start, _word_end(text, min(len(text), start + PASSAGE_CHARS))), [mark]
    else:
        if current is not None:
            found.append(_html(text, marks, *current).strip())
    return BETWEEN.join(found)


_NON_WORD = re.compile(r"\W")


def _word_start(text, at):
    """``at`` moved forward to the start of a word (a passage never opens mid-word)."""
    if at == 0 or not text[at - 1].isalnum():
        return at
    boundary = _NON_WORD.search(text, at)
    return boundary.end() if boundary else at


def _word_end(text, at):
    """``at`` moved back to the end of a word."""
    if at >= len(text) or not text[at].isalnum():
        return at
    space = text.rfind(" ", 0, at)
    return space if space > 0 else at
