"""Running the temporal supersampling network over a sequence, and the baselines."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from heritagekit.imaging.color import rgb_to_ycbcr, ycbcr_to_rgb
from heritagekit.supersample.sequences import Sequence


def window_indices(index: int, history: int) -> list[int]:
    """Frames feeding output ``index``: itself, then up to ``history`` previous ones.

    Before the sequence starts the first frame stands in (with zero motion), as a
    renderer's history buffer does after a camera cut.
    """
    return [max(index - k, 0) for k in range(history + 1)]


def window_tensors(sequence: Sequence, indices: list[list[int]]) -> dict[str, torch.Tensor]:
    """Batched network inputs for windows of frame indices (current first)."""
    scale = sequence.depth_scale
    colour, depth, motion, jitter = [], [], [], []
    for window in indices:
        colour.append(np.stack([sequence.colour[i] for i in window]))
        depth.append(np.stack([sequence.depth[i] for i in window]) / scale)
        # The motion of frame i leads to frame i-1; a repeated first frame has none.
        moves = [
            sequence.motion[i]
            if i > 0 and window[k + 1] == i - 1
            else np.zeros_like(sequence.motion[i])
            for k, i in enumerate(window[:-1])
        ]
        moves.append(np.zeros_like(sequence.motion[window[-1]]))
        motion.append(np.stack(moves))
        jitter.append(np.stack([sequence.jitter[i] for i in window]))
    colour_t = torch.from_numpy(np.stack(colour)).permute(0, 1, 4, 2, 3).float()
    return {
        "colour": rgb_to_ycbcr(colour_t),
        "depth": torch.from_numpy(np.stack(depth)).unsqueeze(2).float(),
        "motion": torch.from_numpy(np.stack(motion)).permute(0, 1, 4, 2, 3).float(),
        "jitter": torch.from_numpy(np.stack(jitter)).float(),
    }


@torch.inference_mode()
def supersample_frames(
    network: torch.nn.Module,
    sequence: Sequence,
    *,
    device: str = "cpu",
    progress: Callable[[int], None] | None = None,
) -> Iterator[np.ndarray]:
    """Yield each high-resolution RGB frame (H, W, 3) float32 in [0, 1], in order."""
    network = network.to(device).eval()
    history = network.config.history
    cache: dict[int, torch.Tensor] = {}  # history features of each frame, computed once
    for index in range(len(sequence)):
        window = window_indices(index, history)
        inputs = window_tensors(sequence, [window])
        inputs = {k: v.to(device) for k, v in inputs.items()}
        features = None
        if history:
            for k, frame in enumerate(window[1:], start=1):
                if frame not in cache:
                    cache[frame] = network.extract(
                        inputs["colour"][:, k], inputs["depth"][:, k], current=False
                    )
            features = [cache[frame] for frame in window[1:]]
            for stale in [f for f in cache if f < index - history]:
                del cache[stale]
        out = ycbcr_to_rgb(network(**inputs, history_features=features)).clamp(0, 1)
        if progress is not None:
            progress(index)
        yield out[0].permute(1, 2, 0).cpu().numpy()


def upsample_frame(colour: np.ndarray, scale: int, method: str) -> np.ndarray:
    """Per-frame classical baseline (bilinear or bicubic) for comparisons."""
    tensor = torch.from_numpy(colour).permute(2, 0, 1)[None].float()
    out = F.interpolate(tensor, scale_factor=scale, mode=method, align_corners=False)
    return out[0].permute(1, 2, 0).clamp(0, 1).numpy()
