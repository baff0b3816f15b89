"""Plots and animations made from results folders only (never re-running a model).

``animate(paths, out, ...)`` renders one or more fibre runs, side by side and
time-synchronised, to an MP4 (H.264 through matplotlib's FFMpegWriter and the
ffmpeg binary shipped by imageio-ffmpeg), a GIF (matplotlib's PillowWriter) or
one PNG still.  Heavy imports (matplotlib) happen on first use, so the command
line can import this package cheaply.
"""

from __future__ import annotations

#: The panels an animation column can show, top to bottom.
PANEL_NAMES = ("fibre", "sarcomere", "calcium", "occupancy", "force", "spikes")

__all__ = ["animate", "render_still"]


def __getattr__(name):
    if name in __all__:
        from cellsim.render import animation

        return getattr(animation, name)
    raise AttributeError(f"module 'cellsim.render' has no attribute {name!r}")
