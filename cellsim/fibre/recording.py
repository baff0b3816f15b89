"""What a fibre run keeps besides its time series: snapshots of particles and sites.

The snapshots feed the animations (``cellsim animate``), which never re-run a model.
"""

from __future__ import annotations

import numpy as np

from cellsim.fibre.model import OBSERVABLES, FibreModel
from cellsim.fibre.state import CA, FREE, MG, ON_ATP, PV, SERCA, TN_REG


class SnapshotRecorder:
    """Keeps compact snapshots of particles and sites for animations.

    Free Ca ions are stored in full (they are few and they are the story); Mg
    ions, parvalbumin sites and pumps are a fixed sample of rows, so each
    frame shows the same individuals (``mg_state``: 0 free, 1 on a site, 3 on ATP;
    ions on ATP are not drawn).
    """

    def __init__(self, model: FibreModel, every_ms: float, sample: int = 1500):
        self.every_steps = max(1, round(every_ms / model.settings.dt_ms)) if every_ms else 0
        self.next_step = 0
        s = model.state
        # Mg ions free or on sites at the start (not in the Mg-ATP pool, which has no
        # position), evenly spaced over their rows: rows start bound-first, so a prefix
        # would show a sample that is mostly bound and then drifts free
        mg = np.flatnonzero((s.ion_species == MG) & (s.ion_state != ON_ATP))
        self.mg_rows = mg[np.linspace(0, len(mg) - 1, min(sample, len(mg))).astype(np.int64)]
        lo, hi = int(s.type_start[PV]), int(s.type_start[PV + 1])
        self.pv_rows = np.arange(lo, min(hi, lo + sample))
        self.reg_rows = np.arange(int(s.type_start[TN_REG]), int(s.type_start[TN_REG + 1]))
        lo, hi = int(s.type_start[SERCA]), int(s.type_start[SERCA + 1])
        self.serca_rows = np.arange(lo, min(hi, lo + 2 * (sample // 2)))
        self.frames: list[dict] = []

    def __call__(self, model: FibreModel) -> None:
        if not self.every_steps or model.step_index < self.next_step:
            return
        self.next_step = model.step_index + self.every_steps
        s = model.state
        free_ca = np.flatnonzero((s.ion_species == CA) & (s.ion_state == FREE))
        self.frames.append(
            {
                "time_ms": model.time_ms,
                "ca": np.column_stack(
                    [s.ion_x[free_ca], s.ion_y[free_ca], s.ion_z[free_ca]]
                ).astype(np.float32),
                "mg": np.column_stack(
                    [s.ion_x[self.mg_rows], s.ion_y[self.mg_rows], s.ion_z[self.mg_rows]]
                ).astype(np.float32),
                "mg_state": s.ion_state[self.mg_rows].copy(),
                "pv": np.column_stack(
                    [s.site_x[self.pv_rows], s.site_y[self.pv_rows], s.site_z[self.pv_rows]]
                ).astype(np.float32),
                "pv_species": s.site_species[self.pv_rows].copy(),
                "reg_species": s.site_species[self.reg_rows].copy(),
                "serca_species": s.site_species[self.serca_rows].copy(),
                "ryr_open": s.ryr_open.copy(),
                "force": float(model._obs[OBSERVABLES.index("force_fraction")]),
                "sl": float(s.sarcomere[0]),
            }
        )

    def arrays(self, model: FibreModel) -> dict[str, np.ndarray]:
        if not self.frames:
            return {}
        s = model.state
        f = self.frames
        counts = [len(fr["ca"]) for fr in f]
        geo = s.geometry
        return {
            "time_ms": np.array([fr["time_ms"] for fr in f]),
            "box_um": np.array([geo.lx_um, geo.ly_um, geo.lz_um]),
            "ca_xyz_um": np.concatenate([fr["ca"] for fr in f]),
            "ca_offsets": np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            "mg_xyz_um": np.stack([fr["mg"] for fr in f]),
            "mg_state": np.stack([fr["mg_state"] for fr in f]),
            "pv_xyz_um": np.stack([fr["pv"] for fr in f]),
            "pv_species": np.stack([fr["pv_species"] for fr in f]),
            "reg_xyz_um": np.column_stack(
                [s.site_x[self.reg_rows], s.site_y[self.reg_rows], s.site_z[self.reg_rows]]
            ).astype(np.float32),
            "reg_species": np.stack([fr["reg_species"] for fr in f]),
            "serca_xyz_um": np.column_stack(
                [s.site_x[self.serca_rows], s.site_y[self.serca_rows], s.site_z[self.serca_rows]]
            ).astype(np.float32),
            "serca_species": np.stack([fr["serca_species"] for fr in f]),
            "ryr_yz_um": np.column_stack([s.ryr_y, s.ryr_z]).astype(np.float32),
            "ryr_open": np.stack([fr["ryr_open"] for fr in f]),
            "force_fraction": np.array([fr["force"] for fr in f]),
            "sarcomere_length_um": np.array([fr["sl"] for fr in f]),
        }
