"""curves_figure labels its x axis "step" for a step-evaluated history, "epoch" otherwise."""

from __future__ import annotations

from deepmap.report.figures import curves_figure

HISTORY = {"train_loss": [3.0, 2.0], "val_loss": [3.1, 2.2], "steps": [200, 400]}


def test_x_axis_is_step_or_epoch():
    import matplotlib.pyplot as plt

    fig = curves_figure(HISTORY, "lm", by_steps=True)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "step"
    assert list(ax.lines[0].get_xdata()) == [200, 400]
    plt.close(fig)
    fig = curves_figure(HISTORY, "cnn")
    assert fig.axes[0].get_xlabel() == "epoch"
    assert list(fig.axes[0].lines[0].get_xdata()) == [1, 2]
    plt.close(fig)
    fig = curves_figure({"train_loss": [1.0], "val_loss": [1.0]}, "x", by_steps=True)
    assert fig.axes[0].get_xlabel() == "epoch"  # no steps recorded: epochs
    plt.close(fig)
