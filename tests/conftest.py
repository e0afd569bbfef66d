"""Shared fixtures: copies of the shipped boundaries to break, and the CLI run as users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "boundaries"
HETAO = Path(sys.executable).parent / "hetao"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_hetao(*args: str, cwd: Path | None = None) -> Run:
    """Run the installed ``hetao`` console script, as a user would."""
    exe = str(HETAO) if HETAO.exists() else shutil.which("hetao")
    assert exe, "the hetao console script is not installed (pip install -e .)"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([exe, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


class Folder:
    """A writable copy of the shipped boundaries folder."""

    def __init__(self, path: Path):
        self.path = path
        shutil.copytree(SHIPPED, path)

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, data: dict) -> None:
        self.manifest_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def entry(self, data: dict, fid: str) -> dict:
        return next(f for f in data["features"] if f["id"] == fid)

    def edit_feature(self, fid: str, **changes) -> None:
        data = self.manifest()
        entry = self.entry(data, fid)
        for key, value in changes.items():
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = value
        self.write_manifest(data)

    def geometry(self, fid: str) -> dict:
        return json.loads((self.path / f"{fid}.geojson").read_text())

    def write_geometry(self, fid: str, data: object) -> None:
        text = data if isinstance(data, (str, bytes)) else json.dumps(data)
        target = self.path / f"{fid}.geojson"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    def set_coordinates(self, fid: str, coordinates: object, gtype: str | None = None) -> None:
        data = self.geometry(fid)
        geom = data["features"][0]["geometry"]
        geom["coordinates"] = coordinates
        if gtype:
            geom["type"] = gtype
        self.write_geometry(fid, data)

    def snapshot(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.path)): p.read_bytes()
                for p in sorted(self.path.rglob("*")) if p.is_file()}


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path / "boundaries")
