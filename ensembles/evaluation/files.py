"""Writing results as text files and reading back the JSON they were saved as."""

import json

__all__ = ["read_json", "write_text"]


def write_text(text, path):
    """``text`` itself when ``path`` is None; else ``text`` written to ``path``, and
    ``path`` returned."""
    if path is None:
        return text
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def read_json(text_or_path, fmt, writer):
    """The document in a JSON string or file, checked to be of format ``fmt`` (what
    ``writer`` wrote)."""
    text = str(text_or_path)
    if not text.lstrip().startswith("{"):
        with open(text, encoding="utf-8") as f:
            text = f.read()
    doc = json.loads(text)
    if doc.get("format") != fmt:
        raise ValueError(
            f"from_json expects what {writer} wrote (format {fmt!r}); got format "
            f"{doc.get('format')!r}."
        )
    return doc
