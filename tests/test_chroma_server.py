"""The vectors on a real Chroma server (`chroma run` on loopback): index, ask, re-index, two workers.

CI starts one server for the whole run (scripts/with-chroma-server.sh sets RAG_TEST_CHROMA_URL); without
it, the fixture starts `chroma run` from this environment itself and stops it by its PID afterwards.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.index.vectors import ChromaVectors
from rag.retrieve import HybridRetriever

pytestmark = pytest.mark.enable_socket
CHROMA_BIN = Path(sys.executable).parent / "chroma"
RAG_BIN = Path(sys.executable).parent / "rag"

DOCS = {
    "harbour.txt": "Harbour Report\n\nThe harbour authority of Valdria opened a new container terminal in 2019. "
                   "The terminal cost 410 million euros and employs 1,200 dockworkers.\n\n"
                   "The director of the harbour authority, Ilse Marnov, said traffic grew by a third in the first year.\n",
    "rail.txt": "Rail Notes\n\nThe Orvik rail tunnel was finished in 2021 after nine years of work. "
                "Engineers bored 27 kilometres through granite.\n",
    "farms.txt": "Farm Survey\n\nBarley yields in the Selm valley fell by 12 percent during the 2022 drought. "
                 "Farmers blamed the late spring rains.\n",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory):
    given = os.environ.get("RAG_TEST_CHROMA_URL")
    if given:
        assert _alive(given), f"RAG_TEST_CHROMA_URL={given} does not answer its heartbeat"
        yield given
        return
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(CHROMA_BIN), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _alive(url):
            assert proc.poll() is None, "chroma run exited at start"
            assert time.monotonic() < deadline, "chroma run did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


def _server_ids(url: str, gen: str) -> set[str]:
    vectors = ChromaVectors(server=rag.ChromaServer.parse(url), prefix=f"{gen}-")
    try:
        return vectors.ids()
    finally:
        vectors.close()


def _check(answer: rag.Answer, corpus: Path) -> None:
    for c in answer.citations:
        assert (corpus / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.quote


@pytest.mark.slow
def test_index_ask_and_reindex_keep_the_vectors_on_the_server(chroma_url, tmp_path):
    corpus = _corpus(tmp_path)
    settings = rag.Settings(corpus_dir=corpus, home=tmp_path / "home", chroma_url=chroma_url)
    assistant = rag.Assistant(settings=settings)
    assistant.index()
    gen = assistant.store.home.current()
    assert not (gen / "chroma").exists(), "server mode must not write an embedded Chroma directory"
    passages = {p.id for p in assistant.store.passages()}
    assert _server_ids(chroma_url, gen.name) == passages

    snap = assistant.store.load(exact_limit=0)  # the path of a big index: the server's HNSW ranks passages
    assert snap.vectors is not None and snap.vectors.server is not None
    assert not snap.in_memory and snap.passage_matrix.size == 0, "a big index holds no vector in RAM"
    query = assistant.embedder.embed("container terminal cost")
    via_server = snap.dense_scores(query, top_n=3)
    exact = assistant.store.load().passage_matrix @ query
    assert int(np.argmax(via_server)) == int(np.argmax(exact))
    assert float(via_server.max()) == pytest.approx(float(exact.max()), abs=1e-3)
    retriever = HybridRetriever(assistant.embedder, dense_top_n=2)  # sentences read from the records
    mine = retriever.retrieve(snap, "terminal cost", k=3)
    exact_hits = {h.passage.id: h for h in retriever.retrieve(assistant.store.load(), "terminal cost", k=3)}
    assert mine[0].passage.id == next(iter(exact_hits))
    for hit in mine:  # outside the candidates the ranking is coarse, but every sentence score is exact
        assert hit.sentence_scores == pytest.approx(exact_hits[hit.passage.id].sentence_scores, abs=1e-3)

    answer = assistant.ask("How much did the container terminal cost?")
    assert not answer.abstained and "410 million euros" in answer.text
    _check(answer, corpus)

    (corpus / "rail.txt").write_text(DOCS["rail.txt"].replace("27 kilometres", "31 kilometres"), encoding="utf-8")
    (corpus / "farms.txt").unlink()
    report = assistant.index()
    assert report.updated == ("rail.txt",) and report.removed == ("farms.txt",)
    assert _server_ids(chroma_url, gen.name) == {p.id for p in assistant.store.passages()}
    vectors = ChromaVectors(server=rag.ChromaServer.parse(chroma_url), prefix=f"{gen.name}-")
    sources = {m["source"] for m in vectors.metadatas(list(vectors.ids())).values()}
    vectors.close()
    assert sources == {"harbour.txt", "rail.txt"}, "a removed file's vectors leave the server"
    answer = assistant.ask("How many kilometres did the engineers bore?")
    assert "31 kilometres" in answer.text
    _check(answer, corpus)


def test_writes_above_the_servers_batch_limit_are_split(chroma_url):
    vectors = ChromaVectors(server=rag.ChromaServer.parse(chroma_url), prefix=f"batch-{os.getpid()}-")
    try:
        n = vectors.batch_size() + 700
        ids = [f"id{i}" for i in range(n)]
        data = np.random.default_rng(0).random((n, 8), dtype=np.float32)
        vectors.upsert(ids, data, [{"source": f"f{i % 3}.txt"} for i in range(n)])
        assert vectors.count() == n
        vectors.delete_sources(["f0.txt", "f1.txt", "f2.txt"])
        assert vectors.count() == 0
    finally:
        vectors.drop()
        vectors.close()


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(RAG_BIN), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.mark.slow
def test_a_server_that_is_not_there_or_not_named_is_one_line(chroma_url, tmp_path):
    corpus = _corpus(tmp_path)
    home = tmp_path / "home"
    gone = f"http://127.0.0.1:{_free_port()}"
    res = _cli("--corpus", str(corpus), "--home", str(home), "--chroma-url", gone, "index")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert not (home / "CURRENT").exists(), "an unreachable server must leave no index behind"
    assert res.stderr.strip().splitlines() == [f"error: cannot reach the Chroma server at {gone} ([Errno 111] "
                                               f"Connection refused); start it with `chroma run --path DIR --host "
                                               f"127.0.0.1 --port {gone.rsplit(':', 1)[1]}`"]

    assert _cli("--corpus", str(corpus), "--home", str(home), "index", env={"RAG_CHROMA_URL": chroma_url}).returncode == 0
    res = _cli("--corpus", str(corpus), "--home", str(home), "ask", "When was the tunnel finished?")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and f"keeps its vectors on a Chroma server ({chroma_url})" in lines[0]
    res = _cli("--corpus", str(corpus), "--home", str(home), "--chroma-url", chroma_url, "ask", "--json",
               "When was the tunnel finished?")
    assert res.returncode == 0, res.stderr
    assert "2021" in json.loads(res.stdout)["answer"]


def test_a_bad_address_is_refused_when_the_settings_are_made():
    for bad in ("ftp://127.0.0.1:8000", "127.0.0.1:8000", "http://127.0.0.1:99999", "http://host:8000/path"):
        with pytest.raises(rag.SettingsError, match="chroma|port"):
            rag.Settings(chroma_url=bad)
    assert rag.Settings(chroma_url="http://localhost").chroma_url == "http://localhost:8000"


WORKER = textwrap.dedent("""
    import json, sys
    import rag
    # a worker: no corpus folder of its own (it never indexes), the index directory and the server shared
    a = rag.Assistant(settings=rag.Settings(corpus_dir=sys.argv[1], home=sys.argv[2], chroma_url=sys.argv[3]))
    for line in sys.stdin:
        ans = a.ask(line.strip())
        print(json.dumps({"answer": ans.text, "generation": a.store.home.current().name}), flush=True)
""")


@pytest.mark.slow
def test_two_workers_follow_an_indexer_on_one_server_without_a_restart(chroma_url, tmp_path):
    corpus = _corpus(tmp_path)
    home = tmp_path / "home"
    assert _cli("--corpus", str(corpus), "--home", str(home), "--chroma-url", chroma_url, "index").returncode == 0
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / "no-corpus"), str(home), chroma_url],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]

    def ask(worker, question: str) -> dict:
        worker.stdin.write(question + "\n")
        worker.stdin.flush()
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        return json.loads(line)

    try:
        first = [ask(w, "Who is the director of the harbour authority?") for w in workers]
        assert all("Ilse Marnov" in f["answer"] for f in first), first
        (corpus / "harbour.txt").write_text(DOCS["harbour.txt"].replace("Ilse Marnov", "Teodor Vasck"),
                                            encoding="utf-8")
        res = _cli("--corpus", str(corpus), "--home", str(home), "--chroma-url", chroma_url, "index", "--rebuild")
        assert res.returncode == 0, res.stderr
        time.sleep(1.1)  # a reader looks for a new generation at most once a second
        second = [ask(w, "Who is the director of the harbour authority?") for w in workers]
        assert all("Teodor Vasck" in s["answer"] for s in second), second
        assert all(s["generation"] != f["generation"] for s, f in zip(second, first)), "a rebuild is a new generation"
    finally:
        for w in workers:
            w.stdin.close()
            w.wait(timeout=60)


class _Stub(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 - the stdlib's name
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        if body is not None:
            self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("routes, says", [
    ({"/api/v1/heartbeat": {"nanosecond heartbeat": 1}}, "is chromadb 0.x (API v1)"),
    ({"/api/v2/heartbeat": {"nanosecond heartbeat": 1}, "/api/v2/version": "2.0.0"}, "speaks API 2.0.0"),
])
def test_a_server_of_another_chromadb_is_named_in_one_line(routes, says, tmp_path):
    handler = type("Handler", (_Stub,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        res = _cli("--corpus", str(_corpus(tmp_path)), "--home", str(tmp_path / "home"), "--chroma-url", url, "index")
    finally:
        server.shutdown()
    lines = res.stderr.strip().splitlines()
    assert res.returncode != 0 and len(lines) == 1 and says in lines[0], res.stderr
    assert not (tmp_path / "home" / "CURRENT").exists()
