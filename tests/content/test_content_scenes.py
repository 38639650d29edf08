"""Issue 24: one scene per asset; the picture draws it and the description states it — nothing more.

No database: scenes, pictures and descriptions are built in-process from drawn attribute rows.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from promptsales.content import vocabulary
from promptsales.content.backdrops import BACKDROPS
from promptsales.content.describe import compose
from promptsales.content.generate import draw_attributes
from promptsales.content.pictograms import PICTOGRAMS
from promptsales.content.render import png_bytes, render
from promptsales.content.scene import LAYOUT_PHRASES, MOOD_LIGHT, SETTING_CUES, build_scene, safe_area

SAMPLE = 45


def _sample(kind: str, n: int = SAMPLE, seed: int = 24):
    rng = np.random.default_rng(seed)
    attrs = draw_attributes(rng, n)
    variants = rng.integers(0, 1_000_000, size=(n, 10))
    return [(build_scene(attrs[i], kind, variants[i], 30.0), variants[i]) for i in range(n)]


def _named(description: str, table, column: int = 1) -> set[str]:
    """The vocabulary keys whose description phrase occurs in the text."""
    return {row[0] for row in table if str(row[column]) in description}


def test_every_product_and_setting_can_be_drawn():
    assert set(PICTOGRAMS) == {key for key, _ in vocabulary.PRODUCTS}
    assert set(BACKDROPS) == set(SETTING_CUES) == {key for key, _ in vocabulary.SETTINGS}


@pytest.mark.parametrize("kind", ["image", "video"])
def test_description_names_only_what_the_scene_holds_and_the_picture_draws(kind):
    for scene, variants in _sample(kind):
        _title, text = compose(scene, variants)
        drawn = render(scene, 7).elements
        # every attribute the text names is the scene's, and nothing of another value is named
        assert _named(text, vocabulary.PRODUCTS) == {scene["product"]}, text
        assert _named(text, vocabulary.SETTINGS) == {scene["setting"]}, text
        assert _named(text, vocabulary.MOODS) == {scene["mood"]}, text
        assert _named(text, vocabulary.AUDIENCES) == {scene["audience"]}, text
        assert {f"product:{scene['product']}", f"setting:{scene['setting']}", f"style:{scene['style']}"} <= drawn
        assert f"light:{scene['light']}" in drawn and MOOD_LIGHT[scene["mood"]][1] in text.lower()
        for cue in scene["cues"]:  # each cue the text lists is drawn
            assert cue in text and f"cue:{cue}" in drawn
        assert set(scene["cues"]) == set(SETTING_CUES[scene["setting"]])
        if kind == "image":
            assert _named(text, vocabulary.STYLES, 2) == {scene["style"]}, text
            assert _named(text, vocabulary.PALETTES) == {scene["palette"]} and f"palette:{scene['palette']}" in drawn
            assert LAYOUT_PHRASES[scene["layout"]] in text and f"layout:{scene['layout']}" in drawn
            assert f"“{scene['headline']}”" in text and f"headline:{scene['headline']}" in drawn
            assert "{}×{} pixels".format(*scene["delivery_size"]) in text


def test_pictures_have_the_format_aspect_and_the_text_in_the_safe_area():
    for scene, _ in _sample("image"):
        result = render(scene, 11)
        width, height = result.image.size
        delivery_w, delivery_h = scene["delivery_size"]
        assert abs(width / height - delivery_w / delivery_h) < 0.02 * (delivery_w / delivery_h), scene["format"]
        x0, y0, x1, y1 = safe_area(scene["format"], (width, height))
        tx0, ty0, tx1, ty1 = result.text_box
        assert x0 - 4 <= tx0 and tx1 <= x1 + 4 and y0 - 2 <= ty0 and ty1 <= y1 + 4, (scene, result.text_box)
        px0, py0, px1, py1 = result.product_box
        assert 0 <= px0 < px1 <= width and 0 <= py0 < py1 <= height
        overlap_w = min(px1, tx1) - max(px0, tx0)
        overlap_h = min(py1, ty1) - max(py0, ty0)
        assert overlap_w <= 0 or overlap_h <= 0, "the headline covers the product"


def test_rendering_is_deterministic_for_a_seed():
    scene, _ = _sample("image", 1)[0]
    assert png_bytes(render(scene, 5).image) == png_bytes(render(scene, 5).image)


def test_audio_is_described_in_the_terms_of_its_medium():
    visual = {
        "colour",
        "colours",
        "palette",
        "backdrop",
        "headline",
        "pixels",
        "frame",
        "lit",
        "drawn",
        "picture",
        "corner",
    }
    for scene, variants in _sample("audio"):
        _title, text = compose(scene, variants)
        assert not visual & set(re.findall(r"[a-z]+", text.lower())), text
        for field in ("voice", "music", "language", "ambience"):
            assert scene[field] in text
        assert f"{scene['tempo_bpm']} BPM" in text and "30-second" in text and scene["script"] in text
        assert "palette" not in scene and "cues" not in scene


def test_video_states_shots_motion_and_captions():
    for scene, variants in _sample("video", 10):
        _title, text = compose(scene, variants)
        assert all(shot in text for shot in scene["shots"]) and scene["motion"] in text
        assert all(f"“{caption}”" in text for caption in scene["captions"]) and "30-second" in text
