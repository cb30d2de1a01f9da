"""Nothing touches the network: the suite blocks sockets, and indexing/asking never tries to connect."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from conftest import RAG_BIN

import rag

# Installed through PYTHONPATH in the CLI's process: every non-unix connect, UDP send or name lookup is
# written to $CORE_NET_LOG and refused. "loaded" proves the hook was really active.
SITECUSTOMIZE = textwrap.dedent('''
    import os, socket
    _log = os.environ["CORE_NET_LOG"]

    def _record(kind, what):
        with open(_log, "a", encoding="utf-8") as fh:
            fh.write(f"{kind} {what!r}\\n")

    _record("loaded", os.getpid())
    _connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

    def connect(self, address):
        if self.family != socket.AF_UNIX:
            _record("connect", address)
            raise OSError("network blocked by the offline test")
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family != socket.AF_UNIX:
            _record("connect_ex", address)
            return 111
        return _connect_ex(self, address)

    def sendto(self, data, *args):
        if self.family != socket.AF_UNIX:
            _record("sendto", args[-1])
            raise OSError("network blocked by the offline test")
        return _sendto(self, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        _record("getaddrinfo", host)
        raise socket.gaierror("name lookups blocked by the offline test")

    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = lambda host: getaddrinfo(host)
''')


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_sockets_are_blocked_in_this_suite():
    from pytest_socket import SocketBlockedError

    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(SocketBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    a, b = socket.socketpair(socket.AF_UNIX)  # unix sockets stay allowed
    a.close()
    b.close()


def test_importing_rag_switches_telemetry_off():
    env = {k: v for k, v in os.environ.items()
           if k not in ("ANONYMIZED_TELEMETRY", "HF_HUB_OFFLINE", "DO_NOT_TRACK", "TIKTOKEN_CACHE_DIR")}
    code = ("import os, rag; print(json.dumps({k: os.environ.get(k) for k in "
            "('ANONYMIZED_TELEMETRY', 'HF_HUB_OFFLINE', 'DO_NOT_TRACK', 'TIKTOKEN_CACHE_DIR')}))")
    proc = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["ANONYMIZED_TELEMETRY"] == "False" and got["HF_HUB_OFFLINE"] == "1" and got["DO_NOT_TRACK"] == "1"
    assert got["TIKTOKEN_CACHE_DIR"] and os.path.isdir(got["TIKTOKEN_CACHE_DIR"])


@pytest.mark.enable_socket
def test_indexing_and_asking_in_process_make_no_connection(tmp_path, monkeypatch):
    attempts = []

    def refuse(kind):
        def guard(self, address, *rest):
            if self.family != socket.AF_UNIX:
                attempts.append((kind, address))
                raise OSError("network blocked by the offline test")
            return original[kind](self, address, *rest)
        return guard

    original = {"connect": socket.socket.connect, "connect_ex": socket.socket.connect_ex}
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))

    def lookup(host, *a, **k):
        attempts.append(("getaddrinfo", host))
        raise socket.gaierror("blocked")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("Port Note\n\nThe port of Liepaja handled 7,400 containers in June.\n",
                                     encoding="utf-8")
    a = rag.Assistant(corpus_dir=corpus, home=tmp_path / "home")
    a.index()
    answer = a.ask("How many containers did the port of Liepaja handle in June?")
    assert "7,400" in answer.text
    assert attempts == []


def test_the_hook_does_catch_a_connection(tmp_path):
    """The hook used below is not a no-op: a deliberate connection attempt is logged."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "net.log"
    env = dict(os.environ, PYTHONPATH=str(tmp_path), CORE_NET_LOG=str(log))
    code = ("import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
            "except OSError:\n    pass\n")
    subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=True)
    entries = log.read_text(encoding="utf-8").splitlines()
    assert entries[0].startswith("loaded ") and any("192.0.2.1" in e for e in entries[1:]), entries


def test_cli_index_ask_and_chat_make_no_connection(core_index_copy, tmp_path):
    idx = core_index_copy
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "net.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(PYTHONPATH=str(hook), CORE_NET_LOG=str(log))
    # a new file, so that indexing really loads the model and writes to Chroma
    (idx.corpus / "005_port.md").write_text(
        "# Port Note\n\nThe port of Liepaja handled 7,400 containers in June.\n", encoding="utf-8")
    where = ["--corpus", str(idx.corpus), "--home", str(idx.home)]

    def run(*args, stdin=None):
        proc = subprocess.run([str(RAG_BIN), *args, *where], capture_output=True, text=True, env=env,
                              input=stdin, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        return proc

    run("index")
    d = json.loads(run("ask", "What did Lavrov say about ISIS numbers?", "--json").stdout)
    assert "1,000" in d["answer"]
    chat = run("chat", stdin="Who led Pakistan's delegation at the 11th Joint Working Group meeting?\n"
                             "And who led the Russian side?\n/quit\n").stdout
    assert "Nabeel Munir" in chat and "Vershinin" in chat

    entries = log.read_text(encoding="utf-8").splitlines()
    assert sum(e.startswith("loaded ") for e in entries) == 3, "the hook must be active in every run"
    assert [e for e in entries if not e.startswith("loaded ")] == []
