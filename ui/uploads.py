"""Adding uploaded documents (.txt, .md, .pdf, .docx, .html, .htm) to the corpus folder, safely.

An upload arrives as a temporary file plus the name the browser sent. The name is reduced to a
plain file name (no directories, no hidden files, only letters and digits of any script and ``._-``), the content must
read as the indexer would read it (UTF-8 text; a PDF with a text layer, a Word file, a web page with
main text — the same checks, by the same code), and an existing corpus file is never overwritten:
identical content is reported as already present, different content is saved under a new numbered name.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import rag

__all__ = ["ALLOWED_SUFFIXES", "MAX_UPLOAD_BYTES", "UploadResult", "safe_name", "save_upload"]

ALLOWED_SUFFIXES = rag.EXTENSIONS
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a text file
MAX_DOCUMENT_UPLOAD_BYTES = 50 * 1024 * 1024  # a PDF or Word file
_TEXT_SUFFIXES = (".txt", ".md")
_FORMATS = ", ".join(ALLOWED_SUFFIXES)
_MAX_STEM = 80
_UNSAFE = re.compile(r"[^\w.-]+")  # letters and digits of any script stay ("日本語.txt")


@dataclass(frozen=True)
class UploadResult:
    """What happened to one uploaded file; ``message`` is the line shown in the chat."""

    name: str
    saved_as: str | None
    ok: bool
    message: str


def safe_name(raw: str) -> str:
    """A plain corpus file name for ``raw``, or ValueError saying why there is none."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("the file has no name")
    base = re.split(r"[\\/]", raw.strip())[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE.sub("_", base).strip("._-")
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in ALLOWED_SUFFIXES:
        raise ValueError(f"{raw!r} is not one of {_FORMATS}")
    stem = stem.strip("._-")[:_MAX_STEM] or "upload"
    return f"{stem}.{suffix.lower()}"


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ValueError("it looks like a binary file (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"it is not UTF-8 text (invalid byte at position {err.start})") from None


def _check_document(data: bytes, name: str) -> None:
    """Read a non-text upload as the indexer will; ValueError with the indexer's reason."""
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            rag.read_document(path, Path(tmp))
        except rag.CorpusError as err:
            raise ValueError(str(err).removeprefix(f"{name}: ")) from None


def _free_name(corpus: Path, name: str) -> str:
    stem, _, suffix = name.rpartition(".")
    n = 2
    while (corpus / f"{stem}-{n}.{suffix}").exists():
        n += 1
    return f"{stem}-{n}.{suffix}"


def save_upload(corpus_dir: str | os.PathLike[str], temp_path: str | os.PathLike[str],
                original_name: str) -> UploadResult:
    """Validate one uploaded file and copy it into ``corpus_dir``; never raises for bad input."""
    shown = Path(str(original_name)).name or "file"
    try:
        name = safe_name(shown)
    except ValueError as err:
        return UploadResult(shown, None, False, f"Not added: {err}. Only {_FORMATS} files can be added.")
    is_text = Path(name).suffix in _TEXT_SUFFIXES
    limit = MAX_UPLOAD_BYTES if is_text else MAX_DOCUMENT_UPLOAD_BYTES
    try:
        size = os.path.getsize(temp_path)
        if size > limit:
            return UploadResult(shown, None, False, f"Not added: {shown} is {size:,} bytes; "
                                f"the limit is {limit:,} bytes.")
        data = Path(temp_path).read_bytes()
    except OSError as err:
        return UploadResult(shown, None, False, f"Not added: {shown} could not be read ({err.strerror}).")
    if not data.strip():
        return UploadResult(shown, None, False, f"Not added: {shown} is empty.")
    try:
        if is_text:
            _decode(data)
        else:
            _check_document(data, name)
    except ValueError as err:
        return UploadResult(shown, None, False, f"Not added: {shown}: {err}.")
    corpus = Path(corpus_dir)
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / name
    note = ""
    if target.exists():
        try:
            same = target.read_bytes() == data
        except OSError:
            same = False
        if same:
            return UploadResult(shown, name, True, f"{shown} is already in the corpus as {name}; nothing changed.")
        old = name
        name = _free_name(corpus, name)
        target = corpus / name
        note = f" ({old} already exists with different content; it was kept)"
    try:
        with open(target, "xb") as fh:  # "x": fail rather than overwrite a file that appeared meanwhile
            fh.write(data)
    except FileExistsError:
        return UploadResult(shown, None, False, f"Not added: {name} appeared in the corpus meanwhile; try again.")
    except OSError as err:
        return UploadResult(shown, None, False, f"Not added: could not write {name} ({err.strerror}).")
    renamed = f" as {name}" if name != shown else ""
    return UploadResult(shown, name, True, f"Added {shown}{renamed}{note}.")
