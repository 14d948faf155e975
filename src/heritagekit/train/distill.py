"""Training targets from a teacher: the x8 self-ensemble of an SR model (distillation).

The self-ensemble of a network (:class:`heritagekit.models.sr.SelfEnsemble`) is a better
estimate of the high-resolution image than the network alone (+0.04 to +0.10 dB on
Kodak24, BENCHMARKS.md), at 8 times the cost. Training a network of the same cost towards
it, instead of towards the real HR patch, gives cleaner targets: the part of the HR detail
no network can predict from the LR patch is averaged out. This module writes those targets
next to a patch bank: each HR patch with its Y (Y models) or its RGB (RGB models) replaced
by the teacher's self-ensemble output on the matching LR patch. The chroma of a Y teacher's
targets is the real HR chroma.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from heritagekit.imaging.color import rgb_to_ycbcr, ycbcr_to_rgb
from heritagekit.models.sr import SelfEnsemble, bicubic_base


class _Detail(torch.nn.Module):
    """The network minus its bicubic base: what bfloat16 may round, the base kept exact."""

    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net
        self.scale, self.channels, self.min_size = net.scale, net.channels, net.min_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x) - bicubic_base(x, self.scale)


@torch.no_grad()
def teacher_outputs(teacher: torch.nn.Module, x: torch.Tensor, precision: str) -> torch.Tensor:
    """The teacher's x8 self-ensemble on a batch ``x`` (what the network sees), float32.

    ``bf16`` runs the convolutions under bfloat16 autocast but adds the bicubic base in
    float32 (the base is flip/rotation-equivariant, so ensemble(net) = base +
    ensemble(net - base)): only the learned detail carries bfloat16 rounding.
    """
    if precision != "bf16":
        return SelfEnsemble(teacher)(x)
    with torch.autocast(x.device.type, dtype=torch.bfloat16):
        detail = SelfEnsemble(_Detail(teacher))(x)
    return bicubic_base(x, int(teacher.scale)) + detail.float()


def write_teacher_targets(
    bank_dir: str | Path,
    teacher: torch.nn.Module,
    teacher_id: str,
    *,
    precision: str = "fp32",
    batch_size: int = 8,
    device: str = "cpu",
    log: Callable[[str], None] = print,
) -> str:
    """Write the teacher's targets for the bank in ``bank_dir``; return their file name.

    The file (``hr.teacher-<id>-<precision>.npy``, uint8 like ``hr.npy``) is reused while
    its record (``<file>.json``) names the same teacher, precision and bank, so a resumed
    run reads the same targets and a rebuilt bank never reads stale ones.
    """
    bank_dir = Path(bank_dir)
    name = f"hr.teacher-{teacher_id[:12]}-{precision}.npy"
    bank_file = bank_dir / "bank.json"
    record = {
        "teacher": teacher_id,
        "precision": precision,
        "batch_size": batch_size,
        "bank": bank_file.read_text() if bank_file.is_file() else None,
    }
    record_path = bank_dir / (name + ".json")
    done = (bank_dir / name).is_file() and record_path.is_file()
    if done and json.loads(record_path.read_text()) == record:
        return name
    teacher = teacher.float().eval().to(device, memory_format=torch.channels_last)
    lr_bank = np.load(bank_dir / "lr.npy", mmap_mode="r")
    hr_bank = np.load(bank_dir / "hr.npy", mmap_mode="r")
    tmp = bank_dir / (name + ".tmp")
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=hr_bank.shape)
    rgb_teacher = int(teacher.channels) == 3
    for start in range(0, len(lr_bank), batch_size):
        lr = _as_batch(lr_bank[start : start + batch_size], device)
        hr = _as_batch(hr_bank[start : start + batch_size], device)
        seen = lr if rgb_teacher else rgb_to_ycbcr(lr)[:, :1]
        seen = seen.contiguous(memory_format=torch.channels_last)
        target = teacher_outputs(teacher, seen, precision)
        if not rgb_teacher:  # the teacher's Y with the real chroma, back to RGB
            target = ycbcr_to_rgb(torch.cat([target, rgb_to_ycbcr(hr)[:, 1:]], dim=1))
        quantized = torch.floor(target.clamp(0, 1) * 255 + 0.5).to(torch.uint8)
        out[start : start + batch_size] = quantized.permute(0, 2, 3, 1).cpu().numpy()
        if start // batch_size % 100 == 0:
            log(f"teacher targets: {start + len(lr)}/{len(lr_bank)} patches")
    out.flush()
    del out
    tmp.replace(bank_dir / name)
    record_path.write_text(json.dumps(record))  # last: an interrupted write is redone
    return name


def _as_batch(patches: np.ndarray, device: str) -> torch.Tensor:
    return torch.from_numpy(np.array(patches)).permute(0, 3, 1, 2).float().div(255).to(device)
