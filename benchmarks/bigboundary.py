"""A realistic 1,000,000-vertex boundary, generated deterministically.

The Loop's shipped outline, densified along its edges and moved across them by sub-metre
noise (a 0.3 m wave plus 5 cm of seeded random jitter, tapering to nothing at the corners).
Along each edge the outline stays a function of the distance along it, so it stays valid;
the noise keeps it from simplifying away to the original 52 vertices.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def densified_loop(vertices: int = 1_000_000, amplitude_m: float = 0.3, jitter_m: float = 0.05,
                   seed: int = 20261125) -> list[list[float]]:
    """The Loop's ring with ``vertices`` positions, closed, counter-clockwise."""
    import hetao
    loop = hetao.load(ROOT / "boundaries").feature("hong-kong-park").geometry
    ring = np.asarray(loop.exterior.coords, dtype=float)
    scale = np.array([111_320 * math.cos(math.radians(22.52)), 110_570])   # metres per degree
    local = ring * scale
    seg = np.diff(local, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    counts = np.maximum(1, np.round(lengths / lengths.sum() * (vertices - 1)).astype(int))
    counts[np.argmax(counts)] += (vertices - 1) - counts.sum()
    rng = np.random.default_rng(seed)
    parts = []
    for start, step, length, n in zip(local[:-1], seg, lengths, counts):
        s = np.arange(n) / n * length
        normal = np.array([-step[1], step[0]]) / length
        taper = np.clip(np.minimum(s, length - s) / 5.0, 0, 1)
        offset = taper * (amplitude_m * np.sin(2 * np.pi * s / 7.0) + rng.uniform(-jitter_m, jitter_m, n))
        parts.append(start + (s / length)[:, None] * step + offset[:, None] * normal)
    points = np.concatenate(parts) / scale
    points = np.vstack([points, points[:1]])
    return points.round(10).tolist()


def make_folder(target: Path, vertices: int = 1_000_000) -> Path:
    """A copy of the shipped boundaries with the Loop replaced by the densified one, as a
    plain geometry file (the Loop is otherwise built from its lines)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "boundaries", target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["features"] if e["id"] == "hong-kong-park")
    for key in ("bounded_by", "reconcile"):
        entry.pop(key, None)
    entry["geometry"] = "hong-kong-park.geojson"
    entry["provenance"]["positional_accuracy_m"] = 10
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    ring = densified_loop(vertices)
    data = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "hong-kong-park",
                                                       "properties": {}, "geometry": {"type": "Polygon",
                                                                                      "coordinates": [ring]}}]}
    (target / "hong-kong-park.geojson").write_text(json.dumps(data))
    return target


if __name__ == "__main__":
    import sys
    print(make_folder(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/hetao-1m")))
