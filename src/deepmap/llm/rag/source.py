"""The documents `deepmap rag index` reads: a folder of text files or a JSONL file.

A folder: every *.txt and *.md file under it (recursively, hidden ones skipped), its id the
path relative to the folder. A JSONL file: one object a line, its text in `text_field`; its
id in `id_field` when given, else the first 16 hex digits of the text's SHA-256 (so the
same passage on several lines, as in BoolQ, is one document).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from deepmap.errors import DataError, InputError
from deepmap.validate import parse_json, short

__all__ = ["content_hash", "read_documents", "read_jsonl"]

MAX_FILE_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")


def content_hash(text: str) -> str:
    """SHA-256 of the UTF-8 text, hex: what decides whether a document changed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_jsonl(path: Path, fields: list[str], where: str = "--data") -> list[dict]:
    """The objects of a JSONL file, each checked to hold every field in `fields` as a string."""
    if not path.is_file():
        raise InputError(f"{where} {short(str(path))}: no such file.")
    if path.stat().st_size > MAX_FILE_BYTES * 20:
        raise DataError(f"{where} {short(str(path))}: larger than 1 GB.")
    rows = []
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise DataError(f"{path.name}:{n}: not UTF-8 text.") from None
            if not line.strip():
                continue
            obj = parse_json(line, path.name, first_line=n)
            if not isinstance(obj, dict):
                raise DataError(f"{path.name}:{n}: not a JSON object.")
            for name in fields:
                if name not in obj:
                    raise DataError(
                        f"{path.name}:{n}: no field {short(name, 40)!r} "
                        f"(fields: {short(', '.join(map(str, obj)), 60)})."
                    )
                if not isinstance(obj[name], str | bool | int):
                    raise DataError(f"{path.name}:{n}: field {short(name, 40)!r} is not text.")
            rows.append(obj)
    if not rows:
        raise DataError(f"{where} {short(str(path))}: no records.")
    return rows


def read_documents(
    source: str | Path, *, text_field: str = "text", id_field: str = ""
) -> dict[str, str]:
    """{doc id: text} from a folder or a .jsonl file (see the module's docstring)."""
    p = Path(source)
    if not p.exists():
        raise InputError(f"DIR_OR_JSONL {short(str(p))}: no such file or folder.")
    docs: dict[str, str] = {}
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if any(part.startswith(".") for part in rel.parts) or not f.is_file():
                continue
            if f.suffix.lower() not in TEXT_SUFFIXES:
                continue
            if f.stat().st_size > MAX_FILE_BYTES:
                raise DataError(f"{short(str(rel))}: larger than 50 MB; split it.")
            try:
                docs[rel.as_posix()] = f.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise DataError(f"{short(str(rel))}: not UTF-8 text.") from None
        if not docs:
            raise DataError(f"DIR_OR_JSONL {short(str(p))}: no .txt or .md files in it.")
        return docs
    if p.suffix.lower() != ".jsonl":
        raise InputError(f"DIR_OR_JSONL {short(str(p))}: give a folder or a .jsonl file.")
    fields = [text_field] + ([id_field] if id_field else [])
    for obj in read_jsonl(p, fields, where="DIR_OR_JSONL"):
        text = str(obj[text_field])
        doc_id = str(obj[id_field]) if id_field else content_hash(text)[:16]
        docs[doc_id] = text
    return docs
