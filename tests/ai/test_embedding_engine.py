"""D140: the ONNX Runtime encoder (int8 products) gives the numpy reference's vectors, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from promptsales.ai import minilm_onnx
from promptsales.ai.embeddings import OnnxSentenceEncoder, SentenceEncoder, calibrate_smoothing

TEXTS = [
    "Here we see a can of sparkling water on a wooden pier by a calm lake, presented as a isometric 3D wide web "
    "banner. The colour palette relies on deep ocean blues and turquoise, which ties the product to its surroundings. "
    "Everything about the scene feels futuristic and sleek, from the light to the framing. It is aimed at gamers, who "
    "will recognise the setting as part of their everyday life. The lower left corner carries a metallic touch.",
    "A cozy flat-lay of hiking boots on a mossy forest floor, warm autumn colours, for weekend adventurers.",
    "calm watercolor coffee in a cafe",
    "¿Qué campañas tuvieron el mejor retorno en México el último trimestre?",
    "",
]


@pytest.fixture(scope="module")
def encoders() -> tuple[OnnxSentenceEncoder, SentenceEncoder]:
    return OnnxSentenceEncoder(threads=1), SentenceEncoder()


def test_onnx_vectors_match_the_numpy_reference(encoders):
    """Cosine ≥ 0.999 to the float32 numpy encoder on descriptions, queries, another language and ''."""
    fast, reference = encoders
    got, expected = fast.encode(TEXTS), reference.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * expected).sum(axis=1).min() >= 0.999


def test_int8_products_are_exact_integer_arithmetic_on_this_cpu():
    """D160: the worst case of the encoder's int8 product — every activation at the top level and every
    weight at ±127 — equals the exact integer result. ONNX Runtime's u8·s8 kernel on AVX2 CPUs without
    VNNI saturates pairs of products at 32,767 (here 255·127·2 = 64,770), which made the vectors depend
    on the CPU; the u8·u8 product the encoder uses cannot."""
    from promptsales.ai.embeddings import _session

    rows, depth = 4, 384
    weight = np.full((depth, 3), 1.0, np.float32)
    weight[:, 1] = -1.0
    weight[::2, 2] = -1.0
    x = np.ones((rows, depth), np.float32)
    x[1] = -1.0
    x[2, ::3] = -1.0
    x[3] *= 1e-3
    got = _session(minilm_onnx.product_model(weight, np.zeros(3, np.float32)), 1).run(["y"], {"x": x})[0]
    np.testing.assert_allclose(got, x @ weight, rtol=1e-5, atol=1e-6)


def test_onnx_similarities_stay_near_the_published_ones(encoders):
    """sentence-transformers' quick-start triple (0.6660 / 0.1046 / 0.1411, reproduced by the reference to
    1e-3 in tests/content): the int8 products move a similarity by a few thousandths at most."""
    fast, _ = encoders
    vectors = fast.encode(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    similarity = vectors @ vectors.T
    assert similarity[0, 1] == pytest.approx(0.6660, abs=5e-3)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=5e-3)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=5e-3)


def test_onnx_vectors_are_deterministic_and_independent_of_the_batch(encoders):
    """The same texts give the same vectors on every call; a text alone and in a padded batch agree
    (each token is quantized with its own scale, so batch mates and padding cannot change it)."""
    fast, _ = encoders
    first, second = fast.encode(TEXTS), fast.encode(TEXTS)
    assert np.array_equal(first, second)
    alone = np.stack([fast.encode_one(text) for text in TEXTS])
    assert (alone * first).sum(axis=1).min() >= 0.99999
    assert fast.encode([]).shape == (0, 384)


def test_batches_run_side_by_side_give_the_same_vectors(encoders):
    """Several batches encoded at once on the thread pool equal the same batches encoded one by one."""
    fast, _ = encoders
    sequential = fast.encode(TEXTS * 3, batch_size=2)
    fast.threads = 2
    try:
        parallel = fast.encode(TEXTS * 3, batch_size=2)
    finally:
        fast.threads = 1
    assert np.array_equal(parallel, sequential)


def test_shipped_smoothing_factors_follow_from_the_weights():
    """minilm_calibration.json is what calibrating the packaged weights on its texts gives (so it can be
    regenerated with `python -m promptsales.ai.embeddings --calibrate`, and it is not hand-tuned)."""
    texts, shipped = minilm_onnx.load_calibration()
    measured = calibrate_smoothing(texts)
    assert sorted(measured) == sorted(shipped)
    assert all(np.array_equal(measured[name], shipped[name]) for name in shipped)
