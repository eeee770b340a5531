"""Text as XML 1.0 can carry it, for every answer written as XML: Open311's replies and the Excel export's cells.

Text is stored as written, and a report may carry a control character (Word's vertical tab, pasted). XML 1.0's Char
production (https://www.w3.org/TR/xml/#charsets) leaves out the C0 controls but tab, newline and carriage return,
U+FFFE, U+FFFF and unpaired surrogates: lxml refuses them (ValueError), openpyxl refuses the controls
(IllegalCharacterError) and its writer the rest, so an answer holding one could not be built at all.
"""

import re

NOT_XML_CHAR = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
REPLACEMENT = "\ufffd"


def xml_text(text: str) -> str:
    """`text` with each character XML 1.0 cannot hold replaced by U+FFFD."""
    return NOT_XML_CHAR.sub(REPLACEMENT, text)
