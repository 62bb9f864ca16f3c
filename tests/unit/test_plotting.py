"""lib.plotting draws what it is given and refuses what it cannot draw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lib.landscapes import Quadratic, Rosenbrock
from lib.plotting import contour, loss_curves, trajectory, use_book_style


def test_contour_and_trajectory():
    use_book_style()
    fig, ax = plt.subplots()
    f = Rosenbrock()
    assert contour(f, ax=ax, log=True) is ax
    path = np.array([[-1.5, 2.0], [-1.0, 1.0], [0.5, 0.3], [1.0, 1.0]])
    trajectory(ax, path, label="path")
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "path")
    np.testing.assert_array_equal(line.get_xydata(), path)
    assert ax.get_xlim() == pytest.approx(f.xlim)
    # The minimum is marked.
    assert any(ln.get_label() == "minimum" for ln in ax.get_lines())
    plt.close(fig)


def test_contour_without_minimum():
    fig, ax = plt.subplots()
    contour(Quadratic([[1.0, 0.0], [0.0, -1.0]]), ax=ax, filled=False)
    assert not any(ln.get_label() == "minimum" for ln in ax.get_lines())
    plt.close(fig)


def test_loss_curves():
    fig, ax = plt.subplots()
    loss_curves({"a": [3.0, 2.0, 1.0], "b": (np.array([0.0, 10.0]), np.array([2.0, 0.5]))},
                ax=ax, logy=True)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["a", "b"]
    np.testing.assert_array_equal(lines[1].get_xdata(), [0.0, 10.0])
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="curves must be a non-empty dict"):
        loss_curves({})
    with pytest.raises(ValueError, match=r"curves\['a'\] must be finite"):
        loss_curves({"a": [1.0, np.nan]}, ax=ax)
    with pytest.raises(ValueError, match=r"path must have shape \(any, 2\)"):
        trajectory(ax, np.ones((3, 3)))
    plt.close(fig)


def test_palette_png_keeps_the_picture_and_shrinks_the_file():
    import io

    from PIL import Image

    from lib.plotting import palette_png

    use_book_style()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    contour(Rosenbrock(), ax=ax, log=True)
    fig.canvas.draw()
    rgb = Image.frombuffer("RGBA", fig.canvas.get_width_height(),
                           fig.canvas.buffer_rgba()).convert("RGB")
    plt.close(fig)
    plain = io.BytesIO()
    rgb.save(plain, format="png")
    small = palette_png(rgb)
    back = Image.open(io.BytesIO(small))
    assert back.mode == "P"
    assert back.size == rgb.size
    diff = np.abs(np.asarray(back.convert("RGB"), float) - np.asarray(rgb, float))
    assert np.all(np.asarray(back.convert("RGB"))[:3, :3] == 255)  # the background stays white
    assert diff.mean() < 1.0
    assert np.percentile(diff, 99) < 16  # out of 255
    assert len(small) < 0.6 * len(plain.getvalue())


def test_contour_labels_its_axes_with_the_parameters():
    fig, ax = plt.subplots()
    contour(Quadratic.with_condition(4.0), ax=ax, n=20)
    assert (ax.get_xlabel(), ax.get_ylabel()) == (r"$\theta_1$", r"$\theta_2$")
    plt.close(fig)
