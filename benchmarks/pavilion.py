"""Bounded load test of the pavilion server on loopback: tiles and pages.

Builds a collection with one 2048 x 2048 image (a scikit-image sample, upscaled), starts
`heritage pavilion serve` on 127.0.0.1 in a subprocess (one uvicorn worker), and drives
it with a small keep-alive HTTP/1.1 client (asyncio, one process), bounded in request
count and time. Prints requests/s and latency percentiles per scenario.

    .venv/bin/python benchmarks/pavilion.py [--requests 20000] [--seconds 20] [--concurrency 16]

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

HOST = "127.0.0.1"
LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def make_collection(root: Path) -> tuple[str, list[str]]:
    """A collection with one 2048 x 2048 image; returns (item id, its tile paths)."""
    import skimage.data

    from heritagekit.imaging.resize import resize
    from heritagekit.io import ImageData, write_image
    from heritagekit.pavilion.catalog import Collection
    from heritagekit.pavilion.importer import ImportSpec, import_files

    pixels = skimage.data.astronaut().astype(np.float32) / 255
    big = np.clip(resize(pixels, (2048, 2048), "bicubic"), 0, 1)
    source = root / "astronaut_2048.png"
    write_image(source, ImageData.from_array(big))
    collection = Collection.init(root / "collection")
    (item,) = import_files(collection, [ImportSpec(source, metadata={"craft": "bench"})])
    collection.close()
    image = item.primary
    info = json.loads((root / "collection" / "iiif" / image.id / "info.json").read_text())
    tiles = []
    width, height, tile = info["width"], info["height"], info["tiles"][0]["width"]
    for factor in info["tiles"][0]["scaleFactors"]:
        span = tile * factor
        for y in range(0, height, span):
            for x in range(0, width, span):
                w, h = min(span, width - x), min(span, height - y)
                region = "full" if (x, y, w, h) == (0, 0, width, height) else f"{x},{y},{w},{h}"
                size = f"{math.ceil(w / factor)},{math.ceil(h / factor)}"
                tiles.append(f"/iiif/{image.id}/{region}/{size}/0/default.jpg")
    return item.id, tiles


async def _worker(port: int, paths: list[str], state: dict, offset: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = offset
    try:
        while state["sent"] < state["limit"] and time.perf_counter() < state["deadline"]:
            state["sent"] += 1
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            match = LENGTH.search(head)
            await reader.readexactly(int(match.group(1)) if match else 0)
            state["latencies"].append(time.perf_counter() - start)
            if head[9:12] != b"200":
                state["errors"] += 1
    finally:
        writer.close()


async def load(port: int, paths: list[str], requests: int, seconds: float, concurrency: int):
    state = {
        "sent": 0,
        "limit": requests,
        "deadline": time.perf_counter() + seconds,
        "latencies": [],
        "errors": 0,
    }
    start = time.perf_counter()
    await asyncio.gather(*(_worker(port, paths, state, k * 7) for k in range(concurrency)))
    elapsed = time.perf_counter() - start
    lat = np.array(state["latencies"]) * 1000
    return {
        "requests": len(lat),
        "errors": state["errors"],
        "seconds": elapsed,
        "rps": len(lat) / elapsed,
        "p50": float(np.percentile(lat, 50)),
        "p99": float(np.percentile(lat, 99)),
        "max": float(lat.max()),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(collection: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from heritagekit.cli.main import main; main()",
         "pavilion", "serve", "--collection", str(collection), "--host", HOST, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "HERITAGE_PAVILION_TOKEN": ""},
    )  # fmt: skip
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/api/items", timeout=1)
            return server, port
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def set_tile_cache(collection: Path, megabytes: int) -> None:
    config_path = collection / "pavilion.json"
    config = json.loads(config_path.read_text())
    config["tile_cache_mb"] = megabytes
    config_path.write_text(json.dumps(config))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000, help="per scenario, at most")
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario, at most")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        item_id, tiles = make_collection(root)
        collection = root / "collection"
        set_tile_cache(collection, 0)  # first: every tile read from disk
        server, port = start_server(collection)
        try:
            limit = args.requests // 2
            uncached = asyncio.run(load(port, tiles, limit, args.seconds, args.concurrency))
        finally:
            server.terminate()
            server.wait(10)
        set_tile_cache(collection, 64)
        server, port = start_server(collection)
        try:
            scenarios = [
                ("tiles (all levels, cached)", tiles),
                ("info.json", [f"/iiif/{tiles[0].split('/')[2]}/info.json"]),
                ("item page (HTML)", [f"/items/{item_id}"]),
                ("grid page (HTML)", ["/"]),
                ("API item list (JSON)", ["/api/items"]),
            ]
            asyncio.run(load(port, tiles, 2000, 5, args.concurrency))  # warm the tile cache
            print(
                f"{len(tiles)} tiles of a 2048x2048 image; concurrency {args.concurrency}; "
                f"bounds: {args.requests} requests or {args.seconds:.0f} s per scenario"
            )
            print()
            print("| scenario | requests | errors | req/s | p50 ms | p99 ms | max ms |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            r = uncached
            print(
                "| tiles (all levels, no in-process cache: a file read per request) | "
                f"{r['requests']} | {r['errors']} | "
                f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |"
            )
            for name, paths in scenarios:
                limit = args.requests if name.startswith("tiles") else args.requests // 4
                r = asyncio.run(load(port, paths, limit, args.seconds, args.concurrency))
                print(
                    f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | "
                    f"{r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |"
                )
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
