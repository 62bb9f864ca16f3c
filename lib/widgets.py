"""Interactive figures that respond both in Jupyter and in the static HTML book.

A chapter writes one drawing function and names its sliders::

    def draw(fig, lr):
        ax = fig.subplots()
        ...

    slider_figure(draw, {"lr": Slider([0.01, 0.1, 0.5], value=0.1, label="learning rate")})

Every combination of slider values is drawn once, up front, into a PNG frame. With
``clear=False`` the figure is not cleared between frames: ``draw`` builds its axes on the
first call (when ``fig.axes`` is empty) and afterwards only updates its artists, which
roughly halves the cost of a frame with many axes or log scales.
The returned object displays as

* live ipywidgets sliders in Jupyter (the kernel swaps the frame on each move), and
* a self-contained HTML figure in the built book: range inputs whose frames are
  swapped by ``book/_static/lib-sliders.js``. Its controls stay hidden until that
  script has wired them, so a reader never meets a control that does nothing.

The book's configuration drops the ipywidgets view from HTML pages, so each
medium shows the version that works there.
"""

import base64
import html
import itertools
import json
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from lib import _validate
from lib.plotting import palette_png

MAX_FRAMES = 80
# Every SliderFigure made in this process: (alt text, frames, seconds). benchmarks/ reads it.
precompute_log = []


class Slider:
    """A slider over explicit values; `fmt` turns a value into its label."""

    def __init__(self, values, value=None, label=None, fmt="{:g}"):
        values = list(values)
        if len(values) < 2:
            raise ValueError(f"values must hold at least 2 entries, got {len(values)}")
        if value is None:
            value = values[len(values) // 2]
        matches = [i for i, v in enumerate(values) if v == value]
        if not matches:
            raise ValueError(f"value must be one of values {values}, got {value!r}")
        self.values = values
        self.index = matches[0]
        self.label = label
        self.labels = [fmt.format(v) if isinstance(fmt, str) else fmt(v) for v in values]

    def __repr__(self):
        return f"Slider({self.values!r}, value={self.values[self.index]!r}, label={self.label!r})"


def log_slider(low, high, num, value=None, label=None, fmt="{:.2g}"):
    """A `Slider` over `num` values spaced evenly in log scale from low to high."""
    low = _validate.real(low, "low", low=0.0, low_open=True)
    high = _validate.real(high, "high", low=low, low_open=True)
    num = _validate.integer(num, "num", low=2)
    values = [float(v) for v in np.geomspace(low, high, num)]
    if value is not None:
        value = min(values, key=lambda v: abs(np.log(v) - np.log(value)))
    return Slider(values, value=value, label=label, fmt=fmt)


class SliderFigure:
    """Frames of `draw` over every combination of slider values, and the two views of them."""

    def __init__(self, draw, sliders, figsize=(6.4, 4.0), dpi=110, alt="interactive figure",
                 clear=True):
        if not callable(draw):
            raise ValueError(f"draw must be callable, got {_validate._describe(draw)}")
        if not isinstance(sliders, dict) or not sliders:
            raise ValueError(f"sliders must be a non-empty dict of name -> Slider, got {sliders!r}")
        self.sliders = {
            name: s if isinstance(s, Slider) else Slider(s) for name, s in sliders.items()
        }
        self.names = list(self.sliders)
        n_frames = int(np.prod([len(s.values) for s in self.sliders.values()]))
        if n_frames > MAX_FRAMES:
            raise ValueError(
                f"sliders must span at most {MAX_FRAMES} combinations, got {n_frames}"
            )
        self.figsize = figsize
        self.dpi = _validate.integer(dpi, "dpi", low=10)
        self.alt = str(alt)
        self.clear = bool(clear)
        start = time.perf_counter()
        self.frames = self._render(draw)
        self.precompute_seconds = time.perf_counter() - start
        precompute_log.append((self.alt, len(self.frames), self.precompute_seconds))

    def _render(self, draw):
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        frames = []
        for combo in itertools.product(*(s.values for s in self.sliders.values())):
            if self.clear:
                fig.clear()
            draw(fig, **dict(zip(self.names, combo, strict=True)))
            # One draw and a direct PNG encode: savefig would lay the figure out twice.
            canvas.draw()
            image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
            frames.append(palette_png(image))
        return frames

    def frame_index(self, indices):
        """Position in `frames` of the combination with slider positions `indices`."""
        k = 0
        for name, i in zip(self.names, indices, strict=True):
            k = k * len(self.sliders[name].values) + i
        return k

    @property
    def initial_frame(self):
        return self.frames[self.frame_index([s.index for s in self.sliders.values()])]

    def to_html(self):
        """The static figure: an image, range inputs, and the frames as JSON."""
        data = {
            "sliders": [{"name": n, "labels": self.sliders[n].labels} for n in self.names],
            "frames": [base64.b64encode(f).decode("ascii") for f in self.frames],
        }
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        controls = "".join(
            f'<label class="lib-slider-control"><span>{html.escape(s.label or n)}</span>'
            f'<input type="range" min="0" max="{len(s.values) - 1}" step="1" '
            f'value="{s.index}" aria-label="{html.escape(s.label or n)}">'
            f"<output>{html.escape(s.labels[s.index])}</output></label>"
            for n, s in self.sliders.items()
        )
        src = base64.b64encode(self.initial_frame).decode("ascii")
        return (
            '<figure class="lib-slider-figure" data-lib-slider>'
            f'<img class="lib-slider-frame" alt="{html.escape(self.alt)}" '
            f'src="data:image/png;base64,{src}">'
            f'<div class="lib-slider-controls" hidden>{controls}</div>'
            f'<script type="application/json" class="lib-slider-data">{payload}</script>'
            "</figure>"
        )

    def widget(self):
        """The live view: ipywidgets sliders that swap the frame shown in an Image."""
        import ipywidgets as widgets

        image = widgets.Image(value=self.initial_frame, format="png")
        controls = []
        for name, s in self.sliders.items():
            control = widgets.SelectionSlider(
                options=[(lab, i) for i, lab in enumerate(s.labels)],
                value=s.index,
                description=s.label or name,
                continuous_update=True,
                style={"description_width": "initial"},
                layout=widgets.Layout(width="420px"),
            )
            controls.append(control)

        def update(_change):
            image.value = self.frames[self.frame_index([c.value for c in controls])]

        for c in controls:
            c.observe(update, names="value")
        return widgets.VBox([image, *controls])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_()
        bundle["text/html"] = self.to_html()
        return bundle

    def __repr__(self):
        sizes = {n: len(s.values) for n, s in self.sliders.items()}
        return f"SliderFigure({sizes}, {len(self.frames)} frames)"


def slider_figure(draw, sliders, figsize=(6.4, 4.0), dpi=110, alt="interactive figure",
                  clear=True):
    """Draw `draw(fig, **values)` for every slider combination; display it as an interactive figure.

    draw: function of a matplotlib Figure and one keyword argument per slider. The
          figure is cleared before each call, unless clear=False (then draw updates
          the artists it made on its first call).
    sliders: dict name -> `Slider` (or a list of values).
    """
    return SliderFigure(draw, sliders, figsize=figsize, dpi=dpi, alt=alt, clear=clear)
