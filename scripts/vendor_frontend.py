#!/usr/bin/env python3
"""Copy the pavilion's front-end assets from node_modules/ into the package.

Run once at build time after `npm ci` (package.json / package-lock.json pin the
versions); the copies are committed, so the installed package works offline with no
npm and no CDN. Each library goes with its licence file.

    npm ci && python3 scripts/vendor_frontend.py
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "heritagekit" / "pavilion" / "static" / "vendor"

# img-comparison-slider's npm package ships no LICENSE file; this is the MIT licence
# of its repository (github.com/sneas/img-comparison-slider, LICENSE).
SLIDER_LICENSE = """MIT License

Copyright (c) 2019 Dmitry Snisarenko

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

# (package, destination folder, files to copy: source -> name in destination)
PLAN = [
    (
        "openseadragon",
        "openseadragon",
        {
            "build/openseadragon/openseadragon.min.js": "openseadragon.min.js",
            "build/openseadragon/images": "images",
            "LICENSE.txt": "LICENSE.txt",
        },
    ),
    (
        "img-comparison-slider",
        "img-comparison-slider",
        {"dist/index.js": "index.js"},
    ),
    (
        "@google/model-viewer",
        "model-viewer",
        {"dist/model-viewer.min.js": "model-viewer.min.js", "LICENSE": "LICENSE"},
    ),
    # model-viewer.min.js bundles three.js and lit: their licences travel with it.
    ("three", "model-viewer", {"LICENSE": "LICENSE.three.txt"}),
    ("lit", "model-viewer", {"LICENSE": "LICENSE.lit.txt"}),
]


def main() -> int:
    if not NODE.is_dir():
        print("node_modules/ is missing: run `npm ci` first", file=sys.stderr)
        return 2
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    versions = {}
    for package, dest, files in PLAN:
        src_root = NODE / package
        meta = json.loads((src_root / "package.json").read_text())
        versions[package] = {"version": meta["version"], "license": meta.get("license")}
        target = VENDOR / dest
        target.mkdir(parents=True, exist_ok=True)
        for source, name in files.items():
            path = src_root / source
            if path.is_dir():
                shutil.copytree(path, target / name)
            else:
                shutil.copyfile(path, target / name)
    (VENDOR / "img-comparison-slider" / "LICENSE").write_text(SLIDER_LICENSE)
    (VENDOR / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n")
    total = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    for package, info in versions.items():
        print(f"{package:24s} {info['version']:10s} {info['license']}")
    print(f"vendored {total / 1e6:.2f} MB into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
