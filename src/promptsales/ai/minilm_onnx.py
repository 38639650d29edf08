"""all-MiniLM-L6-v2 as an ONNX Runtime graph written from the packaged weights, two products in int8.

The graph is built with ``onnx.helper`` straight from ``model.safetensors`` (no torch, no export step,
nothing downloaded) and run by ONNX Runtime's CPU provider (docs/decisions.md D140). Of the four matrix
products of a layer, the attention output projection and the FFN up-projection (5/12 of the FLOPs) run
in int8; the fused QKV projection and the FFN down-projection stay float32, because quantizing
them moved some vectors below cosine 0.999 of the float32 reference (``embeddings.SentenceEncoder``).
The int8 products use:

* per-row (per-token) uint8 activations, symmetric around a fixed zero point 128: each token is scaled
  on its own, so a text's vector does not depend on the batch it is encoded in (deterministic);
* per-column symmetric int8 weights, stored offset by 128 as uint8 (a u8·u8 product): ONNX Runtime's
  u8·s8 kernel for AVX2 CPUs without VNNI adds pairs of products in saturating int16 (``vpmaddubsw``:
  255·127·2 overflows), so the same text got a different vector on an AMD EPYC than on a VNNI CPU
  (cosine 0.998 to the reference instead of 0.999). The u8·u8 kernels widen to int16 before the
  multiply-add and are exact on every CPU, at ~8 % of the encoder's speed (D160);
* SmoothQuant-style migration of activation outliers into the weights: input channel ``c`` is divided
  by a power of two ``s_c`` ≈ sqrt(max|x_c| / max|w_c|) and weight row ``c`` multiplied by it. The
  factors were measured once on fixed calibration texts (``minilm_calibration.json``, rebuilt by
  ``calibrate``; a test checks they still follow from the weights); for the attention output the
  division is folded into the value projection, so it costs nothing at run time.

Embeddings, attention, softmax, LayerNorm, GELU and pooling stay float32.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

#: The products of a layer that run in int8.
QUANTIZED = ("attn_out", "ffn_up")
#: SmoothQuant migration strength (0.5: split the range evenly between activations and weights).
ALPHA = 0.5
CALIBRATION_FILE = Path(__file__).with_name("minilm_calibration.json")


class _Graph:
    """A small builder: named initializers and nodes with unique output names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper = helper
        self.numpy_helper = numpy_helper
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.array(value, order="C"), name))
        return name

    def i64(self, name: str, values) -> str:
        return self.const(name, np.array(values, dtype=np.int64))

    def f32(self, name: str, value: float) -> str:
        return self.const(name, np.array(value, dtype=np.float32))

    def op(self, op_type: str, inputs: list[str], domain: str = "", **attrs) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], domain=domain or None, **attrs))
        return out


def layer_products(w: Mapping[str, np.ndarray], i: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The four products of layer ``i``: name → (weight [K, N] float32, bias [N] float32)."""
    p = f"encoder.layer.{i}."
    a = p + "attention.self."
    f32 = np.float32
    return {
        "qkv": (
            np.concatenate([w[a + n + ".weight"] for n in ("query", "key", "value")]).T.astype(f32),
            np.concatenate([w[a + n + ".bias"] for n in ("query", "key", "value")]).astype(f32),
        ),
        "attn_out": (
            w[p + "attention.output.dense.weight"].T.astype(f32),
            w[p + "attention.output.dense.bias"].astype(f32),
        ),
        "ffn_up": (w[p + "intermediate.dense.weight"].T.astype(f32), w[p + "intermediate.dense.bias"].astype(f32)),
        "ffn_down": (w[p + "output.dense.weight"].T.astype(f32), w[p + "output.dense.bias"].astype(f32)),
    }


def smoothing_exponents(activation_max: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per input channel ``log2 s`` with ``s`` ≈ max|x|^α / max|w|^(1-α), rounded to an integer.

    Powers of two make the division and the weight scaling exact and the factors insensitive to the
    last bits of the calibration run (the same factors whatever BLAS or thread count computed them).
    """
    ratio = np.maximum(activation_max, 1e-5) ** ALPHA / np.maximum(np.abs(weight).max(axis=1), 1e-5) ** (1 - ALPHA)
    return np.round(np.log2(ratio)).astype(np.int64)


def _quantized_product(g: _Graph, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
    """x [T, K] float32 → x·W + b with x quantized per row to uint8 (zero point 128) and W per column
    (int8 levels stored as uint8 with zero point 128, so the integer product cannot saturate).

    A fixed zero point keeps the integer product and the column scaling in one fused kernel (ONNX
    Runtime's MatMulIntegerToFloat accepts only a scalar zero point for A); the row scale and the bias
    follow as two elementwise passes.
    """
    w_scale = (np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0).astype(np.float32)
    w_q = (np.clip(np.round(weight / w_scale), -127, 127) + 128).astype(np.uint8)
    peak = g.op("ReduceMax", [g.op("Abs", [x]), g.i64(f"{name}.axes", [1])], keepdims=0)
    scale = g.op("Max", [g.op("Div", [peak, g.f32(f"{name}.levels", 127.0)]), g.f32(f"{name}.tiny", 1e-12)])
    # QuantizeLinear per row (axis 0) takes a zero point per row: 128 for every row
    points = g.op(
        "Cast", [g.op("Add", [g.op("Mul", [scale, g.f32(f"{name}.nil", 0.0)]), g.f32(f"{name}.128", 128.0)])], to=2
    )
    x_q = g.op("QuantizeLinear", [x, scale, points], axis=0)
    product = g.op(
        "MatMulIntegerToFloat",
        [
            x_q,
            g.const(f"{name}.w_q", w_q),
            g.f32(f"{name}.one", 1.0),
            g.const(f"{name}.w_scale", w_scale),
            g.const(f"{name}.point", np.array(128, np.uint8)),
            g.const(f"{name}.w_point", np.array(128, np.uint8)),
        ],
        domain="com.microsoft",
    )
    rows = g.op("Unsqueeze", [scale, g.i64(f"{name}.row_axis", [1])])
    return g.op("Add", [g.op("Mul", [product, rows]), g.const(f"{name}.b", bias)])


def product_model(weight: np.ndarray, bias: np.ndarray):
    """A model of one int8 product alone, ``x`` float32 [T, K] → ``y`` = x·W + b, built as in the encoder
    (to check its integer arithmetic on the running CPU)."""
    from onnx import TensorProto, helper

    g = _Graph()
    g.nodes.append(helper.make_node("Identity", [_quantized_product(g, "x", weight, bias, "p")], ["y"]))
    rows, (k, n) = "rows", weight.shape
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, k])]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [rows, n])]
    graph = helper.make_graph(g.nodes, "product", inputs, outputs, initializer=g.initializers)
    opsets = [helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=10)


def _float_product(g: _Graph, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
    return g.op("Add", [g.op("MatMul", [x, g.const(f"{name}.w", weight)]), g.const(f"{name}.b", bias)])


def _layer_norm(g: _Graph, x: str, w: Mapping[str, np.ndarray], prefix: str, name: str, eps: float) -> str:
    return g.op(
        "LayerNormalization",
        [x, g.const(f"{name}.w", w[prefix + ".weight"]), g.const(f"{name}.b", w[prefix + ".bias"])],
        axis=-1,
        epsilon=eps,
    )


def build_model(
    weights: Mapping[str, np.ndarray],
    config: Mapping[str, float],
    exponents: Mapping[str, np.ndarray] | None,
    quantize: Sequence[str] = QUANTIZED,
    probe: bool = False,
):
    """The ONNX model: ``input_ids`` int64 [B, L] and ``attention_mask`` float32 [B, L] → ``embedding``
    float32 [B, hidden] (mean-pooled over the mask, L2-normalised).

    ``quantize`` names the products run in int8 (smoothed by ``exponents``, name ``l<i>.<product>`` →
    log2 factors per input channel); ``probe=True`` adds an output ``probe:l<i>.<product>`` per product
    with the per-channel max |input| (calibration; use it with ``quantize=()``).
    """
    from onnx import TensorProto, helper

    layers, heads, hidden = (
        int(config["num_hidden_layers"]),
        int(config["num_attention_heads"]),
        int(config["hidden_size"]),
    )
    eps = float(config["layer_norm_eps"])
    head_dim = hidden // heads
    g = _Graph()
    w = weights
    probes: dict[str, str] = {}
    ids, mask = "input_ids", "attention_mask"
    shape = g.op("Shape", [ids])
    batch = g.op("Unsqueeze", [g.op("Gather", [shape, g.i64("dim0", 0)], axis=0), g.i64("ax0", [0])])
    length = g.op("Gather", [shape, g.i64("dim1", 1)], axis=0)
    positions = g.op("Range", [g.i64("start", 0), length, g.i64("step", 1)])
    x = g.op("Gather", [g.const("word_embeddings", w["embeddings.word_embeddings.weight"].astype(np.float32)), ids])
    position_table = g.const("position_embeddings", w["embeddings.position_embeddings.weight"].astype(np.float32))
    x = g.op("Add", [x, g.op("Gather", [position_table, positions])])
    x = g.op("Add", [x, g.const("token_type", w["embeddings.token_type_embeddings.weight"][0].astype(np.float32))])
    x = _layer_norm(g, x, w, "embeddings.LayerNorm", "emb_ln", eps)
    flat = g.op("Reshape", [x, g.i64("flat_shape", [-1, hidden])])
    # additive attention mask [B, 1, 1, L]: 0 for tokens, -1e9 for padding
    additive = g.op("Mul", [g.op("Sub", [g.f32("one_f", 1.0), mask]), g.f32("neg_big", -1e9)])
    additive = g.op("Unsqueeze", [additive, g.i64("mask_axes", [1, 2])])
    heads_shape = g.op("Concat", [batch, g.i64("heads_rest", [-1, heads, head_dim])], axis=0)
    exponents = exponents or {}

    for i in range(layers):
        p = f"encoder.layer.{i}."
        products = layer_products(w, i)
        qkv_w, qkv_b = (value.copy() for value in products["qkv"])
        scale = np.float32(1.0 / np.sqrt(head_dim))
        qkv_w[:, :hidden] *= scale  # 1/sqrt(head_dim) folded into Q
        qkv_b[:hidden] *= scale
        smooth = {key: np.exp2(exponents[f"l{i}.{key}"]).astype(np.float32) for key in quantize}
        if "attn_out" in smooth:  # context = probs · V: dividing V's columns divides the context's channels
            qkv_w[:, 2 * hidden :] /= smooth["attn_out"]
            qkv_b[2 * hidden :] /= smooth["attn_out"]

        def product(
            x_in: str,
            key: str,
            weight: np.ndarray,
            bias: np.ndarray,
            prescaled: bool = False,
            i: int = i,
            smooth: dict[str, np.ndarray] = smooth,
        ) -> str:
            name = f"l{i}.{key}"
            if probe:
                probes[name] = g.op("ReduceMax", [g.op("Abs", [x_in]), g.i64(f"{name}.probe_axes", [0])], keepdims=0)
            if key not in smooth:
                return _float_product(g, x_in, weight, bias, name)
            if not prescaled:
                x_in = g.op("Mul", [x_in, g.const(f"{name}.inv_smooth", (1.0 / smooth[key]).astype(np.float32))])
            return _quantized_product(g, x_in, weight * smooth[key][:, None], bias, name)

        qkv = product(flat, "qkv", qkv_w, qkv_b)
        q, k, v = (
            g.op(
                "Reshape",
                [
                    g.op(
                        "Slice",
                        [
                            qkv,
                            g.i64(f"l{i}.s{j}", [j * hidden]),
                            g.i64(f"l{i}.e{j}", [(j + 1) * hidden]),
                            g.i64(f"l{i}.a{j}", [1]),
                        ],
                    ),
                    heads_shape,
                ],
            )
            for j in range(3)
        )
        q = g.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        probs = g.op("Softmax", [g.op("Add", [g.op("MatMul", [q, k]), additive])], axis=-1)
        context = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        context = g.op("Reshape", [context, g.i64(f"l{i}.ctx_shape", [-1, hidden])])
        attn = product(context, "attn_out", *products["attn_out"], prescaled=True)
        flat = _layer_norm(g, g.op("Add", [attn, flat]), w, p + "attention.output.LayerNorm", f"l{i}.ln1", eps)
        inter = g.op("Gelu", [product(flat, "ffn_up", *products["ffn_up"])])
        out = product(inter, "ffn_down", *products["ffn_down"])
        flat = _layer_norm(g, g.op("Add", [out, flat]), w, p + "output.LayerNorm", f"l{i}.ln2", eps)

    states = g.op("Reshape", [flat, g.op("Concat", [batch, g.i64("states_rest", [-1, hidden])], axis=0)])
    mask3 = g.op("Unsqueeze", [mask, g.i64("mask_last", [2])])
    summed = g.op("ReduceSum", [g.op("Mul", [states, mask3]), g.i64("pool_axis", [1])], keepdims=0)
    count = g.op("Max", [g.op("ReduceSum", [mask3, g.i64("count_axis", [1])], keepdims=0), g.f32("min_count", 1e-9)])
    pooled = g.op("Div", [summed, count])
    norm = g.op("Max", [g.op("ReduceL2", [pooled, g.i64("norm_axis", [1])], keepdims=1), g.f32("min_norm", 1e-12)])
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["embedding"]))
    outputs = [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])]
    for name, node in probes.items():
        g.nodes.append(helper.make_node("Identity", [node], [f"probe:{name}"]))
        outputs.append(helper.make_tensor_value_info(f"probe:{name}", TensorProto.FLOAT, [None]))
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["batch", "length"]),
    ]
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", inputs, outputs, initializer=g.initializers)
    opsets = [helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=10)


def calibrate(
    run_probe: Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]],
    weights: Mapping[str, np.ndarray],
    layers: int,
    token_ids: Sequence[Sequence[int]],
) -> dict[str, np.ndarray]:
    """Smoothing exponents of the int8 products from the per-channel max |input| over ``token_ids``.

    ``run_probe(ids, mask)`` runs the float32 probe graph (``build_model(..., quantize=(), probe=True)``)
    and returns ``{"l<i>.<product>": max per channel}``; texts go one at a time so padding never enters
    the statistics.
    """
    maxima: dict[str, np.ndarray] = {}
    for tokens in token_ids:
        ids = np.array([list(tokens)], dtype=np.int64)
        for name, value in run_probe(ids, np.ones(ids.shape, dtype=np.float32)).items():
            maxima[name] = np.maximum(maxima.get(name, np.zeros_like(value)), value)
    exponents = {}
    for i in range(layers):
        products = layer_products(weights, i)
        for key in QUANTIZED:
            exponents[f"l{i}.{key}"] = smoothing_exponents(maxima[f"l{i}.{key}"], products[key][0])
    return exponents


def load_calibration(path: Path = CALIBRATION_FILE) -> tuple[list[str], dict[str, np.ndarray]]:
    """The shipped calibration: (texts, exponents per product)."""
    data = json.loads(path.read_text())
    return data["texts"], {name: np.array(values, dtype=np.int64) for name, values in data["exponents"].items()}


def write_calibration(texts: list[str], exponents: Mapping[str, np.ndarray], path: Path = CALIBRATION_FILE) -> None:
    """Store calibration texts and exponents (``python -m promptsales.ai.embeddings --calibrate``)."""
    head = {"about": "SmoothQuant log2 factors of all-MiniLM-L6-v2's int8 products, measured on these texts (D140)"}
    rows = ",\n".join(
        f"  {json.dumps(name)}: {json.dumps([int(v) for v in values])}" for name, values in sorted(exponents.items())
    )
    body = json.dumps({**head, "alpha": ALPHA, "texts": texts}, indent=1)[:-2]
    path.write_text(body + ',\n "exponents": {\n' + rows + "\n }\n}\n")
