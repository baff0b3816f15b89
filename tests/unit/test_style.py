"""The classroom style: font sizes, the legibility measure, and the figures that use it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cellsim.render import style


def test_every_font_of_the_style_is_at_least_14_pt():
    rc = style.rc()
    fonts = ("font.size", "titlesize", "labelsize", "legend.fontsize", "title_fontsize")
    sizes = {k: v for k, v in rc.items() if k.endswith(fonts)}
    assert len(sizes) >= 8
    assert sizes and min(sizes.values()) >= style.MIN_FONT_PT, sizes
    assert style.NOTE_PT >= style.MIN_FONT_PT
    # 1920 x 1080 px: 16 x 9 in at 120 dpi
    w, h = rc["figure.figsize"]
    assert (round(w * rc["figure.dpi"]), round(h * rc["figure.dpi"])) == (1920, 1080)


def test_projector_layout_is_4_to_3_with_the_same_type_height():
    w, h = style.canvas_in("projector")
    assert w / h == pytest.approx(1024 / 768)
    assert h == pytest.approx(style.canvas_in()[1])
    with pytest.raises(ValueError, match="unknown screen"):
        style.canvas_in("cinema")


def test_legibility_measure_scales_with_figure_size():
    with style.classroom():
        fig, ax = plt.subplots()
        ax.set_title("title")
    assert style.smallest_font_pt(fig) == pytest.approx(style.TICK_PT)
    assert style.too_small(fig) == []
    ax.text(0.5, 0.5, "tiny note", fontsize=8)
    assert any("tiny note" in t for t in style.too_small(fig))
    plt.close(fig)
    # half the size: 8 pt text fills a 1080p screen as 16 pt would
    small, ax = plt.subplots(figsize=(8, 4.5))
    ax.text(0.5, 0.5, "scaled", fontsize=8)
    assert style.screen_scale(small) == pytest.approx(2.0)
    assert "scaled" not in " ".join(style.too_small(small))
    plt.close(small)


def test_takeaway_fits_the_width_by_shrinking_then_wrapping():
    with style.classroom():
        fig = plt.figure()
        label = style.takeaway(fig, "word " * 200)
    assert label.get_fontsize() == style.MIN_FONT_PT
    assert "\n" in label.get_text()
    width = label.get_window_extent(fig.canvas.get_renderer()).width
    assert width <= fig.bbox.width
    plt.close(fig)


def test_log_axis_labels_the_sweep_values_without_minor_labels():
    fig, ax = plt.subplots()
    values = [0.1, 0.163, 0.265, 0.43, 0.7, 1.14, 1.85, 3.0]
    ax.plot(values, values)
    style.tidy_log_axis(ax, values)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels == ["0.1", "0.163", "0.265", "0.43", "0.7", "1.14", "1.85", "3"]
    assert not [t for t in ax.get_xticklabels(minor=True) if t.get_text()]
    plt.close(fig)


def _fibre_like(clamp=False):
    t = np.arange(0.0, 100.0, 0.5)
    force = np.clip((t - 5) / 10, 0, 1) * np.exp(-np.clip(t - 20, 0, None) / 30) * 1.02
    ts = {
        "time_ms": t,
        "ca_free_uM": 10 * np.exp(-np.abs(t - 10) / 3),
        "tn_reg_ca_fraction": force * 0.8,
        "tn_reg_mg_fraction": 0.2 - force * 0.15,
        "pv_ca_fraction": 0 * t,
        "pv_mg_fraction": 0 * t,
        "force_fraction": force,
        "sarcomere_length_um": 2.5 - 0.2 * force,
    }
    summary = {
        "title": "twitch: human, free Mg 0.5 mM",
        "peak_force_fraction": 1.02,
        "half_relaxation_ms": 21.0,
        "residual_force_fraction": 0.05,
        "cramp": False,
        "mg_free_mM": 0.5,
        "stimulus_times_ms": [5.0],
    }
    if clamp:
        summary.update(pca=[7.0, 6.0, 5.5, 5.0], steady_force_fraction=[0.0, 0.3, 0.8, 0.95],
                       fmax=0.96, pca50=5.9, hill_n=3.5)  # fmt: skip

    class Out:
        timeseries, events = ts, {"stimulus_times_ms": np.array([5.0])}

    Out.summary = summary
    return Out


def test_fibre_figure_is_legible_with_stimulus_percent_force_and_takeaway():
    from cellsim.fibre import plots

    fig = plots.figure(_fibre_like())
    assert style.too_small(fig) == []
    assert tuple(round(v) for v in fig.get_size_inches() * fig.dpi) == (1920, 1080)
    texts = [t for _, t in style.text_sizes(fig)]
    assert " stimulus" in texts
    assert "Peak force 102 % of maximum at free Mg 0.5 mM; relaxes to half in 21 ms" in texts
    assert "clipped at 105 %: peak 102 %" not in texts  # 102 % fits under the 105 % axis
    force_ax = fig.axes[2]
    assert force_ax.get_ylabel() == "force (% of maximum)"
    assert force_ax.get_ylim() == plots.FORCE_PERCENT_RANGE
    plt.close(fig)
    clamp = plots.figure(_fibre_like(clamp=True))
    assert style.too_small(clamp) == []
    assert any("pCa 5.90" in t for _, t in style.text_sizes(clamp))
    plt.close(clamp)


def test_nerve_figure_is_legible_with_takeaway():
    from cellsim.nerve import plots

    t = np.arange(0.0, 500.0, 0.1)

    class Out:  # the three attributes a figure reads
        pass

    Out.timeseries = {
        "time_ms": t,
        "v_mV": -65 + 0 * t,
        "quanta_total": np.floor(t / 100),
        "terminal_v_mV": -65 + 0 * t,
        "epp_mV": 0 * t,
    }
    Out.events = {
        "spike_times_ms": np.array([100.0, 300.0]),
        "muscle_ap_times_ms": np.array([101.0]),
        "stimulus_onsets_ms": np.zeros(0),
    }
    Out.summary = {
        "title": "spasm: ionised Ca 0.7 mM, Mg 0.5 mM",
        "parts": ["axon", "junction"],
        "ca_o_mM": 0.7,
        "mg_o_mM": 0.5,
        "stimulus_pulses": 0,
        "spike_count": 2,
        "spontaneous_rate_hz": 4.0,
        "muscle_ap_count": 1,
    }

    fig = plots.figure(Out)
    assert style.too_small(fig) == []
    texts = [t for _, t in style.text_sizes(fig)]
    expected = "Ca 0.7 mM, Mg 0.5 mM: the axon fires 2 times by itself (4.0 Hz) and the muscle"
    assert f"{expected} 1 times: tetany" in texts
    plt.close(fig)


def test_report_figures_are_at_least_1200_px_wide():
    from cellsim.validation import figures

    w, _ = figures.FIGSIZE_IN
    assert w * figures.DPI >= 1200
    with plt.rc_context(figures.rc()):
        fig, ax = plt.subplots()
        figures.scalar(ax, {"value": 1.0, "label": "x (mM)", "accepted": (0.5, 1.5)})
        assert style.too_small(fig) == []
    plt.close(fig)


def test_sensible_limits_do_not_magnify_noise():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0.497, 0.503, 0.5])
    style.sensible_limits(ax, [0.497, 0.503, 0.5], least_span=0.1)
    lo, hi = ax.get_ylim()
    assert hi - lo >= 0.1 and lo < 0.45 and hi > 0.55
    style.sensible_limits(ax, [0.2, 0.9], least_span=0.1)  # a real change keeps its range
    lo, hi = ax.get_ylim()
    assert lo == pytest.approx(0.2 - 0.056) and hi == pytest.approx(0.9 + 0.056)
    plt.close(fig)


def test_fibre_takeaway_of_a_train_cut_off_by_the_end_of_the_run_has_no_nan():
    """A chain's hand-off ends shortly after its last muscle AP: no half-relaxation time."""
    from cellsim.fibre import plots

    summary = {"peak_force_fraction": 0.32, "half_relaxation_ms": None, "cramp": False,
               "stimulus_count": 10, "mg_free_mM": 0.418914}  # fmt: skip
    text = plots.takeaway(summary)
    assert "nan" not in text
    assert text == (
        "Peak force 32 % of maximum at free Mg 0.419 mM over 10 stimuli; "
        "the run ends before force falls to half of its peak"
    )
