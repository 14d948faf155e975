"""Training of the SR networks: patch bank, Adam + cosine schedule, validation, exact resume.

A run lives in one folder: ``config.json``, ``log.txt``, ``metrics.jsonl`` (one line per
log/validation event), ``checkpoints/step_*.pt`` (everything needed to continue exactly)
and ``snapshots/step_*.safetensors`` (weights at each validation, for training curves).
Resuming restores modules, optimizer, schedule and every random generator, so the loss
sequence continues bit for bit as if the run had never stopped (same device and threads).
Under ``torchrun`` (``WORLD_SIZE > 1``) the network is wrapped in DDP and only rank 0
writes. Stop with Ctrl-C or SIGTERM: a checkpoint is written at the current step first.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from heritagekit.errors import BadInputError
from heritagekit.models.sr import SIZES, build_sr
from heritagekit.train.checkpoint import (
    StopRequest,
    checkpoint_path,
    latest_checkpoint,
    load_checkpoint,
    prune_checkpoints,
    save_checkpoint,
    seed_everything,
)
from heritagekit.train.ema import update_ema, warmed_decay

BUILDER = "heritagekit.models.sr:build_sr"


@dataclass
class SRTrainConfig:
    """Everything a run depends on (stored as ``config.json`` in the run folder)."""

    data: list[str] = field(default_factory=list)
    scale: int = 4
    size: str = "fast"
    # architecture overrides of the size preset (None: the preset's value); lets one scale
    # use a wider network than another within the same multiply-add budget
    width: int | None = None
    pre_blocks: int | None = None
    mid_blocks: int | None = None
    post_blocks: int | None = None
    channels: int = 1  # 1: Y of Eq. 5 (chroma bicubic), 3: RGB
    upsampler: str = "pixelshuffle"
    loss: str = "eq6"
    perceptual_weight: float = 0.1
    degradation: str = "bicubic"
    steps: int = 20000
    batch_size: int = 16
    lr_patch: int = 40
    n_patches: int = 8000
    learning_rate: float = 1e-3
    min_learning_rate: float = 1e-5
    warmup_steps: int = 200
    val_dir: str | None = None
    val_images: int = 4
    val_every: int = 1000
    checkpoint_every: int = 500
    keep_checkpoints: int = 2
    log_every: int = 50
    seed: int = 0
    device: str = "auto"
    threads: int = 0  # 0: leave torch's default
    # a .safetensors SR model of the same architecture to start from (fine-tuning, or a new
    # schedule from shipped weights); ignored when a run is resumed from its checkpoint
    init_weights: str | None = None
    # > 0: keep an exponential moving average of the weights (e.g. 0.999, a window of about
    # 1000 steps); validation, snapshots and exported weights then use the average, which
    # smooths out the step-to-step wobble of the last weights
    ema_decay: float = 0.0
    # "bf16": convolutions of the training forward pass in bfloat16 (torch.autocast; the
    # weights, Adam and the loss stay float32). 2.7-4.1x the steps/s on a CPU with AMX (Intel
    # Xeon 4th gen and later; BENCHMARKS.md), slower on CPUs without bfloat16 units; validation,
    # snapshots and exported weights are always float32
    precision: str = "fp32"
    # a .safetensors SR model of the same scale: train towards its x8 self-ensemble instead of
    # the real HR patches (distillation; heritagekit.train.distill). Its targets are computed
    # once per bank, in ``precision``, and kept in the run's bank folder
    teacher: str | None = None

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SRTrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise BadInputError(f"--config: unknown keys {', '.join(unknown)}")
        return cls(**values)

    def validate(self) -> None:
        if self.scale not in (2, 3, 4):
            raise BadInputError(f"--scale must be 2, 3 or 4, got {self.scale}")
        if self.size not in SIZES:
            raise BadInputError(f"--size must be one of {', '.join(SIZES)}, got {self.size!r}")
        if self.channels not in (1, 3):
            raise BadInputError(f"channels must be 1 (Y) or 3 (RGB), got {self.channels}")
        if self.steps < 1 or self.batch_size < 1:
            raise BadInputError("--steps and batch_size must be positive")
        for key in _ARCHITECTURE_OVERRIDES:
            value = getattr(self, key)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise BadInputError(f"--config: {key} must be a positive integer, got {value!r}")
        if not self.data:
            raise BadInputError("--data: give at least one folder of training images")
        if not 0.0 <= self.ema_decay < 1.0:
            raise BadInputError(f"--config: ema_decay must be in [0, 1), got {self.ema_decay}")
        if self.precision not in PRECISIONS:
            raise BadInputError(
                f"--config: precision must be one of {', '.join(PRECISIONS)}, "
                f"got {self.precision!r}"
            )
        if self.init_weights and not Path(self.init_weights).is_file():
            raise BadInputError("--init: no such file", path=self.init_weights)
        if self.teacher and not Path(self.teacher).is_file():
            raise BadInputError("--config: teacher: no such file", path=self.teacher)

    def model_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "scale": self.scale,
            "size": self.size,
            "channels": self.channels,
            "upsampler": self.upsampler,
        }
        for key in _ARCHITECTURE_OVERRIDES:
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config


_ARCHITECTURE_OVERRIDES = ("width", "pre_blocks", "mid_blocks", "post_blocks")
PRECISIONS = ("fp32", "bf16")


def lr_factor(step: int, config: SRTrainConfig) -> float:
    """Linear warm-up, then cosine decay to ``min_learning_rate`` at ``steps``."""
    if step < config.warmup_steps:
        return (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
    low = config.min_learning_rate / config.learning_rate
    return low + (1 - low) * 0.5 * (1 + math.cos(math.pi * progress))


def for_precision(net: torch.nn.Module, precision: str) -> torch.nn.Module:
    """The network laid out for training at ``precision``: channels-last for bf16, where
    oneDNN's bfloat16 convolutions run about 1.7x faster in that layout (BENCHMARKS.md);
    float32 keeps the default layout (little gain, and bit-identical runs to earlier ones)."""
    return net.to(memory_format=torch.channels_last) if precision == "bf16" else net


def training_step(
    model: torch.nn.Module,
    criterion: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    lr_batch: torch.Tensor,
    hr_batch: torch.Tensor,
    precision: str = "fp32",
) -> torch.Tensor:
    """One optimizer step on a batch (in model space); returns the loss."""
    with torch.autocast(lr_batch.device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
        prediction = model(lr_batch)
    loss = criterion(prediction.float(), hr_batch)  # the loss in float32 either way
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss


def _to_model_space(x: torch.Tensor, channels: int) -> torch.Tensor:
    """RGB batch -> what the network sees: Y of Eq. 5 (N x 1) or RGB."""
    if channels == 3:
        return x
    from heritagekit.imaging.color import rgb_to_ycbcr

    return rgb_to_ycbcr(x)[:, :1]


def _format_eta(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def validate(net: torch.nn.Module, files: Sequence[Path], scale: int, device: str) -> dict:
    """Mean PSNR/SSIM (Y, BT.601, protocol of heritagekit.sr.protocol) over ``files``."""
    from heritagekit.sr.evaluate import evaluate_files

    net.eval()
    try:
        rows = evaluate_files(files, scale, model=net, device=device)
    finally:
        net.train()
    return {
        "psnr": float(np.mean([r["psnr"] for r in rows])),
        "ssim": float(np.mean([r["ssim"] for r in rows])),
    }


def train_sr(
    config: SRTrainConfig,
    run_dir: str | Path,
    *,
    resume: bool = False,
    stop_after: int | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train (or resume) a run; returns {"step", "losses" (this call's), "val" (last)}.

    ``stop_after`` stops after that many steps of this call (tests use it to simulate a
    kill); the final checkpoint is written either way.
    """
    from heritagekit.device import resolve_device
    from heritagekit.train.losses import SRLoss
    from heritagekit.train.patches import PatchSampler, build_patch_bank, find_images

    config.validate()
    run_dir = Path(run_dir)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    distributed = world > 1
    device = resolve_device(config.device)
    if distributed:
        import torch.distributed as dist

        backend = "nccl" if device.startswith("cuda") else "gloo"
        dist.init_process_group(backend)
        if device.startswith("cuda"):
            local = int(os.environ.get("LOCAL_RANK", "0"))
            torch.cuda.set_device(local)
            device = f"cuda:{local}"
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    main = rank == 0
    files = find_images(config.data)  # a bad --data fails here, before the run folder is made
    run_dir.mkdir(parents=True, exist_ok=True)
    log_file = open(run_dir / "log.txt", "a") if main else None  # noqa: SIM115

    def say(message: str) -> None:
        if not main:
            return
        (log or print)(message)
        log_file.write(message + "\n")
        log_file.flush()

    existing = latest_checkpoint(run_dir)
    if existing is not None and not resume:
        raise BadInputError(
            f"--out {run_dir} already holds a run (checkpoint {existing.name}); "
            "use --resume to continue it or choose another --out"
        )
    if main:
        (run_dir / "config.json").write_text(json.dumps(asdict(config), indent=2))
    seed_everything(config.seed + rank)
    if distributed and not main:  # rank 0 builds the shared bank; the others then reuse it
        torch.distributed.barrier()
    bank = build_patch_bank(
        files,
        run_dir / "bank",
        scale=config.scale,
        lr_patch=config.lr_patch,
        n_patches=config.n_patches,
        degradation=config.degradation,
        seed=config.seed,
        log=say,
    )
    targets = "hr.npy"
    if config.teacher:
        targets = _teacher_targets(bank, config, device, say)
    if distributed and main:
        torch.distributed.barrier()
    sampler = PatchSampler(bank, seed=config.seed, rank=rank, targets=targets)
    net = for_precision(build_sr(config.model_config()).to(device), config.precision)
    model: torch.nn.Module = net
    if distributed:
        from torch.nn.parallel import DistributedDataParallel

        model = DistributedDataParallel(net, device_ids=[device] if "cuda" in device else None)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, config))
    criterion = SRLoss(
        config.loss, perceptual_weight=config.perceptual_weight, device=device, on_missing=say
    )
    start = 0
    if config.init_weights and not (resume and existing is not None):
        _load_init_weights(net, config)
        say(f"initialised from {config.init_weights}")
    # the average starts from the initial weights (those of --init when fine-tuning)
    ema = copy.deepcopy(net) if config.ema_decay > 0 else None
    modules = {"net": net} if ema is None else {"net": net, "ema": ema}
    result_net = net if ema is None else ema  # what validation and snapshots measure
    if resume and existing is not None:
        start, _ = load_checkpoint(
            existing,
            modules=modules,
            optimizers={"adam": optimizer},
            schedulers={"lr": scheduler},
            generators={"patches": sampler.generator},
            map_location="cpu",
        )
        say(f"resumed from {existing} at step {start}")
    val_files, val_total = [], 0
    if config.val_dir:
        every_val_file = find_images([config.val_dir])
        val_files, val_total = every_val_file[: config.val_images], len(every_val_file)
    say(
        f"training sr x{config.scale} {config.size} ({config.channels} ch) on {len(sampler)} "
        f"patches, steps {start}->{config.steps}, device {device}, world {world}"
    )
    losses: list[float] = []
    last_val: dict[str, float] = {}
    step = start
    began, steps_at_begin = time.time(), start

    def checkpoint() -> None:
        if main:
            save_checkpoint(
                checkpoint_path(run_dir, step),
                step=step,
                modules=modules,
                optimizers={"adam": optimizer},
                schedulers={"lr": scheduler},
                generators={"patches": sampler.generator},
                extra={"config": asdict(config)},
            )
            prune_checkpoints(run_dir, keep=config.keep_checkpoints)

    with StopRequest() as stop, open(run_dir / "metrics.jsonl", "a") as metrics:
        net.train()
        while step < config.steps:
            lr_batch, hr_batch = sampler.batch(config.batch_size)
            lr_batch = _to_model_space(lr_batch.to(device), config.channels)
            hr_batch = _to_model_space(hr_batch.to(device), config.channels)
            loss = training_step(model, criterion, optimizer, lr_batch, hr_batch, config.precision)
            scheduler.step()
            if ema is not None:
                # from scratch the average must forget the random start fast (warmed decay);
                # from trained --init weights the start is worth keeping, so full decay at once
                decay = config.ema_decay
                update_ema(ema, net, decay if config.init_weights else warmed_decay(decay, step))
            step += 1
            losses.append(float(loss.detach()))
            if main and (step % config.log_every == 0 or step == config.steps):
                rate = (step - steps_at_begin) / max(time.time() - began, 1e-9)
                eta = (config.steps - step) / max(rate, 1e-9)
                recent = float(np.mean(losses[-config.log_every :]))
                say(
                    f"step {step}/{config.steps}  loss {recent:.5f}  "
                    f"lr {scheduler.get_last_lr()[0]:.2e}  {rate:.2f} steps/s  "
                    f"ETA {_format_eta(eta)}"
                )
                metrics.write(json.dumps({"step": step, "loss": recent}) + "\n")
                metrics.flush()
            if main and val_files and (step % config.val_every == 0 or step == config.steps):
                last_val = validate(result_net, val_files, config.scale, device)
                say(
                    f"validation step {step}: PSNR {last_val['psnr']:.3f} dB  "
                    f"SSIM {last_val['ssim']:.4f}  (first {len(val_files)} of {val_total} "
                    "images; `heritage evaluate sr` scores them all)"
                )
                metrics.write(json.dumps({"step": step, "val": last_val}) + "\n")
                metrics.flush()
                export_weights(
                    result_net,
                    config,
                    run_dir / "snapshots" / f"step_{step:08d}.safetensors",
                    step=step,
                )
            if step % config.checkpoint_every == 0:
                checkpoint()
            if stop.requested or (stop_after is not None and step - start >= stop_after):
                break
        checkpoint()
    if stop.requested:
        say(f"stopped at step {step}; resume with --resume")
    if log_file is not None:
        log_file.close()
    if distributed:
        import torch.distributed as dist

        dist.destroy_process_group()
    return {"step": step, "losses": losses, "val": last_val}


def _teacher_targets(bank: Path, config: SRTrainConfig, device: str, say: Callable) -> str:
    """The bank's target file for ``config.teacher`` (written on first use)."""
    from heritagekit.models.registry import file_sha256, load_weights_file
    from heritagekit.train.distill import write_teacher_targets

    path = Path(str(config.teacher))
    try:
        teacher, _ = load_weights_file(path, device=device, task="sr")
    except Exception as error:  # a wrong or damaged file: one line, exit 2
        raise BadInputError(f"teacher: not an SR model file ({error})", path=path) from error
    if int(teacher.scale) != config.scale:
        raise BadInputError(f"teacher: upscales x{teacher.scale}, not x{config.scale}", path=path)
    name = write_teacher_targets(
        bank, teacher, file_sha256(path), precision=config.precision, device=device, log=say
    )
    say(f"targets: x8 self-ensemble of {path.name} ({name})")
    return name


def _load_init_weights(net: torch.nn.Module, config: SRTrainConfig) -> None:
    """Copy a model file's weights into ``net`` if it is the same architecture."""
    from heritagekit.models.registry import load_weights_file
    from heritagekit.models.sr import architecture, widen_into

    path = Path(str(config.init_weights))
    if not path.is_file():
        raise BadInputError("init_weights: no such file", path=path)
    source, _ = load_weights_file(path, task="sr")
    # compared as built, so an override equal to the size preset matches
    wanted, found = architecture(net), architecture(source)
    # a narrower network of the same depth is widened (function kept) rather than refused
    narrower = found["width"] < wanted["width"]
    differing = sorted(
        k for k in wanted if found[k] != wanted[k] and not (k == "width" and narrower)
    )
    if differing:
        what = ", ".join(f"{k} {found[k]!r} (run: {wanted[k]!r})" for k in differing)
        raise BadInputError(f"init_weights: another architecture: {what}", path=path)
    if narrower:
        widen_into(source, net)
    else:
        net.load_state_dict(source.state_dict())


def export_weights(
    net: torch.nn.Module,
    config: SRTrainConfig,
    path: str | Path,
    *,
    step: int,
    name: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Save ``net`` as a registry-loadable safetensors file (metadata names its builder)."""
    from heritagekit.models.registry import save_weights

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "name": name or path.stem,
        "task": "sr",
        "builder": BUILDER,
        "config": config.model_config(),
        "scale": str(config.scale),
        "size": config.size,
        "steps": str(step),
        "data": ", ".join(config.data),
        "loss": config.loss,
        "degradation": config.degradation,
        **(extra or {}),
    }
    if config.teacher:  # the targets were another model's, not the HR patches
        metadata["teacher"] = f"x8 self-ensemble of {Path(config.teacher).name}"
    return save_weights(net, path, metadata)
