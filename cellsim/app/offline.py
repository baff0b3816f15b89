"""The app's browser assets, shipped with the package so a classroom needs no internet.

A Solara page loads its front end (the Vue/Vuetify application, RequireJS, Font Awesome)
from a CDN by default; with no network the page stays blank.  cellsim ships those files,
trimmed to what a ``--production`` page with ipyvue 1.x (Vue 2) loads, in
``cellsim/app/assets/cdn/`` (the CDN's own URL layout), with their licences in
``cellsim/app/assets/LICENSES/``.  :func:`environment` points Solara at them.

The versions are the ones Solara's page template asks for (``solara/server/templates/
solara.html.j2``): after upgrading solara, rebuild the folder from the npm registry with
``python -m cellsim.app.offline --fetch`` (needs ``npm``) and run the browser test, which
lists any missing file as a 404.

Components that load more from the CDN on demand are not used by the app:
``solara.Markdown`` (KaTeX and Mermaid, even for plain text), Altair (Vega), ECharts and
Mesa's ``SolaraViz`` grid (vue-grid-layout).  The app writes its text as HTML and draws
every figure with matplotlib.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from cellsim.errors import CellsimError

#: The folder served at ``/static/assets/`` (it holds ``cdn/``).
ASSETS = Path(__file__).resolve().parent / "assets"

#: npm packages Solara 1.64's page template loads with ipyvue < 2, and the files kept.
PACKAGES = {
    "@widgetti/solara-vuetify-app@10.1.1": ("package.json", "dist/"),
    "requirejs@2.3.6": ("package.json", "require.js"),
    "font-awesome@4.5.0": ("package.json", "css/font-awesome.min.css", "fonts/"),
}

#: Files the page cannot render without (checked before the server starts).
REQUIRED = (
    "cdn/@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "cdn/@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "cdn/@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "cdn/requirejs@2.3.6/require.js",
    "cdn/font-awesome@4.5.0/css/font-awesome.min.css",
)

# In dist/: ipywidgets 8 builds only (``…8.*``; the ``7`` ones are for the classic
# notebook), minified, no source maps, no development bundles.
_DIST_KEEP = re.compile(r"(\.min\.js|\.css|\.woff2?|\.ttf|\.eot|\.svg|LICENSE\.txt)$")
_DIST_DROP = re.compile(r"(\.map$|app7|main7)")


def missing(root: Path = ASSETS) -> list[str]:
    """Required asset files absent from ``root`` (empty when the app can start offline)."""
    return [rel for rel in REQUIRED if not (root / rel).is_file()]


def check(root: Path = ASSETS) -> None:
    """Raise a CellsimError saying how to restore the assets if any is missing."""
    gone = missing(root)
    if gone:
        raise CellsimError(
            f"the app's browser assets are missing from {root} (first: {gone[0]}); "
            "reinstall cellsim, or rebuild them with `python -m cellsim.app.offline "
            "--fetch` (needs npm and the npm registry)."
        )


def environment(root: Path = ASSETS) -> dict[str, str]:
    """Solara settings that serve every browser asset from ``root``, with no telemetry.

    These must be in ``os.environ`` before solara is imported.
    """
    return {
        # the page loads {cdn}/... from Solara's own static route, which serves `root`
        "SOLARA_ASSETS_PROXY": "false",
        "SOLARA_ASSETS_CDN": "/static/assets/cdn",
        "SOLARA_ASSETS_EXTRA_LOCATIONS": str(root),  # plural: the singular is ignored
        # no usage reports (they would also look up the machine's public address)
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_THEME_SHOW_BANNER": "false",
    }


def fetch(root: Path = ASSETS) -> Path:
    """Rebuild ``root/cdn`` from the npm registry (``npm pack``), trimmed.  For maintainers."""
    if shutil.which("npm") is None:
        raise CellsimError("fetching the app's assets needs npm (apt-get install npm).")
    cdn = root / "cdn"
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "cdn"
        for spec, keep in PACKAGES.items():
            source = _unpack(spec, Path(tmp))
            dest = staged / spec
            for rel in keep:
                if rel == "dist/":
                    _copy_dist(source / "dist", dest / "dist")
                elif rel.endswith("/"):
                    shutil.copytree(source / rel, dest / rel)
                else:
                    (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source / rel, dest / rel)
        if cdn.exists():
            shutil.rmtree(cdn)
        shutil.copytree(staged, cdn)
    check(root)
    return cdn


def _unpack(spec: str, tmp: Path) -> Path:
    name = subprocess.run(
        ["npm", "pack", "--silent", spec], cwd=tmp, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    out = tmp / re.sub(r"[@/]", "_", spec)
    with tarfile.open(tmp / name) as tar:
        tar.extractall(out, filter="data")
    return out / "package"


def _copy_dist(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    for f in sorted(source.iterdir()):
        if f.is_file() and _DIST_KEEP.search(f.name) and not _DIST_DROP.search(f.name):
            shutil.copy2(f, dest / f.name)


def _summary(root: Path) -> str:
    files = [p for p in (root / "cdn").rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files) / 1e6
    versions = {
        json.loads(p.read_text())["name"]: json.loads(p.read_text())["version"]
        for p in (root / "cdn").rglob("package.json")
    }
    return f"{len(files)} files, {size:.1f} MB: " + ", ".join(
        f"{k} {v}" for k, v in versions.items()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cellsim.app.offline", description=__doc__)
    parser.add_argument("--fetch", action="store_true", help="rebuild the folder (needs npm)")
    parser.add_argument("--root", type=Path, default=ASSETS)
    args = parser.parse_args(argv)
    if args.fetch:
        fetch(args.root)
    gone = missing(args.root)
    print(f"missing: {gone}" if gone else _summary(args.root))
    return 1 if gone else 0


if __name__ == "__main__":
    sys.exit(main())
