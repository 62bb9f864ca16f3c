"""lib.widgets: frames, their order, the static HTML and the live widget agree."""

import base64
import itertools
import json
import re

import numpy as np
import pytest

from lib.widgets import MAX_FRAMES, Slider, SliderFigure, log_slider, slider_figure

PNG = b"\x89PNG"


def draw_line(fig, a, b):
    ax = fig.subplots()
    ax.plot([0, 1], [b, a + b])
    ax.set_ylim(-5, 5)
    ax.set_title(f"a={a} b={b}")


def make():
    return slider_figure(draw_line, {"a": Slider([1, 2, 3], value=2), "b": [-1.0, 1.0]})


def test_one_png_frame_per_combination_in_product_order():
    calls = []

    def draw(fig, a, b):
        calls.append((a, b))
        draw_line(fig, a, b)

    sf = SliderFigure(draw, {"a": Slider([1, 2, 3], value=2), "b": [-1.0, 1.0]})
    assert calls == list(itertools.product([1, 2, 3], [-1.0, 1.0]))
    assert len(sf.frames) == 6
    assert all(f.startswith(PNG) for f in sf.frames)
    assert len({bytes(f) for f in sf.frames}) == 6  # every combination looks different
    assert sf.frame_index([2, 0]) == calls.index((3, -1.0))
    assert sf.initial_frame == sf.frames[calls.index((2, 1.0))]
    assert sf.precompute_seconds > 0


def test_static_html_carries_every_frame_and_hides_controls_until_wired():
    sf = make()
    page = sf.to_html()
    assert page.count('type="range"') == 2
    assert re.search(r'<div class="lib-slider-controls" hidden>', page)
    payload = re.search(r'<script type="application/json" class="lib-slider-data">(.*?)</script>',
                        page).group(1)
    data = json.loads(payload)
    assert [s["labels"] for s in data["sliders"]] == [["1", "2", "3"], ["-1", "1"]]
    assert [base64.b64decode(f) for f in data["frames"]] == sf.frames
    initial = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(initial) == sf.initial_frame
    assert 'value="1"' in page
    assert 'max="2"' in page


def test_mimebundle_offers_live_widget_and_static_html():
    bundle = make()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<figure class="lib-slider-figure"')


def test_live_widget_swaps_frames():
    sf = make()
    box = sf.widget()
    image, slider_a, slider_b = box.children
    assert image.value == sf.initial_frame
    slider_a.value = 0
    slider_b.value = 0
    assert image.value == sf.frames[sf.frame_index([0, 0])]
    assert image.value != sf.initial_frame


def test_log_slider():
    s = log_slider(1e-3, 1.0, 4, value=0.012, label="lr")
    np.testing.assert_allclose(s.values, [1e-3, 1e-2, 1e-1, 1.0])
    assert s.values[s.index] == pytest.approx(1e-2)
    assert s.labels == ["0.001", "0.01", "0.1", "1"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="values must hold at least 2 entries, got 1"):
        Slider([1])
    with pytest.raises(ValueError, match="value must be one of values"):
        Slider([1, 2], value=3)
    with pytest.raises(ValueError, match="draw must be callable"):
        slider_figure("plot", {"a": [1, 2]})
    with pytest.raises(ValueError, match="sliders must be a non-empty dict"):
        slider_figure(draw_line, {})
    with pytest.raises(ValueError, match=f"at most {MAX_FRAMES} combinations, got 100"):
        slider_figure(draw_line, {"a": list(range(10)), "b": list(range(10))})
    with pytest.raises(ValueError, match=r"high must be > 1\.0"):
        log_slider(1.0, 0.5, 3)


def test_clear_false_keeps_the_artists_between_frames():
    made = []

    def draw(fig, a):
        if not fig.axes:
            ax = fig.subplots()
            made.append(ax.plot([0, 1], [0, 0])[0])
            ax.set_ylim(-4, 4)
        made[0].set_ydata([0, a])

    sf = slider_figure(draw, {"a": [1, 2, 3]}, clear=False)
    assert len(made) == 1  # built once, updated twice
    assert len({bytes(f) for f in sf.frames}) == 3
