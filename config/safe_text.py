"""The one escaping function for user- and file-supplied text shown inside Markdown (issue #15).

Streamlit renders Markdown in st.markdown, st.caption, st.subheader, st.title, st.info and the like, in widget labels
and in translated messages that carry a value. Text a person typed (an action's title, a feedback theme, commentary,
a meeting's decision), text from a loaded file (findings, feedback, file names) and text from a URL (?action=…) goes
through `plain` before it reaches any of them. It lives in config/ (pure, no other room) so that data/'s Markdown
documents (the participants' summary) use the same function as the pages.
"""

from __future__ import annotations

import re
from typing import Any

from config.i18n import MISSING

# Markdown's syntax characters that can make a link, an image, HTML, code, emphasis, a heading, a table, struck
# text, LaTeX ($…$) or a character reference (&lt;) out of text. A backslash before any ASCII punctuation shows it as
# itself (CommonMark).
_MARKDOWN = re.compile(r"([\\`*_#\[\]<>|~$&])")
# Block markers at the start of a line (lists, headings underlined with = or -, numbered lists, quotes).
_LINE_START = re.compile(r"(?m)^([ \t]*)((?:\d+(?=[.)](?:[ \t]|$)))?)([-+=.)])")
# What GitHub-flavoured Markdown turns into a link without any syntax (bare URLs, www. names, e-mail addresses):
# the browser's Markdown finds them in the text after escapes are read, so a backslash cannot stop them. A word
# joiner (U+2060, invisible and never a line break) inside each one makes it plain text that reads the same.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(:)(?=//)|(www)(?=\.)|(@)")


def plain(text: Any) -> str:
    """User- or file-supplied text shown as written inside Markdown: the one escaping function for every place that
    hands such text to st.markdown, st.subheader, st.title, st.caption, st.info and the like (directly, or inside a
    translated message).

    It cannot become a link or an image (`[x](…)`, `![x](…)`, `<http://…>`, bare `http://…`, `www.…`, e-mail
    addresses), HTML, LaTeX (`$…$`), code, emphasis, a heading, a list or a table. Missing values read as a dash.
    """
    if text is None or (isinstance(text, float) and text != text):
        return MISSING
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    text = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START.sub(r"\1\2\\\3", text)
