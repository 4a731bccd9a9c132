"""User text where it meets formats with lines of their own (email headers, iCalendar, log
lines): the characters that break a line or control a terminal, found and cleaned in one place."""

import re

# Unicode's control characters (Cc: C0, DEL, C1 with U+0085 NEL) and its line and paragraph
# separators (Zl U+2028, Zp U+2029): none belongs in a title or a name, and str.splitlines(),
# email headers and many readers end a line at several of them.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What ends a line of text for str.splitlines(): one line break however it is written.
LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Allowed in text of several lines (descriptions, purposes): newline and tab, nothing else.
CONTROL_BUT_NEWLINE_AND_TAB = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` fit for a header: each run of control or line-separator characters becomes one
    space (a title written before the API refused them still reads as words)."""
    return re.sub(f"(?:{CONTROL.pattern})+", " ", text).strip()
