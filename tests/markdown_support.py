"""What a browser's Markdown would make of a text: links, images, HTML, autolinked bare URLs and LaTeX (issue #15).

Streamlit renders Markdown with CommonMark plus GitHub's extensions (tables, strikethrough, bare URLs, www. names and
e-mail addresses turned into links) and remark-math ($…$). markdown-it-py parses the CommonMark part; the bare-URL
rule is applied to the text it reads (as GitHub's Markdown does, after escapes), and LaTeX to unescaped dollars.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# GitHub-flavoured Markdown's literal autolinks, found in text after escapes are read (mdast-util-gfm-autolink-literal).
GFM_AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)[-\w]|[-.\w+]+@[-\w]+\.[-\w]")
# A dollar sign not escaped by a backslash (an even run of backslashes before it escapes only themselves).
UNESCAPED_DOLLAR = re.compile(r"(?:^|[^\\])(?:\\\\)*\$")
LIVE_TOKENS = {"link_open", "image", "html_inline", "html_block"}


def _tokens(source: str):
    for token in _PARSER.parse(source):
        yield token
        yield from token.children or ()


def live_markup(source: str) -> list[str]:
    """Everything in `source` that the browser would render as more than text: a link, an image, HTML, a bare URL
    turned into a link, or LaTeX. Empty when the text is shown as written."""
    found = []
    for token in _tokens(source):
        if token.type in LIVE_TOKENS:
            found.append(f"{token.type}: {token.content or token.attrs}")
        if token.type == "text" and GFM_AUTOLINK.search(token.content):
            found.append(f"bare link: {token.content}")
    if UNESCAPED_DOLLAR.search(source):
        found.append("LaTeX: an unescaped $")
    return found


def rendered_text(source: str) -> str:
    """The text a reader sees (escapes read, line breaks as newlines)."""
    parts = []
    for token in _tokens(source):
        if token.type in {"text", "code_inline", "html_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak", "paragraph_close"}:
            parts.append("\n")
        elif token.type in {"code_block", "fence", "html_block"}:
            parts.append(token.content)
    return "".join(parts)
