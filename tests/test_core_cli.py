"""The ``rag`` command as a user runs it (subprocesses): JSON output, re-index, and errors a user can cause."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import (
    ARTICLES,
    RAG_BIN,
    core_check_index,
    core_records,
    core_run_cli,
    core_write,
)

import rag

A = ARTICLES
LAVROV = "What did Lavrov say about ISIS numbers?"


def _no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    """Non-zero exit, no traceback, exactly one ``error:`` line on stderr saying ``fragments``."""
    assert proc.returncode != 0, proc.stdout
    _no_traceback(proc)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), lines[0]
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


def _run_many(*argvs: list[str]) -> list[subprocess.CompletedProcess]:
    """Several quick CLI runs at once (each mostly waits on imports)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    procs = [subprocess.Popen([str(RAG_BIN), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for argv in argvs]
    out = []
    for argv, p in zip(argvs, procs):
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess([str(RAG_BIN), *argv], p.returncode, stdout, stderr))
    return out


@pytest.fixture
def small(tmp_path):
    """A two-file corpus that indexes in a few seconds, and a home for it."""
    corpus = tmp_path / "corpus"
    core_write(corpus / "alpha.txt", "Alpha Report\n\nThe alpha project in Riga employed 412 engineers in 2023.\n")
    core_write(corpus / "beta.md", "# Beta Notes\n\nBeta shipped its first satellite from Tromso on 3 March 2021.\n")
    return corpus, tmp_path / "home"


# -- normal use -------------------------------------------------------------------------------------------

def test_ask_json_prints_the_answer_shape(core_index_copy):
    idx = core_index_copy
    proc = core_run_cli("ask", LAVROV, "--json", "--corpus", str(idx.corpus), "--home", str(idx.home))
    assert proc.returncode == 0, proc.stderr
    _no_traceback(proc)
    d = json.loads(proc.stdout)
    assert d["question"] == LAVROV and d["abstained"] is False
    assert isinstance(d["answer"], str) and "1,000" in d["answer"] and "[1]" in d["answer"]
    assert d["citations"] and d["sentences"]
    for c in d["citations"]:
        assert {"n", "source", "title", "start", "end", "quote", "score"} <= set(c)
        assert c["source"] in A.values()
        assert idx.text(c["source"])[c["start"]:c["end"]] == c["quote"]
    assert d["citations"][0]["source"] == A["004"]
    assert d["citations"][0]["title"] == "Pakistan And Russia Agree On Afghanistan Strategy"
    for s in d["sentences"]:
        assert {"text", "citations", "supported"} <= set(s) and isinstance(s["supported"], bool)
    assert {"retrieve", "answer", "total"} <= set(d["timings_ms"])
    # nothing but the JSON on stdout (no progress bar, no summary line)
    assert proc.stdout.strip().startswith("{") and proc.stdout.strip().endswith("}")


def test_output_piped_into_a_reader_that_leaves_early_is_not_an_error(core_index):
    """`rag ask … | head -1`: a closed pipe ends the command quietly (exit 141, as a shell's SIGPIPE)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    proc = subprocess.Popen([str(RAG_BIN), "ask", "--json", LAVROV, "--corpus", str(core_index.corpus),
                             "--home", str(core_index.home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the answer is written (it takes a second to load)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141 and "error" not in err, err


def test_ask_prints_text_with_markers_and_reference_lines(core_index_copy):
    idx = core_index_copy
    # the common options may also come before the subcommand
    proc = core_run_cli("--corpus", str(idx.corpus), "--home", str(idx.home), "ask", LAVROV)
    assert proc.returncode == 0, proc.stderr
    _no_traceback(proc)
    text = idx.text(A["004"])
    sentence = "there are already 1,000 ISIS militants in Afghanistan."
    end = text.index(sentence) + len(sentence)
    start = text.rfind("Lavrov acknowledged", 0, end)
    assert "1,000" in proc.stdout and "[1]" in proc.stdout
    ref = f"[1] Pakistan And Russia Agree On Afghanistan Strategy — {A['004']}, chars {start}–{end}"
    assert ref in proc.stdout, proc.stdout


def test_index_of_an_indexed_corpus_embeds_nothing(core_index_copy):
    idx = core_index_copy
    second = core_run_cli("index", "--corpus", str(idx.corpus), "--home", str(idx.home))
    assert second.returncode == 0, second.stderr
    _no_traceback(second)
    assert "5 documents" in second.stdout and "nothing changed" in second.stdout
    assert "0 texts embedded" in second.stdout
    core_check_index(idx.corpus, idx.home)


# -- errors a user can cause --------------------------------------------------------------------------

def test_bad_questions_and_missing_or_empty_corpus(core_index_copy, tmp_path):
    idx = core_index_copy
    c, h = str(idx.corpus), str(idx.home)
    (tmp_path / "empty").mkdir()
    missing = str(tmp_path / "no-such-folder")
    runs = _run_many(
        ["ask", "", "--corpus", c, "--home", h],
        ["ask", "x" * 100_000, "--corpus", c, "--home", h],
        ["ask", LAVROV, "--corpus", missing, "--home", str(tmp_path / "h1")],
        ["ask", LAVROV, "--corpus", str(tmp_path / "empty"), "--home", str(tmp_path / "h2")],
    )
    assert_one_line_error(runs[0], "empty")
    assert_one_line_error(runs[1], "100,000")
    assert_one_line_error(runs[2], "no-such-folder", "does not exist")
    assert_one_line_error(runs[3], "no .txt or .md")
    core_check_index(idx.corpus, idx.home)  # none of these may have damaged the index


@pytest.mark.slow
def test_more_bad_arguments(core_index_copy, tmp_path):
    idx = core_index_copy
    c, h = str(idx.corpus), str(idx.home)
    (tmp_path / "only-other").mkdir()
    (tmp_path / "only-other" / "notes.rst").write_text("The corpus has no txt or md file.\n")
    runs = _run_many(
        ["ask", "   \n  ", "--corpus", c, "--home", h],
        ["index", "--corpus", str(tmp_path / "no-such-folder"), "--home", str(tmp_path / "h1")],
        ["index", "--corpus", str(tmp_path / "only-other"), "--home", str(tmp_path / "h2")],
        ["ask", LAVROV, "--k", "0", "--corpus", c, "--home", h],
    )
    assert_one_line_error(runs[0], "empty")
    assert_one_line_error(runs[1], "no-such-folder", "does not exist")
    assert_one_line_error(runs[2], "no .txt or .md")
    assert_one_line_error(runs[3], "k")
    core_check_index(idx.corpus, idx.home)


def test_non_utf8_and_binary_files_are_skipped_with_a_warning(core_index_copy):
    idx = core_index_copy
    core_write(idx.corpus / "latin1.txt", "Caf\xe9 au lait in Riga costs 3 euros.\n".encode("latin-1"))
    core_write(idx.corpus / "sub" / "blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(256)))
    proc = core_run_cli("index", "--corpus", str(idx.corpus), "--home", str(idx.home))
    assert proc.returncode != 0  # a skipped file is worth a non-zero exit
    _no_traceback(proc)
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert any("latin1.txt" in w and "UTF-8" in w for w in warnings), proc.stderr
    assert any("sub/blob.txt" in w and "binary" in w for w in warnings), proc.stderr
    assert "5 documents" in proc.stdout
    core_check_index(idx.corpus, idx.home)  # the five articles are all still indexed

    proc = core_run_cli("ask", LAVROV, "--json", "--corpus", str(idx.corpus), "--home", str(idx.home))
    assert proc.returncode == 0, proc.stderr
    _no_traceback(proc)
    assert "1,000" in json.loads(proc.stdout)["answer"]
    assert "latin1.txt" in proc.stderr  # still warned about


def test_bad_files_in_a_fresh_index_do_not_stop_the_others(small):
    corpus, home = small
    core_write(corpus / "cp1252.md", "\u201cQuoted\u201d text from an old Windows editor.\n".encode("cp1252"))
    core_write(corpus / "nul.txt", b"text with a NUL\x00 byte in it\n")
    proc = core_run_cli("index", "--corpus", str(corpus), "--home", str(home), env={"RAG_PROGRESS": "1"})
    assert proc.returncode != 0
    _no_traceback(proc)
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert any("cp1252.md" in w for w in warnings) and any("nul.txt" in w for w in warnings), proc.stderr
    assert "indexing" in proc.stderr and "%" in proc.stderr  # the progress bar (forced on without a tty)
    assert "2 documents" in proc.stdout and "2 added" in proc.stdout
    a = rag.Assistant(corpus_dir=corpus, home=home)
    assert sorted(d.source for d in a.documents()) == ["alpha.txt", "beta.md"]
    answer = a.ask("How many engineers did the alpha project in Riga employ?")
    assert "412" in answer.text and answer.citations[0].source == "alpha.txt"


def test_corpus_of_only_unreadable_files_is_one_error(tmp_path):
    corpus = tmp_path / "corpus"
    core_write(corpus / "a.txt", b"\xff\xfe\x00h\x00i")
    core_write(corpus / "b.txt", b"\xc3\x28 invalid")
    proc = core_run_cli("index", "--corpus", str(corpus), "--home", str(tmp_path / "home"))
    assert_one_line_error(proc, "no readable")


def _index(corpus: Path, home: Path) -> None:
    """Index in a subprocess, so that this process holds no Chroma client on a directory the test breaks."""
    proc = core_run_cli("index", "--corpus", str(corpus), "--home", str(home))
    assert proc.returncode == 0, proc.stderr


def test_corrupted_records_give_one_line_and_rebuild_sets_them_aside(small):
    corpus, home = small
    _index(corpus, home)
    garbage = os.urandom(4096)
    records = core_records(home)
    records.write_bytes(garbage)
    q = "How many engineers did the alpha project in Riga employ?"

    for argv in (["ask", q, "--json"], ["index"]):
        proc = core_run_cli(*argv, "--corpus", str(corpus), "--home", str(home))
        assert_one_line_error(proc, "rag index --rebuild")
        assert records.read_bytes() == garbage, "the broken index must not be deleted"

    proc = core_run_cli("index", "--rebuild", "--corpus", str(corpus), "--home", str(home))
    assert proc.returncode == 0, proc.stderr
    _no_traceback(proc)
    aside = [p for p in home.parent.iterdir() if p.name.startswith("home") and p != home]
    assert len(aside) == 1 and aside[0].is_dir()
    assert (aside[0] / "records.sqlite").read_bytes() == garbage
    core_check_index(corpus, home)
    answer = rag.Assistant(corpus_dir=corpus, home=home).ask(q)
    assert "412" in answer.text


@pytest.mark.slow
def test_corrupted_vector_store_gives_one_line_and_rebuild_works(small):
    corpus, home = small
    _index(corpus, home)
    chroma_db = core_records(home).parent / "chroma" / "chroma.sqlite3"
    assert chroma_db.is_file()
    garbage = os.urandom(8192)
    chroma_db.write_bytes(garbage)
    # answers come from the records, which are intact
    proc = core_run_cli("ask", "When did Beta ship its first satellite?", "--corpus", str(corpus), "--home", str(home))
    assert proc.returncode == 0 and "2021" in proc.stdout, proc.stdout + proc.stderr
    # writing needs the vector store: one line, nothing deleted
    core_write(corpus / "new.txt", "New\n\nThe gamma team in Tartu built 31 drones.\n")
    proc = core_run_cli("index", "--corpus", str(corpus), "--home", str(home))
    assert_one_line_error(proc, "rag index --rebuild")
    assert chroma_db.read_bytes() == garbage
    proc = core_run_cli("index", "--rebuild", "--corpus", str(corpus), "--home", str(home))
    assert proc.returncode == 0, proc.stderr
    core_check_index(corpus, home)

@pytest.mark.slow
def test_ctrl_c_stops_indexing_in_one_line_and_the_next_run_resumes(tmp_path):
    """Ctrl-C while the model runs beside the indexer: one line, exit 130, the groups stored so far
    are kept, and the next run embeds only the files that were not stored."""
    import signal
    import threading
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(240):
        body = " ".join(f"Depot {i} loaded {i * 7 + k} crates of barley for the river ferry on day {k}." for k in range(12))
        core_write(corpus / f"f{i:03d}.txt", f"Log {i}\n\n{body}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {"RAG_PROGRESS": "1"}
    proc = subprocess.Popen([str(RAG_BIN), "index", "--corpus", str(corpus), "--home", str(tmp_path / "home")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(iter(lambda: proc.stderr.read(64), "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while "80/240" not in "".join(err) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 130, "".join(err)
    reader.join(10)
    text = "".join(err)
    assert "Traceback" not in text and text.rstrip().endswith("interrupted"), text[-500:]
    again = core_run_cli("index", "--corpus", str(corpus), "--home", str(tmp_path / "home"))
    assert again.returncode == 0, again.stderr
    added = int(again.stdout.split(" added")[0].rsplit(" ", 1)[-1])
    assert 0 < added < 240, again.stdout  # some files were stored before Ctrl-C and are not redone
    assert "240 documents" in again.stdout, again.stdout
