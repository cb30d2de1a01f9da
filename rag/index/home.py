"""The index directory on disk: generations, the pointer to the current one, the writers' lock.

Layout of ``home``::

    CURRENT            the name of the generation readers use (replaced atomically, never edited)
    lock               flock held by the one process that writes; readers never take it
    g-<stamp>-<id>/    one generation: records.sqlite, chroma/, bm25/, and PUBLISHED once complete

Incremental runs write into the current generation, one SQLite transaction per file. A rebuild (or a
schema change) builds a new generation beside it and only then points ``CURRENT`` at it, so a running
server keeps answering from the old one until the new one is complete, and no SQLite file is ever
renamed while another process may have it open. The generation that was replaced is moved out of
``home`` to ``<home>.broken-<stamp>`` (set aside, never deleted).
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rag.errors import IndexBusyError, IndexCorruptError

__all__ = ["IndexHome", "RECORDS", "LEGACY_FILES"]

RECORDS = "records.sqlite"
_POINTER = "CURRENT"
_PUBLISHED = "PUBLISHED"  # written into a generation just before CURRENT names it
_GENERATION = re.compile(r"g-\d{8}-\d{6}-[0-9a-f]{6}")
#: What an index of schema 1 kept directly in ``home``: set aside as a whole when a new one is built.
LEGACY_FILES = ("records.sqlite", "records.sqlite-wal", "records.sqlite-shm", "chroma", "bm25")


@dataclass(frozen=True)
class Token:
    """What a reader compares to notice that the index changed: pointer, file identity and size."""

    generation: str
    inode: int
    mtime_ns: int
    size: int


class IndexHome:
    """One index directory; every path the stores use comes from here."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path).expanduser()

    # -- state ---------------------------------------------------------------------------------
    def check(self) -> None:
        """Fail with one line when ``home`` cannot be an index directory at all."""
        if self.path.exists() and not self.path.is_dir():
            raise IndexCorruptError(f"index directory {self.path} is a file, not a folder; "
                                    "pass another --home (or RAG_HOME)")

    @property
    def writable(self) -> bool:
        """Whether this process may write here (a shared index is often mounted read-only)."""
        self.check()
        probe = self.path if self.path.exists() else _existing_parent(self.path)
        return os.access(probe, os.W_OK | os.X_OK)

    def current_name(self) -> str | None:
        try:
            name = (self.path / _POINTER).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if _GENERATION.fullmatch(name) else None

    def current(self) -> Path | None:
        """The generation readers should use, or None when none was completed yet.

        Should the pointer be lost, the newest generation that was ever published is used.
        """
        name = self.current_name()
        if name is not None and (self.path / name).is_dir():
            return self.path / name
        published = sorted(g for g in self._generations() if (g / _PUBLISHED).exists())
        return published[-1] if published else None

    def _generations(self) -> list[Path]:
        try:
            return [e for e in self.path.iterdir() if e.is_dir() and _GENERATION.fullmatch(e.name)]
        except OSError:
            return []

    def legacy(self) -> bool:
        """An index of the first layout (records kept directly in ``home``)."""
        return (self.path / RECORDS).exists()

    def token(self) -> Token | None:
        """A cheap fingerprint of what a reader would load now (two stat calls and a small read)."""
        gen = self.current()
        if gen is None:
            return None
        name = gen.name
        try:
            st = os.stat(gen / RECORDS)
        except OSError:
            return None
        return Token(name, st.st_ino, st.st_mtime_ns, st.st_size)

    # -- writing -------------------------------------------------------------------------------
    def new_generation(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"g-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        gen = self.path / name
        gen.mkdir()
        return gen

    def publish(self, gen: Path) -> None:
        """Point readers at ``gen`` (atomic: a reader sees the old name or the new one)."""
        (gen / _PUBLISHED).write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"), encoding="ascii")
        tmp = self.path / f".{_POINTER}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(gen.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / _POINTER)

    def set_aside(self, what: Path | None = None) -> Path | None:
        """Move a replaced generation (or the legacy files) out of ``home``; returns where it went."""
        if what is None and not self.legacy():
            return None
        target = self._aside_name()
        if what is not None:
            what.rename(target)
            return target
        target.mkdir()
        for name in LEGACY_FILES:
            if (self.path / name).exists():
                (self.path / name).rename(target / name)
        return target

    def _aside_name(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        target, n = base, 1
        while target.exists():
            n += 1
            target = base.with_name(f"{base.name}-{n}")
        return target

    def drop_abandoned(self) -> list[str]:
        """Generations a killed rebuild left half-built (never published), removed under the lock."""
        gone = []
        for gen in self._generations():
            if not (gen / _PUBLISHED).exists():
                shutil.rmtree(gen, ignore_errors=True)
                gone.append(gen.name)
        if self.path.is_dir():
            for entry in self.path.glob(f".{_POINTER}.tmp-*"):
                entry.unlink(missing_ok=True)
        return gone

    @contextmanager
    def writing(self, wait: bool | float = True) -> Iterator[bool]:
        """The exclusive right to write this index: an flock, released even when the process dies.

        ``wait`` is True (wait as long as it takes), False (do not wait: yields False when another
        process writes) or a number of seconds (then :class:`IndexBusyError`).
        """
        if not self.writable:
            raise IndexCorruptError(f"index directory {self.path} is read-only here; it can be queried "
                                    "but not indexed from this process")
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "lock", "a+") as fh:
            got = _flock(fh, wait)
            if not got and wait is not False:
                raise IndexBusyError(f"another process is indexing {self.path}; try again when it is done")
            try:
                yield got
            finally:
                if got:
                    fcntl.flock(fh, fcntl.LOCK_UN)


def _flock(fh, wait: bool | float) -> bool:
    if wait is True:
        fcntl.flock(fh, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + (0.0 if wait is False else float(wait))
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


def _existing_parent(path: Path) -> Path:
    for parent in [path, *path.parents]:
        if parent.exists():
            return parent
    return Path(".")
