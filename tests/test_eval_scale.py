"""eval/scale.py: the corpora it builds and the table it prints (the CI step runs it at 1k for real)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eval.scale import HashedEmbedding, build_corpus, table

REPO = Path(__file__).resolve().parents[1]
SQUAD = REPO.parent / "shared" / "bench" / "squad2-dev" / "dev-v2.0.json"
SENTENCES = [f"Sentence number {i} says that item {i} weighs {i * 3} kilograms in total." for i in range(200)]


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))}


def test_a_corpus_is_the_size_asked_shuffled_and_the_same_for_a_seed(tmp_path):
    files = build_corpus(SENTENCES, 35, tmp_path / "a", seed=7)
    assert files == 4
    texts = _files(tmp_path / "a")
    paragraphs = [p for t in texts.values() for p in t.split("\n\n")[1:]]
    assert len(paragraphs) == 35 and all(len(p.split()) >= 70 for p in paragraphs)
    first = paragraphs[0].split(". ")
    assert [s.split()[2] for s in first] != sorted((s.split()[2] for s in first), key=int)  # shuffled
    build_corpus(SENTENCES, 35, tmp_path / "b", seed=7)
    assert _files(tmp_path / "b") == texts
    build_corpus(SENTENCES, 35, tmp_path / "c", seed=8)
    assert _files(tmp_path / "c") != texts


def test_hashed_vectors_are_deterministic_unit_vectors():
    e = HashedEmbedding()
    a, b = e.embed("the port handles cargo"), e.embed("the port handles cargo")
    assert np.array_equal(a, b) and abs(float((a * a).sum()) - 1.0) < 1e-5
    assert e.embed_many(["x y", "z"]).shape == (2, 384)


def test_hashed_rows_are_labelled_in_the_table():
    row = {"size": 1000, "mode": "embedded", "vectors": "hashed", "passages": 1003, "index_s": 10.0,
           "passages_per_s": 450.0, "unchanged_s": 0.1, "one_file_s": 0.5, "p50_ms": 20.0, "p95_ms": 40.0,
           "peak_rss_mb": 400.0, "disk_mb": 12.0}
    out = table([row, {**row, "mode": "llamaindex", "vectors": "real", "unchanged_s": None, "one_file_s": None}])
    lines = out.splitlines()
    assert "embedded (hashed vectors)" in lines[2] and "1,003" in lines[2]
    assert "LlamaIndex VectorStoreIndex (retrieval only)" in lines[3] and "hashed" not in lines[3]
    assert lines[3].count("n/a") == 3  # no re-index figures, and no raw-embedder share, for LlamaIndex


def test_a_real_row_shows_its_share_of_the_raw_embedder():
    row = {"size": 1000, "mode": "embedded", "vectors": "real", "passages": 1003, "index_s": 20.0,
           "passages_per_s": 50.2, "raw_per_s": 54.0, "of_raw": 50.2 / 54.0, "unchanged_s": 0.1, "one_file_s": 0.5,
           "p50_ms": 20.0, "p95_ms": 40.0, "peak_rss_mb": 400.0, "disk_mb": 12.0}
    lines = table([row, {**row, "vectors": "hashed", "raw_per_s": None, "of_raw": None}]).splitlines()
    assert "of the raw embedder" in lines[0]
    assert "| 93% |" in lines[2] and "93%" not in lines[3] and lines[3].count("n/a") == 1


@pytest.mark.slow
@pytest.mark.enable_socket
def test_the_script_measures_every_mode_at_a_small_size(tmp_path):
    if not SQUAD.is_file():
        pytest.skip("../shared/bench/squad2-dev is not beside the repository")
    out = tmp_path / "rows.json"
    done = subprocess.run([sys.executable, "-m", "eval.scale", "--sizes", "100", "--vectors", "hashed",
                           "--work", str(tmp_path), "--json", str(out), "--plot", str(tmp_path / "plot.png")],
                          capture_output=True, text=True, cwd=REPO, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HASHED VECTORS" in done.stdout
    rows = json.loads(out.read_text())
    assert [r["mode"] for r in rows] == ["embedded", "server", "llamaindex"]
    ours = rows[:2]
    assert all(95 <= r["passages"] <= 120 and r["one_file_texts"] >= 2 and r["disk_mb"] > 0 for r in ours)
    assert all(r["p95_ms"] >= r["p50_ms"] > 0 and r["peak_rss_mb"] > 50 for r in rows)
    assert (tmp_path / "plot.png").stat().st_size > 1000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("rag-scale-")], "work folders are removed"
