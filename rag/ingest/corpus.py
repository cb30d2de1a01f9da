"""Reading the corpus folder: which files count, their exact text, title, source URL and boilerplate."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from rag.errors import CorpusError
from rag.ingest.formats import EXTENSIONS, MAX_FILE_BYTES, TEXT_EXTENSIONS, extract
from rag.records import Document, SkippedFile

__all__ = ["Document", "SkippedFile", "scan_corpus", "read_document", "boilerplate_lines", "source_of", "EXTENSIONS", "MAX_FILE_BYTES"]


_URL = re.compile(r"https?://[^\s<>()\"'\]]+")
_CAPTION = re.compile(r"^(photo|image|picture|credit|file photo|video)s?\s*[:|]", re.I)
_BOILER_LINE = re.compile(
    r"read more\s*»?$|^»|subscribe|newsletter|sponsored links|purchase through|your email|sign up|"
    r"t&cs|terms of (use|service)|cookie|all rights reserved|trusted source|editorial standards|"
    r"we're committed|we’re committed|advertis|follow us|share this|^also (see|read):|^related( articles| posts)?:?$|"
    r"^recent( posts)?$|^you may also like|never send spam|bi-weekly emails|ogimage|^tags?:",
    re.I,
)
_TAIL_MARKER = re.compile(
    r"^(recent( posts)?|related( articles| posts)?|read more\s*»?|more from .*|you may also like.*|"
    r"our editorial standards|want .* sent straight to you\?|news desk)$",
    re.I,
)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a dangling or looping link
        return False


def _valid_name(rel: str) -> bool:
    try:
        rel.encode("utf-8")
        return True
    except UnicodeEncodeError:  # a name with bytes that are not UTF-8 (surrogate-escaped)
        return False


def source_of(path: Path, corpus_dir: Path) -> str:
    """A file's source name: its path under the corpus folder, with ``/``. String slicing for the
    paths the scan makes (pathlib's ``relative_to`` cost ~2 s per unchanged run of 10,000 files)."""
    p, root = str(path), str(corpus_dir)
    if root not in (".", os.sep) and p.startswith(root + os.sep):
        rel = p[len(root) + 1:]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    return path.relative_to(corpus_dir).as_posix()


def _shown(rel: str) -> str:
    return rel.encode("utf-8", "replace").decode("utf-8")


def _walk(corpus_dir: Path) -> tuple[list[Path], list[SkippedFile]]:
    """Indexable files (sorted), and the ones refused by policy: links that leave the folder, bad names.

    One rule for files and folders: whatever a path *really* is must lie inside the corpus folder, so a
    link to ``/etc/passwd`` (or to a folder outside) is never read, whichever way it is reached.
    """
    root = corpus_dir.resolve()
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    seen_dirs = {root}
    real = {str(corpus_dir): root}  # each folder's real path, so that only links need resolving
    for dirpath, dirnames, filenames in os.walk(corpus_dir, followlinks=True):
        here = Path(dirpath)
        real_here = real.pop(dirpath, None) or here.resolve()
        keep = []
        for name in sorted(dirnames):
            sub = here / name
            if name.startswith("."):
                continue
            rel = _shown(source_of(sub, corpus_dir))
            is_link = os.path.islink(sub)
            if is_link and not _inside(sub, root):
                skipped.append(SkippedFile(rel, f"{rel}: a link to a folder outside the corpus folder; not indexed"))
                continue
            target = sub.resolve() if is_link else real_here / name
            if target not in seen_dirs:  # a link back into the tree is walked once
                seen_dirs.add(target)
                real[str(sub)] = target
                keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in EXTENSIONS:
                continue
            path = here / name
            rel = source_of(path, corpus_dir)
            if not _valid_name(rel):
                skipped.append(SkippedFile(_shown(rel), f"{_shown(rel)}: the file name is not valid UTF-8; "
                                           "rename the file to index it"))
            elif os.path.islink(path) and not _inside(path, root):
                skipped.append(SkippedFile(rel, f"{rel}: a link to a file outside the corpus folder; not indexed"))
            elif path.is_file():
                files.append(path)
    return sorted(files), skipped


def scan_corpus(corpus_dir: Path) -> tuple[list[Path], list[SkippedFile]]:
    """The indexable files under ``corpus_dir`` (recursive, hidden skipped), and the ones refused by
    policy with the reason; fails on a missing folder."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus path {corpus_dir} is not a folder")
    try:
        return _walk(corpus_dir)
    except OSError as exc:
        raise CorpusError(f"cannot list corpus folder {corpus_dir}: {exc.strerror or exc}") from exc


def _title(lines: list[str]) -> str:
    nonempty = [ln.strip() for ln in lines if ln.strip()]
    for i, line in enumerate(nonempty[:5]):
        if _CAPTION.match(line):
            continue
        nxt = nonempty[i + 1] if i + 1 < len(nonempty) else ""
        if nxt and len(nxt) > 15 and line.endswith(nxt) and line != nxt:
            return nxt  # breadcrumb "Home Politics <title>" followed by the title itself
        return _shorten(line.lstrip("#").strip())
    return _shorten(nonempty[0]) if nonempty else ""


def _shorten(line: str, limit: int = 120) -> str:
    """A first line that is a whole paragraph becomes its first words."""
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def boilerplate_lines(text: str) -> frozenset[int]:
    """Start offsets of lines that are site furniture rather than article text.

    A line matching a boilerplate pattern counts, and so does everything after a tail marker
    ("Recent", "Read More »", "Our Editorial Standards") in the last 70 % of the file, plus short
    heading-like lines just before such a region.
    """
    lines = [(m.start(), m.group(0).strip()) for m in re.finditer(r"[^\n]+", text)]
    lines = [(s, ln) for s, ln in lines if ln]
    flagged = [bool(_BOILER_LINE.search(ln)) for _, ln in lines]
    tail_from = int(len(text) * 0.3)
    for i, (start, line) in enumerate(lines):
        if start >= tail_from and _TAIL_MARKER.match(line):
            for j in range(i, len(lines)):
                flagged[j] = True
            break
    for i in range(len(lines) - 2, -1, -1):
        start, line = lines[i]
        if flagged[i + 1] and not flagged[i] and start >= tail_from and len(line.split()) <= 4 and not line.endswith("."):
            flagged[i] = True
    return frozenset(s for (s, _), f in zip(lines, flagged) if f)


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:  # streamed: a 200 MB PDF is not read into memory to be hashed
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_document(path: Path, corpus_dir: Path) -> Document:
    """Read one file: a .txt/.md strictly as UTF-8, a PDF, Word file or web page through its extractor
    (:mod:`rag.ingest.formats`); raises CorpusError with the reason in one line."""
    source = source_of(path, corpus_dir)
    suffix = path.suffix.lower()
    limit = MAX_FILE_BYTES.get(suffix, MAX_FILE_BYTES[".txt"])
    try:
        size = path.stat().st_size
        if size > limit:
            raise CorpusError(f"{source}: file is {size:,} bytes, more than the limit of {limit:,} bytes")
        if size == 0:
            raise CorpusError(f"{source}: file is empty")
        data = path.read_bytes() if suffix in TEXT_EXTENSIONS else None
        sha = hashlib.sha256(data).hexdigest() if data is not None else _file_sha256(path)
    except PermissionError as exc:
        raise CorpusError(f"{source}: cannot read file (permission denied)") from exc
    except OSError as exc:
        raise CorpusError(f"{source}: cannot read file ({exc.strerror or exc})") from exc
    found = extract(path, source, data)
    text = found.text
    if not text.strip():
        raise CorpusError(f"{source}: file is empty")
    named = None if found.url else _URL.search(text)
    url = found.url or (named.group(0).rstrip(".,;") if named else None)
    return Document(
        source=source,
        path=path,
        text=text,
        sha256=sha,
        title=found.title or _title(text.lstrip("\ufeff").splitlines()),
        url=url,
        boilerplate=boilerplate_lines(text),
        layout=found.layout,
    )
