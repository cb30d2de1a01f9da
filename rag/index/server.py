"""A Chroma server as the home of an index's vectors: its address, the checks, and one client.

``chroma run --path DIR --host 127.0.0.1 --port N`` (shipped in the chromadb wheel) serves the
vectors of any number of index generations, each in collections named after the generation. The
SQLite records stay in the index directory; several processes, on several machines over a shared
directory, answer from one server while one indexer writes.

What goes wrong, each said in one line: nothing listens at the address; the address is a Chroma of
another major API (the 0.x servers speak ``/api/v1``; the 1.x server reports only its API version,
``1.0.0``, not its package version, so this is the check that can be made); the server answers but
fails a request. Chroma 1.x's server ignores the Python client's auth settings: bind it to loopback
or put it behind a proxy that authenticates (docs/scale.md).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from rag import _env  # noqa: F401  (telemetry off before chromadb loads)
from rag.errors import IndexCorruptError, SettingsError
from rag.settings import chroma_address, chroma_url

__all__ = ["ChromaServer", "API_MAJOR"]

#: The major version of the server API this client speaks (chromadb 1.x serves ``/api/v2``, version 1.x).
API_MAJOR = 1
_TIMEOUT = 5.0


@dataclass(frozen=True)
class ChromaServer:
    """Where a Chroma server listens: ``ChromaServer.parse("http://127.0.0.1:8000")``."""

    host: str
    port: int
    ssl: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.host, str) or not self.host:
            raise SettingsError(f"a Chroma server needs a host name, got {self.host!r}")
        if not isinstance(self.port, int) or isinstance(self.port, bool) or not 1 <= self.port <= 65535:
            raise SettingsError(f"a Chroma server port must be 1..65535, got {self.port!r}")

    @classmethod
    def parse(cls, url: str) -> "ChromaServer":
        """``http://HOST:PORT`` or ``https://HOST:PORT`` (the port defaults to 8000, Chroma's own)."""
        return cls(*chroma_address(url))

    @property
    def url(self) -> str:
        return chroma_url(self.host, self.port, self.ssl)

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=_TIMEOUT) as resp:  # noqa: S310 - http(s) only
            return json.loads(resp.read().decode("utf-8"))

    def check(self) -> str:
        """The server's API version, after checking that it is alive and speaks this client's API."""
        try:
            self._get("/api/v2/heartbeat")
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and self._speaks_v1():
                raise IndexCorruptError(
                    f"the Chroma server at {self.url} is chromadb 0.x (API v1); this client is chromadb "
                    f"{_client_version()}: run `chroma run` from this environment") from None
            raise IndexCorruptError(f"the Chroma server at {self.url} answered HTTP {exc.code} to its "
                                    "health check (/api/v2/heartbeat)") from None
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise IndexCorruptError(f"cannot reach the Chroma server at {self.url} ({reason}); start it with "
                                    f"`chroma run --path DIR --host 127.0.0.1 --port {self.port}`") from None
        try:
            version = str(self._get("/api/v2/version"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"the Chroma server at {self.url} did not say its version ({exc})") from None
        major = version.split(".", 1)[0]
        if major != str(API_MAJOR):
            raise IndexCorruptError(f"the Chroma server at {self.url} speaks API {version}; this client "
                                    f"(chromadb {_client_version()}) speaks {API_MAJOR}.x: run the server "
                                    "from the same chromadb as the client")
        return version

    def _speaks_v1(self) -> bool:
        try:
            self._get("/api/v1/heartbeat")
            return True
        except (OSError, ValueError):
            return False

    def client(self) -> Any:
        """A checked ``chromadb.HttpClient`` (one line, never a traceback, when the server is not right)."""
        self.check()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        try:
            return chromadb.HttpClient(host=self.host, port=self.port, ssl=self.ssl,
                                       settings=ChromaSettings(anonymized_telemetry=False))
        except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError, httpx errors, ...
            raise IndexCorruptError(f"the Chroma server at {self.url} refused the client "
                                    f"({type(exc).__name__}: {exc})") from None


def _client_version() -> str:
    import chromadb

    return str(getattr(chromadb, "__version__", "?"))
