"""Demo step: a procedural blue-and-white vase rendered at low resolution and supersampled
x4 in time by the shipped network, as a turntable video, next to bilinear upsampling and
the high-resolution render."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TITLE = "Temporal supersampling: a rendered vase turntable, x4 from 80x60 frames"
LOW_SIZE = (80, 60)
SCALE = 4
FRAMES = 16


def run(out: Path) -> list[tuple[Path, str]]:
    from heritagekit.io import ImageData, write_image
    from heritagekit.io.provenance import make_provenance
    from heritagekit.models.registry import get_model, load_weights_file
    from heritagekit.render import make_scene, save_glb
    from heritagekit.supersample.infer import supersample_frames, upsample_frame
    from heritagekit.supersample.sequences import render_sequence
    from heritagekit.supersample.service import run_turntable

    out.mkdir(parents=True, exist_ok=True)
    meshes = make_scene("vase", 7)
    glb = out / "vase.glb"
    if not glb.exists():
        save_glb(meshes, glb)
    shipped = get_model(f"supersample-x{SCALE}", task="supersample")
    network, _ = load_weights_file(shipped.path, task="supersample")
    video = out / "vase-turntable.mp4"
    size = (LOW_SIZE[0] * SCALE, LOW_SIZE[1] * SCALE)
    run_turntable(
        meshes,
        glb,
        video,
        size=size,
        scale=SCALE,
        frames=FRAMES,
        path="turntable",
        method="model",
        network=network,
        model_name=shipped.name,
        weights_sha256=shipped.sha256,
        overwrite=True,
        quiet=True,
    )
    # One frame side by side: bilinear | network | ground truth, with PSNR against the truth.
    sequence = render_sequence(
        meshes, frames=6, low_size=LOW_SIZE, scale=SCALE, path="turntable", turns=6 / FRAMES
    )
    last = len(sequence) - 1
    network_frame = list(supersample_frames(network, sequence))[last]
    bilinear = upsample_frame(sequence.colour[last], SCALE, "bilinear")
    truth = sequence.target[last]
    scores = {
        name: _psnr(image, truth)
        for name, image in (("bilinear", bilinear), ("network", network_frame))
    }
    comparison = ImageData(pixels=np.concatenate([bilinear, network_frame, truth], axis=1))
    compare_path = out / "vase-compare.png"
    record = make_provenance(
        operation="temporal supersampling comparison (bilinear | network | ground truth)",
        input_path=glb,
        parameters={"scale": SCALE, "low_size": list(LOW_SIZE), "psnr_db": scores},
        model=shipped.name,
        weights_sha256=shipped.sha256,
        ai_derived=True,
    )
    write_image(compare_path, comparison, overwrite=True, provenance=record)
    return [
        (glb, "procedural vase model (glTF binary; open in any 3D viewer)"),
        (video, f"{FRAMES}-frame turntable, {size[0]}x{size[1]}, supersampled x{SCALE}"),
        (
            compare_path,
            f"bilinear {scores['bilinear']:.2f} dB | network {scores['network']:.2f} dB"
            " | ground truth",
        ),
    ]


def _psnr(image: np.ndarray, truth: np.ndarray) -> float:
    import torch

    from heritagekit.metrics.fidelity import psnr

    def batch(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.clip(x, 0, 1)).permute(2, 0, 1)[None].float()

    return float(psnr(batch(image), batch(truth)))
