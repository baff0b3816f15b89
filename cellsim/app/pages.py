"""The app's pages (Solara): Fibre, Nerve, Body, and Scenarios & results.

Served by ``cellsim app`` (``solara run cellsim.app.pages``).  State lives in module-level
``solara.reactive`` values and ``solara.lab.task`` tasks, which Solara keeps **per browser
session** (one value per kernel), so every student has their own runs; nothing here holds
a model or a result at module level.  Runs go through ``cellsim.run`` in a worker thread
(the page stays live), pictures come from :mod:`cellsim.app.frames`, text is HTML.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import datetime
from pathlib import Path

import ipywidgets
import solara
import solara.lab

from cellsim.app import frames as F
from cellsim.app import notes
from cellsim.app import runs as R
from cellsim.errors import CellsimError

#: Where results are saved and opened (``cellsim app --results``).
RESULTS_ROOT = Path(os.environ.get("CELLSIM_APP_RESULTS", "results"))
#: Milliseconds between playback frames (a frame costs ~20-40 ms to draw).
FRAME_MS = 150
#: The playback clock counts in steps of 0.1 simulated ms.
TICKS_PER_MS = 10

# ------------------------------------------------------------------ per-session state
fibre_settings = solara.reactive(R.FibreSettings())
fibre_current = solara.reactive(None)
fibre_pinned = solara.reactive(None)
compare_mode = solara.reactive("beside")
nerve_settings = solara.reactive(R.NerveSettings())
nerve_current = solara.reactive(None)
nerve_previous = solara.reactive(None)
body_settings = solara.reactive(R.BodySettings())
body_current = solara.reactive(None)
scenario_choice = solara.reactive("twitch")
scenario_current = solara.reactive(None)


def _start_warm_up() -> None:
    """Load the kernels in the background once per server, so the first click is warm.

    Modules are imported here, before the thread starts: a first page rendered while a
    thread imports pandas could see it half-initialised (and fail to render).
    """
    if getattr(_start_warm_up, "started", False):
        return
    _start_warm_up.started = True
    import pandas  # noqa: F401  (Solara's renderer asks for pandas.DataFrame)

    from cellsim import scales

    for name in scales.names():
        scales.get(name)  # the scales' modules (kernels compile or load later, on first use)
    threading.Thread(target=R.warm_up, name="cellsim-warm-up", daemon=True).start()


_start_warm_up()


@solara.lab.task(prefer_threaded=True)
def fibre_task(settings: R.FibreSettings) -> R.AppRun:
    result = R.run(R.fibre_scenario(settings), settings.label())
    fibre_current.set(result)
    return result


@solara.lab.task(prefer_threaded=True)
def nerve_task(settings: R.NerveSettings) -> R.AppRun:
    result = R.run(R.nerve_scenario(settings), settings.label())
    nerve_previous.set(nerve_current.value)
    nerve_current.set(result)
    return result


@solara.lab.task(prefer_threaded=True)
def body_task(settings: R.BodySettings) -> R.AppRun:
    result = R.run(R.body_scenario(settings), settings.label())
    body_current.set(result)
    return result


@solara.lab.task(prefer_threaded=True)
def scenario_task(name: str) -> R.AppRun:
    result = R.open_scenario(name)
    scenario_current.set(result)
    return result


# ------------------------------------------------------------------ shared pieces


def _html(text: str, classes=()) -> None:
    solara.HTML(
        tag="div",
        unsafe_innerHTML=text,
        classes=list(classes),
        style="font-size: 0.92em; line-height: 1.4",
    )


@solara.component
def About(page: str, scale: str | None = None):
    """The page's paragraph on what is mechanistic, illustrative and a hypothesis."""
    _html(notes.paragraph(page), classes=["about"])
    full = notes.model_notes(scale) if scale else None
    if full:
        with solara.Details(f"model notes (docs/{scale}.md)"):
            _html(full)


@solara.component
def RunStatus(task, current: R.AppRun | None, what: str = "Run"):
    if task.pending:
        solara.Text("running…", classes=["run-status"])
    elif task.error:
        solara.Error(f"The run failed: {task.exception}")
    elif current is not None and current.wall_s:
        solara.Text(
            f"last run: {current.wall_s:.1f} s ({current.cpu_s:.1f} s CPU)",
            classes=["run-info"],
        )


@solara.component
def Player(player: F.Player | None, start_ms: float | None = None, name: str = "player"):
    """A figure with a time cursor: Play / Pause / Stop, Step, Reset and the speed.

    The clock runs in the browser (an ipywidgets ``Play``: every ``FRAME_MS`` it moves
    simulated time on by speed x FRAME_MS); each tick reaches the server like a slider
    move and draws that frame.  Give each new player a new ``key`` (see
    :func:`PlayerFor`): its state starts at ``start_ms`` (default: the start).
    """
    lo, hi = player.window if player is not None else (0.0, 1.0)
    first = min(max(start_ms, lo), hi) if start_ms is not None else lo
    t = solara.use_reactive(first)
    speed = solara.use_reactive(20.0)  # simulated ms per second
    # where the browser's clock starts; a jump (Step, Reset) makes a new
    # clock there.  Between jumps the browser owns the clock: the server never sends its
    # (older) time back, which would pull the clock back while it plays.
    anchor = solara.use_reactive((first, 0))
    png = solara.use_memo(
        lambda: player.png(t.value) if player is not None else None, [player, t.value]
    )
    ticks = TICKS_PER_MS

    def make_clock():
        # a plain widget, not one reacton reconciles: reacton would send its (older)
        # value back at every render, pulling the browser's clock back while it plays
        clock = ipywidgets.Play(
            value=round(anchor.value[0] * ticks),
            min=round(lo * ticks),
            max=round(hi * ticks),
            interval=FRAME_MS,
            show_repeat=False,
        )
        clock.observe(lambda change: t.set(change["new"] / ticks), "value")
        return clock

    clock = solara.use_memo(make_clock, [player, anchor.value])

    def follow_speed():
        clock.step = max(1, round(speed.value * FRAME_MS / 1000 * ticks))

    def close_clock():
        def close():
            clock.unobserve_all()
            clock.close()  # stops its timer in the browser too

        return close

    solara.use_effect(follow_speed, [clock, speed.value])
    solara.use_effect(close_clock, [clock])
    if player is None:
        return

    def jump(to_ms: float) -> None:
        to_ms = min(max(to_ms, lo), hi)
        t.set(to_ms)
        anchor.set((to_ms, anchor.value[1] + 1))

    with solara.Column(gap="0px", classes=[name]):
        with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.display(clock)
            solara.Button(
                "Step",
                icon_name="mdi-step-forward",
                outlined=True,
                on_click=lambda: jump(player.next_time(t.value)),
            )
            solara.Button(
                "Reset", icon_name="mdi-skip-previous", outlined=True, on_click=lambda: jump(lo)
            )
            solara.Text(
                f"t = {t.value:.1f} ms",
                classes=["sim-time"],
                style={"font-family": "monospace", "min-width": "7em"},
            )
        Slider(
            "speed (simulated ms per second)",
            speed.value,
            min=2.0,
            max=100.0,
            step=2.0,
            on_value=speed.set,
        )
        solara.Image(png, classes=["figure"])


def PlayerFor(player: F.Player | None, start_ms: float | None = None, name: str = "player"):
    """A :func:`Player` that starts afresh (at ``start_ms``) for each new player."""
    return Player(player, start_ms, name).key(f"{name}-{getattr(player, 'serial', None)}")


def Slider(label: str, value: float, **kwargs) -> None:
    """A slider whose label shows its value ("Free Mg (mM): 0.5")."""
    solara.SliderFloat(f"{label}: {value:g}", value=value, thumb_label=False, **kwargs)


def IntSlider(label: str, value: int, **kwargs) -> None:
    """An integer slider whose label shows its value."""
    solara.SliderInt(f"{label}: {value}", value=value, thumb_label=False, **kwargs)


@solara.component
def Figure(png: bytes | None, name: str = "figure"):
    if png is not None:
        solara.Image(png, classes=["figure", name])


@solara.component
def SummaryLine(result: R.AppRun | None, keys: tuple[str, ...]):
    if result is None:
        return
    parts = []
    for key in keys:
        value = result.output.summary.get(key)
        if value is None or isinstance(value, dict | list):
            continue
        shown = f"{value:.3g}" if isinstance(value, float) else str(value)
        parts.append(f"{key.replace('_', ' ')}: <b>{shown}</b>")
    _html(f"{result.label} — " + "; ".join(parts), classes=["summary"])


@solara.component
def SaveOpen(current: solara.Reactive, prefix: str):
    """Save the result on screen as a results folder; reopen one from the results folder."""
    name = solara.use_reactive("")
    message = solara.use_reactive("")
    chosen = solara.use_reactive(None)
    refresh = solara.use_reactive(0)
    folders = solara.use_memo(lambda: R.results_folders(RESULTS_ROOT), [refresh.value])

    def save():
        result = current.value
        if result is None:
            message.set("Nothing to save yet: run first.")
            return
        target = name.value or f"{prefix}-{datetime.now():%Y%m%d-%H%M%S}"
        try:
            path = R.save(result, RESULTS_ROOT, target)
        except CellsimError as err:
            message.set(str(err))
            return
        message.set(f"saved: {path}")
        refresh.set(refresh.value + 1)

    def open_folder():
        if not chosen.value:
            message.set("Choose a results folder to open.")
            return
        try:
            current.set(R.open_results(RESULTS_ROOT, chosen.value))
        except CellsimError as err:
            message.set(str(err))
            return
        message.set(f"opened: {RESULTS_ROOT / chosen.value}")

    with solara.Details("save or open a results folder"), solara.Column(gap="4px"):
        solara.InputText(
            f"name of a new folder in {RESULTS_ROOT}/",
            value=name,
            placeholder=f"{prefix}-<date>-<time>",
        )
        solara.Button(
            "Save results folder",
            icon_name="mdi-content-save",
            outlined=True,
            on_click=save,
            disabled=current.value is None,
        )
        solara.Select("results folder", values=folders, value=chosen)
        with solara.Row():
            solara.Button("Open", icon_name="mdi-folder-open", outlined=True, on_click=open_folder)
            solara.Button(
                "Refresh list", text=True, on_click=lambda: refresh.set(refresh.value + 1)
            )
        if message.value:
            solara.Text(message.value, classes=["save-message"])


@solara.component
def ResultView(result: R.AppRun | None, panels=None):
    """Any result: the fibre view if it has one, else its overview; then its hand-offs."""

    def make():
        if result is None or not F.has_fibre_view(result.output):
            return None
        return F.FibrePlayer([(result.output, result.label)], result.name, panels)

    player = solara.use_memo(make, [result])
    overview = solara.use_memo(
        lambda: (
            F.overview_png(result.output, result.figure_png)
            if result is not None and player is None
            else None
        ),
        [result],
    )
    if result is None:
        return
    if player is not None:
        PlayerFor(player, F.peak_force_time(result.output))
    else:
        Figure(overview, "overview")
    for label, child in result.output.children.items():
        with solara.Details(f"hand-off: {label}", expand=True):
            ChildView(result, label, child)


@solara.component
def ChildView(parent: R.AppRun, label: str, child):
    """A run made at a hand-off of ``parent`` (a sub-folder of its results folder)."""
    child_run = solara.use_memo(lambda: R.AppRun(label, child, {}, label), [parent, label])
    ResultView(child_run)


# ------------------------------------------------------------------ pages


def _placeholder(text: str) -> bytes:
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(6.4, 2.0), dpi=F.DPI)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="0.35")
    return F.figure_png(fig)


@solara.component
def FibrePage():
    s = fibre_settings.value
    current, pinned = fibre_current.value, fibre_pinned.value
    sets = R.fibre_parameter_sets()

    def update(**changes):
        fibre_settings.set(dataclasses.replace(fibre_settings.value, **changes))

    def value(key):
        v = getattr(s, key)
        return v if v is not None else R.fibre_default(s.parameter_set, key)

    solara.Title("cellsim: fibre")
    with solara.Columns([1, 3]):
        with solara.Column(gap="6px"):
            solara.Select(
                "parameter set",
                values=sets,
                value=s.parameter_set,
                on_value=lambda v: fibre_settings.set(
                    R.FibreSettings(
                        parameter_set=v, stimulus=s.stimulus, duration_ms=s.duration_ms, seed=s.seed
                    )
                ),
            )
            Slider(
                "Free Mg (mM)",
                value("mg_free_mM"),
                min=0.05,
                max=3.0,
                step=0.05,
                on_value=lambda v: update(mg_free_mM=v),
            )
            Slider(
                "Free SR Ca at rest (µM)",
                value("ca_sr_free_rest_uM"),
                min=300.0,
                max=3000.0,
                step=100.0,
                on_value=lambda v: update(ca_sr_free_rest_uM=v),
            )
            Slider(
                "SERCA pumps (µM)",
                value("serca_uM"),
                min=20.0,
                max=400.0,
                step=10.0,
                on_value=lambda v: update(serca_uM=v),
            )
            Slider(
                "parvalbumin sites (µM)",
                value("pv_sites_uM"),
                min=0.0,
                max=2000.0,
                step=100.0,
                on_value=lambda v: update(pv_sites_uM=v),
            )
            solara.Text("stimulus")
            solara.ToggleButtonsSingle(
                value=s.stimulus,
                values=["single", "doublet", "train"],
                on_value=lambda v: update(stimulus=v),
            )
            if s.stimulus == "doublet":
                Slider(
                    "second stimulus after (ms)",
                    s.doublet_interval_ms,
                    min=2.0,
                    max=50.0,
                    step=1.0,
                    on_value=lambda v: update(doublet_interval_ms=v),
                )
            if s.stimulus == "train":
                Slider(
                    "train frequency (Hz)",
                    s.train_frequency_hz,
                    min=5.0,
                    max=150.0,
                    step=5.0,
                    on_value=lambda v: update(train_frequency_hz=v),
                )
            Slider(
                "duration (ms)",
                s.duration_ms,
                min=20.0,
                max=300.0,
                step=10.0,
                on_value=lambda v: update(duration_ms=v),
            )
            solara.InputInt("seed", value=s.seed, on_value=lambda v: update(seed=int(v or 0)))
            solara.Text(f"selected: {s.label()}", classes=["fibre-echo"])
            solara.Button(
                "Run",
                icon_name="mdi-play-circle",
                color="primary",
                disabled=fibre_task.pending,
                on_click=lambda: fibre_task(fibre_settings.value),
            )
            RunStatus(fibre_task, current)
            with solara.Row(gap="4px", style={"align-items": "center"}):
                solara.Button(
                    "Pin for comparison",
                    icon_name="mdi-pin",
                    outlined=True,
                    disabled=current is None,
                    on_click=lambda: fibre_pinned.set(fibre_current.value),
                )
                if pinned is not None:
                    solara.Button("Unpin", text=True, on_click=lambda: fibre_pinned.set(None))
            if pinned is not None:
                solara.Text(f"pinned: {pinned.label}", classes=["pinned"])
                solara.ToggleButtonsSingle(value=compare_mode, values=["beside", "over"])
            SaveOpen(fibre_current, "fibre")
        with solara.Column(gap="6px"):
            About("fibre", "fibre")
            FibreView(current, pinned, compare_mode.value)
            SummaryLine(
                current,
                (
                    "peak_delta_ca_uM",
                    "peak_force_fraction",
                    "time_to_peak_force_ms",
                    "half_relaxation_ms",
                    "residual_force_fraction",
                    "cramp",
                ),
            )


@solara.component
def FibreView(current: R.AppRun | None, pinned: R.AppRun | None, mode: str):
    def make():
        if current is None or not F.has_fibre_view(current.output):
            return None
        if pinned is None or pinned is current or not F.has_fibre_view(pinned.output):
            return F.FibrePlayer(
                [(current.output, current.label)],
                current.output.summary.get("title") or current.label,
            )
        runs = [(pinned.output, f"pinned: {pinned.label}"), (current.output, current.label)]
        if mode == "over":
            return F.OverlayPlayer(runs[1], runs[0], "pinned and current run")
        return F.FibrePlayer(runs, "pinned (left) and current run (right)")

    player = solara.use_memo(make, [current, pinned, mode])
    placeholder = solara.use_memo(lambda: _placeholder("press Run to simulate a twitch"), [])
    if player is not None:
        PlayerFor(player, F.peak_force_time(current.output), "fibre-player")
    elif current is not None:
        ResultView(current)
    else:
        Figure(placeholder, "placeholder")


@solara.component
def NervePage():
    s = nerve_settings.value
    current, previous = nerve_current.value, nerve_previous.value

    def update(**changes):
        nerve_settings.set(dataclasses.replace(nerve_settings.value, **changes))

    solara.Title("cellsim: nerve")
    with solara.Columns([1, 3]):
        with solara.Column(gap="6px"):
            Slider(
                "ionised Ca outside (mM)",
                s.ca_ionised_mM,
                min=0.4,
                max=2.0,
                step=0.05,
                on_value=lambda v: update(ca_ionised_mM=v),
            )
            Slider(
                "ionised Mg outside (mM)",
                s.mg_ionised_mM,
                min=0.1,
                max=5.0,
                step=0.1,
                on_value=lambda v: update(mg_ionised_mM=v),
            )
            Slider(
                "voluntary drive (Hz, 0 = none)",
                s.drive_hz,
                min=0.0,
                max=50.0,
                step=5.0,
                on_value=lambda v: update(drive_hz=v),
            )
            Slider(
                "duration (ms)",
                s.duration_ms,
                min=200.0,
                max=2000.0,
                step=100.0,
                on_value=lambda v: update(duration_ms=v),
            )
            solara.InputInt("seed", value=s.seed, on_value=lambda v: update(seed=int(v or 0)))
            solara.Text(
                "normal ionised Ca 1.1–1.3 mM, Mg 0.5–0.6 mM; tetany below ~0.9 mM Ca",
                style={"font-size": "0.85em", "color": "#555"},
            )
            solara.Button(
                "Run",
                icon_name="mdi-play-circle",
                color="primary",
                disabled=nerve_task.pending,
                on_click=lambda: nerve_task(nerve_settings.value),
            )
            RunStatus(nerve_task, current)
            if previous is not None:
                SummaryLine(
                    previous, ("spontaneous_rate_hz", "muscle_ap_count", "peak_force_fraction")
                )
            SaveOpen(nerve_current, "nerve")
        with solara.Column(gap="6px"):
            About("nerve", "nerve")
            NerveView(current)


@solara.component
def NerveView(current: R.AppRun | None):
    figure = solara.use_memo(
        lambda: (
            F.figure_png(F.nerve_figure(current.output))
            if current is not None and "time_ms" in current.output.timeseries
            else None
        ),
        [current],
    )
    placeholder = solara.use_memo(lambda: _placeholder("press Run to simulate the nerve"), [])
    if current is None:
        Figure(placeholder, "placeholder")
        return
    SummaryLine(
        current,
        (
            "spontaneous_rate_hz",
            "spike_count",
            "muscle_ap_count",
            "release_quanta_mean",
            "peak_force_fraction",
        ),
    )
    Figure(figure, "nerve-figure")
    if F.has_fibre_view(current.output):
        with solara.Details("the muscle fibre it drives (play it)", expand=False):
            ResultView(current, panels=("fibre", "sarcomere", "force", "spikes"))


@solara.component
def DoseRow(index: int, dose: R.Dose, options: dict):
    def change(**changes):
        doses = list(body_settings.value.doses)
        doses[index] = dataclasses.replace(doses[index], **changes)
        body_settings.set(dataclasses.replace(body_settings.value, doses=tuple(doses)))

    def remove():
        doses = list(body_settings.value.doses)
        del doses[index]
        body_settings.set(dataclasses.replace(body_settings.value, doses=tuple(doses)))

    with solara.Row(gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText(
            "time", value=dose.time, on_value=lambda v: change(time=v), style={"max-width": "5em"}
        )
        solara.InputFloat(
            "Ca (mg)",
            value=dose.ca_mg,
            on_value=lambda v: change(ca_mg=v or 0.0),
            style={"max-width": "6em"},
        )
        solara.InputFloat(
            "Mg (mg)",
            value=dose.mg_mg,
            on_value=lambda v: change(mg_mg=v or 0.0),
            style={"max-width": "6em"},
        )
        solara.Checkbox(
            label="with food", value=dose.with_food, on_value=lambda v: change(with_food=v)
        )
        extra = dict(dose.extra)
        for key, spec in options.items():
            solara.Select(
                key.replace("_", " "),
                values=list(spec.choices),
                value=extra.get(key, spec.default),
                on_value=lambda v, key=key: change(
                    extra=tuple({**dict(dose.extra), key: v}.items())
                ),
            )
        solara.Button(icon_name="mdi-delete", text=True, on_click=remove)


@solara.component
def BodyPage():
    s = body_settings.value
    current = body_current.value
    options = solara.use_memo(R.dose_options, [])

    def update(**changes):
        body_settings.set(dataclasses.replace(body_settings.value, **changes))

    solara.Title("cellsim: body")
    with solara.Columns([1, 2]):
        with solara.Column(gap="6px"):
            IntSlider("days", s.days, min=1, max=28, on_value=lambda v: update(days=v))
            Slider(
                "diet Ca (mg/day)",
                s.diet_ca_mg_per_day,
                min=200.0,
                max=2500.0,
                step=50.0,
                on_value=lambda v: update(diet_ca_mg_per_day=v),
            )
            Slider(
                "diet Mg (mg/day)",
                s.diet_mg_mg_per_day,
                min=30.0,
                max=800.0,
                step=10.0,
                on_value=lambda v: update(diet_mg_mg_per_day=v),
            )
            solara.Text("supplements (elemental mg, every day)")
            for i, dose in enumerate(s.doses):
                DoseRow(i, dose, options)
            solara.Button(
                "add a dose",
                icon_name="mdi-plus",
                text=True,
                on_click=lambda: update(doses=(*s.doses, R.Dose())),
            )
            solara.InputText(
                "hand-off on the last day at",
                value=s.handoff_time,
                on_value=lambda v: update(handoff_time=v),
            )
            solara.Checkbox(
                label="then a twitch", value=s.twitch, on_value=lambda v: update(twitch=v)
            )
            solara.Checkbox(
                label="and a check of the motor axon for spontaneous firing",
                value=s.nerve_check,
                on_value=lambda v: update(nerve_check=v),
            )
            solara.Button(
                "Run",
                icon_name="mdi-play-circle",
                color="primary",
                disabled=body_task.pending,
                on_click=lambda: body_task(body_settings.value),
            )
            RunStatus(body_task, current)
            SaveOpen(body_current, "body")
        with solara.Column(gap="6px"):
            About("body", "body")
            BodyView(current)


@solara.component
def BodyView(current: R.AppRun | None):
    placeholder = solara.use_memo(lambda: _placeholder("press Run to simulate the days"), [])
    overview = solara.use_memo(
        lambda: F.overview_png(current.output, current.figure_png) if current else None,
        [current],
    )
    twitch = solara.use_memo(lambda: _twitch_png(current), [current])
    child = solara.use_memo(
        lambda: (lambda c: R.AppRun(c[0], c[1], {}, c[0]) if c else None)(
            F.fibre_child(current.output) if current else None
        ),
        [current],
    )
    if current is None:
        Figure(placeholder, "placeholder")
        return
    SummaryLine(current, ("plasma_ica_mM", "plasma_mg_mM", "mg_icf_free_mM"))
    Figure(overview, "body-figure")
    handoffs = current.output.summary.get("handoffs") or {}
    for label, record in handoffs.items():
        shown = {k: v for k, v in record.items() if isinstance(v, int | float)}
        _html(
            f"<b>{label}</b>: "
            + ", ".join(f"{k.replace('_', ' ')} {v:.3g}" for k, v in shown.items())
        )
    Figure(twitch, "twitch-figure")
    if child is not None:
        with solara.Details(f"play the twitch ({child.label})", expand=False):
            ResultView(child)


def _twitch_png(current: R.AppRun | None) -> bytes | None:
    fig = F.body_twitch_figure(current.output.children) if current is not None else None
    return F.figure_png(fig) if fig is not None else None


@solara.component
def ScenariosPage():
    scenarios = solara.use_memo(R.bundled_scenarios, [])
    names = [name for name, _ in scenarios]
    described = dict(scenarios)
    name = scenario_choice.value
    current = scenario_current.value
    solara.Title("cellsim: scenarios")
    with solara.Columns([1, 3]):
        with solara.Column(gap="6px"):
            solara.Select("bundled scenario", values=names, value=scenario_choice)
            solara.Text(described.get(name, ""), style={"font-size": "0.9em"})
            solara.Button(
                "Open and run",
                icon_name="mdi-play-circle",
                color="primary",
                disabled=scenario_task.pending or not name,
                on_click=lambda: scenario_task(scenario_choice.value),
            )
            RunStatus(scenario_task, current)
            SaveOpen(scenario_current, "scenario")
        with solara.Column(gap="6px"):
            About("scenarios")
            if name:
                solara.HTML(
                    tag="pre",
                    unsafe_innerHTML=_escape(R.scenario_notes(name)),
                    style="white-space: pre-wrap; font-size: 0.85em; "
                    "background: #f6f6f6; padding: 8px",
                )
            if current is not None:
                solara.Text(f"on screen: {current.label}", classes=["scenario-on-screen"])
                ResultView(current)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


@solara.component
def Layout(children=[]):  # noqa: B006 (Solara's signature for a layout)
    """The app bar with one tab per page (named by the routes' labels)."""
    router = solara.use_router()
    route, all_routes = solara.use_route()
    index = all_routes.index(route) if route in all_routes else 0

    def go(i: int) -> None:
        path = all_routes[i].path
        router.push("/" if path == "/" else f"/{path}")

    with (
        solara.AppLayout(title="cellsim", children=children),
        solara.AppBar(),
        solara.lab.Tabs(value=index, on_value=go, align="center"),
    ):
        for r in all_routes:
            solara.lab.Tab(r.label)


routes = [
    solara.Route(path="/", component=FibrePage, label="Fibre", layout=Layout),
    solara.Route(path="nerve", component=NervePage, label="Nerve"),
    solara.Route(path="body", component=BodyPage, label="Body"),
    solara.Route(path="scenarios", component=ScenariosPage, label="Scenarios & results"),
]
