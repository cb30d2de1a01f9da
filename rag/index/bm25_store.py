"""BM25 segments on disk: append what changed, mark what went, merge when the dead weight grows.

``bm25/`` in a generation holds immutable segment files (``seg-*.npz``) and ``manifest.json``, which
names the segments with the sha256 of each, the passage ids deleted since they were written, and the
fingerprint of the live passage set. A run that changed one file writes one small segment and a new
manifest (written aside, then renamed over the old one): the cost follows the change, not the
collection. When deleted rows reach ``MERGE_RATIO`` of all rows, or there are ``MAX_SEGMENTS``
segments, the live rows are stacked into one segment without re-tokenizing anything.

A reader never trusts a file whose sha256 differs from the manifest (a damaged segment is skipped and
its passages tokenized in memory), and takes from the segments only the rows of the passages it
holds, so a reader whose records are one commit behind or ahead of the manifest still scores exactly.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from rag.index.bm25 import Bm25, Segment, make_segment, stack_segments
from rag.records import Passage

__all__ = ["MAX_SEGMENTS", "MERGE_RATIO", "bm25_matches", "drop_temporary", "load_bm25", "update_bm25"]

FORMAT = "bm25-segments-1"
MANIFEST = "manifest.json"
#: Merge when deleted rows reach this share of all rows. A merge only stacks arrays (no tokenizing):
#: BENCHMARKS.md, "Incremental BM25", gives its cost at 100k passages.
MERGE_RATIO = 0.2
MAX_SEGMENTS = 16
_FIELDS = ("ids", "terms", "indptr", "indices", "counts")

Fetch = Callable[[Sequence[str]], Sequence[Passage]]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(folder: Path) -> dict | None:
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if m.get("format") != FORMAT or not isinstance(m.get("segments"), list):
            return None
        return m
    except (OSError, ValueError, AttributeError):
        return None


def _read(folder: Path, entry: dict) -> Segment | None:
    """The segment if its bytes are the ones the manifest names; None if missing or damaged."""
    try:
        data = (folder / entry["file"]).read_bytes()
        if _sha256(data) != entry["sha256"]:
            return None
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return Segment(**{k: z[k] for k in _FIELDS})
    except (OSError, KeyError, ValueError, TypeError):
        return None


def _write(folder: Path, seg: Segment) -> dict:
    buf = io.BytesIO()
    np.savez(buf, **{k: getattr(seg, k) for k in _FIELDS})
    data = buf.getvalue()
    name = f"seg-{uuid.uuid4().hex[:16]}.npz"
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, folder / name)
    return {"file": name, "sha256": _sha256(data), "passages": len(seg)}


def _publish(folder: Path, segments: list[dict], deleted: Sequence[str], fingerprint: str) -> None:
    tmp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"format": FORMAT, "fingerprint": fingerprint, "segments": segments,
                               "deleted": sorted(deleted)}), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    keep = {MANIFEST} | {e["file"] for e in segments}
    for entry in folder.iterdir():  # superseded segments and leftovers of a killed run
        if entry.name not in keep and entry.is_file():
            entry.unlink(missing_ok=True)


def bm25_matches(folder: Path, fingerprint: str) -> bool:
    """Whether the saved segments index exactly these passages and every file is intact."""
    m = _manifest(Path(folder))
    if m is None or m.get("fingerprint") != fingerprint:
        return False
    try:
        return all(_sha256((Path(folder) / e["file"]).read_bytes()) == e["sha256"] for e in m["segments"])
    except (OSError, KeyError, TypeError):
        return False


def _segments(folder: Path, m: dict) -> list[Segment] | None:
    out = []
    for entry in m["segments"]:
        seg = _read(folder, entry)
        if seg is None:
            return None
        out.append(seg)
    return out


def update_bm25(folder: Path, fingerprint: str, ids: Sequence[str], fetch: Fetch) -> str:
    """Bring the segments to the passage set ``ids``; returns what it did (for the report and tests).

    ``fetch`` gives the passages of some ids (only new ones are fetched and tokenized). Call it only
    under the index's writer lock.
    """
    folder = Path(folder)
    if bm25_matches(folder, fingerprint):  # nothing changed: checked from hashes, no segment parsed
        return "unchanged"
    m = _manifest(folder)
    segments = _segments(folder, m) if m is not None else None
    if segments is None:
        _rebuild(folder, fingerprint, ids, fetch)
        return "rebuilt"
    held = {pid for seg in segments for pid in seg.ids.tolist()}
    wanted = set(ids)
    deleted = held - wanted  # a passage deleted and then restored needs no new row
    entries = list(m["segments"])
    new = [pid for pid in ids if pid not in held]
    if new:
        seg = make_segment(fetch(new))
        entries.append(_write(folder, seg))
        segments.append(seg)
    total = sum(len(s) for s in segments)
    if len(deleted) >= MERGE_RATIO * total or len(entries) > MAX_SEGMENTS:
        merged = stack_segments(segments, [pid for pid in ids])
        _publish(folder, [_write(folder, merged)], (), fingerprint)
        return "merged"
    _publish(folder, entries, deleted, fingerprint)
    return "appended"


def _rebuild(folder: Path, fingerprint: str, ids: Sequence[str], fetch: Fetch) -> None:
    """Tokenize every passage into a fresh folder and swap it in (readers see the old one or the new)."""
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _publish(tmp, [_write(tmp, make_segment(fetch(list(ids))))], (), fingerprint)
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def load_bm25(folder: Path | None, passages: Sequence[Passage]) -> tuple[Bm25, int]:
    """BM25 over exactly ``passages`` (in their order), and how many had to be tokenized now.

    Rows come from intact segments; a passage that no intact segment holds (a damaged or missing file,
    a manifest a commit behind) is tokenized here. A segment removed by a concurrent merge makes it
    read the new manifest once more.
    """
    segments: list[Segment] = []
    for _ in range(3):
        m = _manifest(Path(folder)) if folder is not None else None
        if m is None:
            break
        read = [(_read(Path(folder), e), e) for e in m["segments"]]
        if all((Path(folder) / e["file"]).exists() for _, e in read):
            segments = [s for s, _ in read if s is not None]
            break
    held = {pid for seg in segments for pid in seg.ids.tolist()}
    missing = [p for p in passages if p.id not in held]
    if missing:
        segments.append(make_segment(missing))
    return Bm25(stack_segments(segments, [p.id for p in passages])), len(missing)


def drop_temporary(folder: Path) -> None:
    """Remove the folders a killed rebuild left (called only under the writers' lock)."""
    folder = Path(folder)
    if not folder.parent.is_dir():
        return
    for entry in folder.parent.iterdir():
        if entry.name.startswith((f"{folder.name}.tmp-", f"{folder.name}.old-")):
            shutil.rmtree(entry, ignore_errors=True)
