"""``rag serve``: its options, one-line errors, and a real server bound to 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("gradio")

import rag.cli  # noqa: E402
import ui.cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(monkeypatch):
    """rag's own CLI with the serve plugin loaded, as the entry point does once installed."""
    monkeypatch.setattr(rag.cli, "_plugins", lambda: [ui.cli.register])
    return rag.cli


def test_serve_defaults_to_loopback_7860(cli):
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.auth) == ("127.0.0.1", 7860, None)
    assert args.func is ui.cli.run


@pytest.mark.parametrize("argv, says", [
    (["serve", "--auth", "nocolon"], "user:password"),
    (["serve", "--auth", ":pw"], "user:password"),
    (["serve", "--auth", "user:"], "user:password"),
])
def test_bad_auth_is_one_line_error(cli, capsys, argv, says):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and "Traceback" not in err


def test_bad_auth_from_environment_is_one_line_error(cli, capsys, monkeypatch):
    monkeypatch.setenv("RAG_AUTH", "just-a-name")
    assert cli.main(["serve"]) == 2
    assert "user:password" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_bad_port_is_refused_by_the_parser(cli, capsys, port):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--port", port])
    assert exit_.value.code == 2 and "port" in capsys.readouterr().err


@pytest.mark.enable_socket
def test_busy_port_is_one_line_error(cli, capsys, tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        rc = cli.main(["serve", "--corpus", str(tmp_path / "corpus"), "--home", str(tmp_path / "home"),
                       "--port", str(port), "--no-index"])
    assert rc == 2
    assert "already in use" in capsys.readouterr().err


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 120) -> "httpx.Response":  # noqa: F821
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"rag serve exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"rag serve did not answer on {url}")


@pytest.mark.slow
@pytest.mark.enable_socket
def test_rag_serve_binds_loopback_indexes_and_asks_for_login(tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import sys, rag.cli, ui.cli; rag.cli._plugins = lambda: [ui.cli.register]; "
            "sys.exit(rag.cli.main(sys.argv[1:]))")
    env = dict(os.environ, RAG_AUTH="analyst:s3cret")
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--corpus", str(tmp_path / "corpus"),
                             "--home", str(tmp_path / "home"), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/config", proc)
        assert response.status_code == 401  # RAG_AUTH is honoured
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
        if listening.returncode == 0 and listening.stdout.strip():  # `ss` is there: check the bind
            local = {line.split()[3] for line in listening.stdout.splitlines()}
            assert local == {f"127.0.0.1:{port}"}
        assert (tmp_path / "home").is_dir()  # indexed before serving
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
