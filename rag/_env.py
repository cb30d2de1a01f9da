"""Process settings that must be in place before chromadb, onnxruntime, tiktoken or gradio load.

Nothing at run time may reach the network: telemetry is switched off, hubs are put in
offline mode, and tiktoken reads the encodings llama-index-core ships instead of
downloading them. numpy's BLAS threads are limited to one so that they do not fight
onnxruntime's for the two cores (measured: +8 ms per query otherwise).
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

#: Data files shipped with the package (the embedder's tokenizer, which the de-gluer also reads).
DATA_DIR = Path(__file__).resolve().parent / "data"

_OFFLINE = {
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "ORT_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def _llama_index_static() -> Path | None:
    spec = find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "_static"


def configure() -> None:
    """Set the offline environment; values the user already set are kept."""
    for key, value in _OFFLINE.items():
        os.environ.setdefault(key, value)
    static = _llama_index_static()
    if static is not None:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(static / "tiktoken_cache"))
        os.environ.setdefault("NLTK_DATA", str(static / "nltk_cache"))


configure()
