"""The BM25 index (bm25s) over the de-glued passage texts, saved beside the records it was built from.

Saved with a manifest naming the passage set it indexes and the sha256 of every file bm25s wrote, so
a reader never trusts a BM25 index that belongs to other passages or whose files were damaged or
replaced (a vocabulary swapped for ``{}`` silently drops every score): it rebuilds instead, and the
next ``rag index`` saves a good copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Sequence

from rag.records import Passage
from rag.text.normalize import content_terms

__all__ = ["bm25_matches", "bm25_tokens", "build_bm25", "save_bm25", "load_bm25", "drop_temporary"]

_MANIFEST = "manifest.json"
_EMPTY = "∅"  # bm25s cannot index an empty document


def bm25_tokens(text: str) -> list[str]:
    """Stemmed content words: the tokens BM25 indexes and queries with."""
    return content_terms(text) or [_EMPTY]


def build_bm25(passages: Sequence[Passage]) -> Any:
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index([bm25_tokens(p.clean) for p in passages] or [[_EMPTY]], show_progress=False)
    return retriever


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_bm25(retriever: Any, folder: Path, fingerprint: str) -> None:
    """Write to a temporary folder, then swap it in: a reader sees the old index or the new one."""
    folder = Path(folder)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    retriever.save(str(tmp))
    files = {p.name: _sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()}
    (tmp / _MANIFEST).write_text(json.dumps({"fingerprint": fingerprint, "files": files}), encoding="utf-8")
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def bm25_matches(folder: Path, fingerprint: str) -> bool:
    """Whether the saved index was built from exactly these passages and its files are intact."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != fingerprint:
            return False
        files = manifest["files"]
        present = {p.name for p in folder.iterdir() if p.is_file()} - {_MANIFEST}
        return present == set(files) and all(_sha256(folder / name) == sha for name, sha in files.items())
    except Exception:  # noqa: BLE001 - anything wrong with the files means: it does not match
        return False


def load_bm25(folder: Path, fingerprint: str) -> Any | None:
    """The saved index if it was built from exactly these passages and is intact, else None."""
    import bm25s

    if not bm25_matches(folder, fingerprint):
        return None
    try:
        return bm25s.BM25.load(str(folder), mmap=False)
    except Exception:  # noqa: BLE001 - anything wrong with the files means: rebuild it
        return None


def drop_temporary(folder: Path) -> None:
    """Remove the temporary folders a killed save left (called only under the writers' lock)."""
    folder = Path(folder)
    if not folder.parent.is_dir():
        return
    for entry in folder.parent.iterdir():
        if entry.name.startswith((f"{folder.name}.tmp-", f"{folder.name}.old-")):
            shutil.rmtree(entry, ignore_errors=True)
