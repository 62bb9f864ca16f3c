"""Figures the chapters share: landscapes with optimizer paths, and loss curves.

Each function draws on the `ax` it is given (or a new one) and returns it, so a
chapter can add to the picture and `lib.widgets` can draw the same way.
"""

import base64
import io

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from lib import _validate

BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}


def palette_png(image):
    """PNG bytes of a PIL image reduced to 256 colours.

    A plot has few distinct colours besides the anti-aliased edges, so an adaptive
    palette looks the same and makes the file two to three times smaller: it is what
    keeps a page with many figures, or a slider with many frames, light.
    """
    small = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    # the fast quantizer rounds white to 254; snap such entries back, so backgrounds stay white
    palette = np.array(small.getpalette(), dtype=np.uint8)
    palette[palette >= 253] = 255
    small.putpalette(palette.tolist())
    buf = io.BytesIO()
    small.save(buf, format="png")
    return buf.getvalue()


def _retina_palette_png(fig):
    """The inline PNG of `fig`: twice the resolution (retina), shown at its nominal size."""
    from IPython.core.pylabtools import retina_figure

    out = retina_figure(fig)
    if out is None:  # an empty figure
        return None
    png, metadata = out
    small = palette_png(Image.open(io.BytesIO(png)))
    return base64.b64encode(small).decode("ascii"), metadata


def use_book_style():
    """Apply the book's matplotlib settings, and crisp (retina), light inline figures."""
    mpl.rcParams.update(BOOK_STYLE)
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python: nothing inline to configure
        return
    shell = get_ipython()
    if shell is not None:
        set_matplotlib_formats("retina")
        shell.display_formatter.formatters["image/png"].for_type(Figure, _retina_palette_png)


def _axes(ax):
    return plt.figure().add_subplot() if ax is None else ax


def contour(landscape, ax=None, n=200, levels=25, log=False, xlim=None, ylim=None,
            filled=True, show_minima=True):
    """Contours of a 2-D `lib.landscapes.Landscape`; log=True spaces levels geometrically.

    Geometric levels suit valleys such as Rosenbrock's, whose values span decades.
    """
    ax = _axes(ax)
    X, Y, Z = landscape.grid(n=n, xlim=xlim, ylim=ylim)
    if log:
        Zs = Z - Z.min() + 1e-3
        lev = np.geomspace(Zs.min(), Zs.max(), levels)
        norm = mpl.colors.LogNorm(vmin=lev[0], vmax=lev[-1])
    else:
        Zs, lev, norm = Z, levels, None
    if filled:
        ax.contourf(X, Y, Zs, levels=lev, norm=norm, cmap="viridis", alpha=0.85)
    ax.contour(X, Y, Zs, levels=lev, norm=norm, colors="white" if filled else None,
               linewidths=0.5, alpha=0.6)
    if show_minima and len(landscape.minima):
        m = landscape.minima
        ax.plot(m[:, 0], m[:, 1], "*", color="gold", markersize=14,
                markeredgecolor="black", label="minimum", zorder=5)
    ax.set(xlim=X[0, [0, -1]], ylim=Y[[0, -1], 0], xlabel=r"$\theta_1$", ylabel=r"$\theta_2$",
           aspect="equal")
    return ax


def trajectory(ax, path, label=None, color="tab:red", marker="o", markersize=3):
    """Draw an optimizer's path (k, 2) on `ax`: iterates joined in order, start as a square."""
    path = _validate.float_array(path, "path", shape=(None, 2))
    (line,) = ax.plot(path[:, 0], path[:, 1], marker=marker, markersize=markersize,
                      color=color, label=label, zorder=4)
    ax.plot(*path[0], "s", color=line.get_color(), markersize=7, zorder=5)
    return ax


def loss_curves(curves, ax=None, xlabel="iteration", ylabel="loss", logy=False):
    """Plot several loss curves: `curves` maps a label to y values or to an (x, y) pair."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"curves must be a non-empty dict of label -> values, got {curves!r}")
    ax = _axes(ax)
    for label, c in curves.items():
        if isinstance(c, tuple) and len(c) == 2:
            x = _validate.float_array(c[0], f"curves[{label!r}][0]", ndim=1)
            y = _validate.float_array(c[1], f"curves[{label!r}][1]", shape=(len(x),))
        else:
            y = _validate.float_array(c, f"curves[{label!r}]", ndim=1)
            x = np.arange(len(y))
        ax.plot(x, y, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    return ax
