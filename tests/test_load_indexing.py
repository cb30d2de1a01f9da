"""Load under indexing: `rag serve` answers 50 clients at once while a 2,000-file corpus is indexed, then
indexed again and rebuilt by a second process. No answer fails, no quote differs from its file,
nothing indexed is lost. Prints the latency figures BENCHMARKS.md quotes."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import RAG_BIN, core_run_cli

pytest.importorskip("gradio_client")

from rag.index import IndexHome, IndexStore  # noqa: E402
from ui.testing import free_port  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.enable_socket]

ROOT = Path(__file__).resolve().parents[1]
FILES = 2000
CLIENTS = 50
#: How long a client waits for any one HTTP exchange. gradio_client's default is httpx's 5 s, which a page in
#: a browser does not have: on a loaded 2-core CI machine (indexing 2.8x slower than on a quiet one) a few
#: queue-join requests of 50 no-think-time clients took longer than 5 s and were counted as failed answers.
#: The latencies every answer took are printed below (p50, p95, max); the test asserts that none fails.
CLIENT_TIMEOUT = 120
QUESTIONS = {  # question -> a fact the answer must hold
    "What did Lavrov say about ISIS numbers?": "1,000",
    "When was the CSTO established?": "2002",
    "How many lives has Pakistan lost in the fight against terrorism?": "70,000",
    "Who is the CSTO Secretary General?": "Tasmagambetov",
}


def _make_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    return corpus


_SYLLABLES = ["ka", "lo", "mi", "ru", "ze", "ta", "no", "vi", "pe", "su", "dra", "gel", "bor"]


def _name(i: int) -> str:
    """An invented, unique place name per file ("Kalomi"), so each file answers one question."""
    parts = []
    for _ in range(3):
        i, r = divmod(i, len(_SYLLABLES))
        parts.append(_SYLLABLES[r])
    return "".join(parts).capitalize()


def _add_files(corpus: Path) -> dict[int, int]:
    rnd = random.Random(11)
    crates = {}
    for i in range(FILES):
        crates[i] = rnd.randint(100, 9999)
        (corpus / "depots" / f"{i // 100:02d}").mkdir(parents=True, exist_ok=True)
        (corpus / "depots" / f"{i // 100:02d}" / f"depot-{i:04d}.txt").write_text(
            f"Depot {i} Report\n\nThe depot at {_name(i)} stores {crates[i]:,} crates of supplies, its keeper "
            f"said on day {i % 28 + 1}.\n", encoding="utf-8")
    return crates


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False,
                  httpx_kwargs={"timeout": CLIENT_TIMEOUT})


def _wait_until_up(url: str, proc: subprocess.Popen, limit: float = 180) -> None:
    import urllib.request

    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if proc.poll() is not None:
            raise AssertionError(f"rag serve exited: {proc.communicate()}")
        try:
            with urllib.request.urlopen(url + "config", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("rag serve did not come up")


def test_serving_fifty_clients_while_another_process_indexes_and_rebuilds(tmp_path):
    corpus = _make_corpus(tmp_path)
    home = tmp_path / "home"
    first = core_run_cli("index", "--corpus", str(corpus), "--home", str(home))
    assert first.returncode == 0, first.stderr
    crates = _add_files(corpus)
    texts = {}  # every file as citations must quote it (nothing changes on disk during the run)

    def file_text(source: str) -> str:
        if source not in texts:
            texts[source] = (corpus / source).read_bytes().decode("utf-8")
        return texts[source]

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    server = subprocess.Popen([str(RAG_BIN), "serve", "--no-index", "--port", str(port), "--corpus", str(corpus),
                               "--home", str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env)
    url = f"http://127.0.0.1:{port}/"
    lock = threading.Lock()
    latencies: list[tuple[float, float]] = []  # (when, seconds)
    failures: list[str] = []
    mismatches: list[str] = []
    stop = threading.Event()
    try:
        _wait_until_up(url, server)

        def client(n: int) -> None:
            try:
                c = _client(url)
            except Exception as exc:  # noqa: BLE001 - a client that cannot connect is a failure too
                with lock:
                    failures.append(f"client {n} could not connect: {type(exc).__name__}: {exc}")
                return
            questions = list(QUESTIONS)
            i = n
            while not stop.is_set():
                q = questions[i % len(questions)]
                i += 1
                t0 = time.monotonic()
                try:
                    answer = c.predict(q, api_name="/ask")
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    with lock:
                        failures.append(f"{q}: {type(exc).__name__}: {exc}")
                    continue
                took = time.monotonic() - t0
                with lock:
                    latencies.append((t0, took))
                    if answer.get("abstained") or QUESTIONS[q] not in answer.get("answer", ""):
                        failures.append(f"{q}: {answer.get('answer')!r} {answer.get('notes')}")
                    for cit in answer.get("citations", []):
                        if file_text(cit["source"])[cit["start"]:cit["end"]] != cit["quote"]:
                            mismatches.append(f"{cit['source']} {cit['start']}-{cit['end']}")

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(10)
        t_index = time.monotonic()
        print(f"\n[{time.strftime('%X')}] clients running; `rag index` starts", flush=True)
        index = core_run_cli("index", "--corpus", str(corpus), "--home", str(home), timeout=3000)
        t_rebuild = time.monotonic()
        print(f"[{time.strftime('%X')}] `rag index` done: {index.stdout.strip()}", flush=True)
        rebuild = core_run_cli("index", "--rebuild", "--corpus", str(corpus), "--home", str(home), timeout=3000)
        t_end = time.monotonic()
        print(f"[{time.strftime('%X')}] `rag index --rebuild` done: {rebuild.stdout.strip()}", flush=True)
        time.sleep(10)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert index.returncode == 0, index.stderr
        assert rebuild.returncode == 0, rebuild.stderr

        # the new files are answered by the server without a restart
        c = _client(url)
        answer = c.predict(f"How many crates does the depot at {_name(1234)} store?", api_name="/ask")
        assert f"{crates[1234]:,}" in answer["answer"], answer
        assert answer["citations"][0]["source"] == "depots/12/depot-1234.txt", answer
    finally:
        stop.set()
        server.terminate()
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    assert not failures, f"{len(failures)} failed answers, e.g. {failures[:3]}"
    assert not mismatches, f"{len(mismatches)} quotes differ from their file, e.g. {mismatches[:3]}"
    store = IndexStore(home)
    docs, passages = store.counts()
    store.close()
    assert docs == FILES + 5, docs
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("home.broken-")]
    assert len(aside) == 1 and (aside[0] / "records.sqlite").is_file(), "the replaced index is kept aside"
    assert IndexHome(home).current() is not None

    def figures(t_from: float, t_to: float) -> str:
        xs = sorted(s for t, s in latencies if t_from <= t < t_to)
        if not xs:
            return "no answers"
        p95 = xs[min(len(xs) - 1, int(0.95 * len(xs)))]
        return (f"{len(xs)} answers, p50 {statistics.median(xs) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"max {xs[-1] * 1000:.0f} ms")

    print(f"\nload: {CLIENTS} clients, {FILES + 5} files, {passages} passages")
    print(f"  before indexing:        {figures(0, t_index)}")
    print(f"  during `rag index`:     {figures(t_index, t_rebuild)} ({t_rebuild - t_index:.0f} s)")
    print(f"  during `--rebuild`:     {figures(t_rebuild, t_end)} ({t_end - t_rebuild:.0f} s)")
    print(f"  after:                  {figures(t_end, float('inf'))}")
