"""Training of the temporal supersampling network on rendered procedural craft models.

The training data is rendered by the project itself: a bank of short sequences of
procedural vases, bowls, paper-cut panels and carved boxes along random camera paths,
low resolution with jitter and a supersampled high-resolution target. The bank is a
pure function of the seed, so a resumed run rebuilds exactly the same data; the sampler
draws from a ``torch.Generator`` saved in every checkpoint, so a resumed run continues
the loss curve exactly. The loss is seed 000 Eq. 6, shared with super-resolution.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from heritagekit.errors import BadInputError
from heritagekit.imaging.color import ycbcr_to_rgb
from heritagekit.models.supersample import SupersampleConfig, TemporalSupersampler
from heritagekit.render import CAMERA_PATHS, SCENE_KINDS, make_scene
from heritagekit.supersample.infer import window_indices, window_tensors
from heritagekit.supersample.sequences import Sequence, render_sequence
from heritagekit.train.checkpoint import (
    StopRequest,
    checkpoint_path,
    latest_checkpoint,
    load_checkpoint,
    prune_checkpoints,
    save_checkpoint,
    seed_everything,
)
from heritagekit.train.losses import SRLoss


@dataclass
class TrainConfig:
    model: SupersampleConfig = field(default_factory=SupersampleConfig)
    steps: int = 4000
    batch_size: int = 8
    learning_rate: float = 1e-3
    low_size: tuple[int, int] = (48, 36)  # training frames at low resolution (w, h)
    sequences: int = 48
    frames: int = 8
    validation_sequences: int = 6
    seed: int = 0
    checkpoint_every: int = 200
    validate_every: int = 200
    loss: str = "eq6"
    init_weights: str | None = None  # a new run starts from this model file (same network)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        data = dict(data)
        model = SupersampleConfig(**data.pop("model", {}))
        if "low_size" in data:
            data["low_size"] = tuple(data["low_size"])
        return cls(model=model, **data)

    def to_dict(self) -> dict:
        return asdict(self)

    def with_overrides(self, overrides: object) -> TrainConfig:
        """This config with the keys of ``overrides`` (a parsed YAML/JSON file) replaced; a
        ``model`` mapping is merged key by key, so a file that sets only ``history`` keeps
        the scale and the other network settings."""
        if not isinstance(overrides, dict):
            raise TypeError("the file must hold a mapping of setting names to values")
        merged = {**self.to_dict(), **overrides}
        if "model" in overrides:
            if not isinstance(overrides["model"], dict):
                raise TypeError("model: must be a mapping of network settings")
            merged["model"] = {**self.to_dict()["model"], **overrides["model"]}
        return TrainConfig.from_dict(merged)


def load_run_config(run_dir: str | Path) -> TrainConfig:
    """The TrainConfig a run folder was trained with (its config.json). Folders written
    before the sample-weight channel existed have no ``sample_weights`` key and were trained
    without the channel."""
    data = json.loads((Path(run_dir) / "config.json").read_text())
    data["model"] = {"sample_weights": False, **data.get("model", {})}
    return TrainConfig.from_dict(data)


def build_bank(config: TrainConfig, *, count: int, seed: int) -> list[Sequence]:
    """Seeded sequences of random procedural models along random camera paths."""
    rng = np.random.default_rng(seed)
    bank = []
    for _ in range(count):
        kind = SCENE_KINDS[rng.integers(len(SCENE_KINDS))]
        meshes = make_scene(kind, int(rng.integers(1 << 30)))
        bank.append(
            render_sequence(
                meshes,
                frames=config.frames,
                low_size=config.low_size,
                scale=config.model.scale,
                path=CAMERA_PATHS[rng.integers(len(CAMERA_PATHS))],
                # 40 to 160 frames per turn: slow and fast motion.
                turns=config.frames / float(rng.uniform(40, 160)),
                elevation=float(rng.uniform(5, 35)),
            )
        )
    return bank


def _batch(
    bank: list[Sequence], picks: list[tuple[int, int]], history: int
) -> tuple[dict, torch.Tensor]:
    inputs: dict[str, list[torch.Tensor]] = {}
    targets = []
    for sequence_index, frame_index in picks:
        sequence = bank[sequence_index]
        window = window_tensors(sequence, [window_indices(frame_index, history)])
        for key, value in window.items():
            inputs.setdefault(key, []).append(value)
        targets.append(torch.from_numpy(sequence.target[frame_index]).permute(2, 0, 1))
    return {k: torch.cat(v) for k, v in inputs.items()}, torch.stack(targets).float()


def _differences(found: SupersampleConfig, wanted: SupersampleConfig, label: str) -> str:
    """The network settings where ``found`` and ``wanted`` differ, as ``key found (label:
    wanted)`` joined by commas, for a one-line error."""
    return ", ".join(
        f"{key} {value!r} ({label}: {getattr(wanted, key)!r})"
        for key, value in found.to_dict().items()
        if getattr(wanted, key) != value
    )


def _check_resumable(saved: TrainConfig, wanted: TrainConfig, run_dir: Path) -> None:
    """A run continues only with the network and step count it was started with: the
    one-cycle learning-rate schedule is laid out over the total steps."""
    if saved.model != wanted.model:
        differing = _differences(saved.model, wanted.model, "asked")
        raise BadInputError(
            f"holds a run of a different network ({differing}): use a new --out, "
            "or --no-resume to start over",
            path=run_dir,
        )
    if saved.steps != wanted.steps:
        raise BadInputError(
            f"holds a run planned for {saved.steps} steps (its learning-rate schedule spans "
            f"them), not {wanted.steps}: resume it with --steps {saved.steps}, or start a new "
            "run from its exported weights with --init",
            path=run_dir,
        )


def initialise_from(network: TemporalSupersampler, path: str | Path) -> None:
    """Copy the weights of a supersample model file into ``network`` (same architecture),
    to continue training a shipped model with a fresh schedule."""
    from heritagekit.models.registry import load_weights_file

    source, _ = load_weights_file(path, task="supersample")
    if source.config != network.config:
        differing = _differences(source.config, network.config, "run")
        raise BadInputError(f"init_weights: a different network ({differing})", path=Path(path))
    network.load_state_dict(source.state_dict())


def psnr_on(network: TemporalSupersampler, bank: list[Sequence], history: int) -> float:
    """Mean PSNR (RGB) over every frame after the first ``history`` of each sequence."""
    values = []
    with torch.inference_mode():
        for sequence in bank:
            for index in range(history, len(sequence)):
                inputs, target = _batch([sequence], [(0, index)], history)
                output = ycbcr_to_rgb(network(**inputs)).clamp(0, 1)
                mse = torch.mean((output - target) ** 2).item()
                values.append(10 * math.log10(1.0 / max(mse, 1e-12)))
    return float(np.mean(values))


def train(
    config: TrainConfig,
    run_dir: str | Path,
    *,
    resume: bool = True,
    log: Callable[[str], None] = print,
    stop_after: int | None = None,
) -> dict:
    """Train (or continue) a run; returns the final metrics. ``stop_after`` ends the
    process early at that step (to test exact resume)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    found = latest_checkpoint(run_dir) if resume else None
    if found is not None:
        _check_resumable(load_run_config(run_dir), config, run_dir)
    (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2))
    seed_everything(config.seed)
    network = TemporalSupersampler(config.model)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.learning_rate, total_steps=config.steps, pct_start=0.05
    )
    sampler = torch.Generator().manual_seed(config.seed)
    step, extra = 0, {"history": []}
    if found is not None:
        step, extra = load_checkpoint(
            found,
            modules={"network": network},
            optimizers={"adam": optimizer},
            schedulers={"schedule": scheduler},
            generators={"sampler": sampler},
        )
        log(f"resumed from {found} at step {step}")
    elif config.init_weights:
        initialise_from(network, config.init_weights)
        log(f"initialised from {config.init_weights}")
    bank = build_bank(config, count=config.sequences, seed=config.seed)
    validation = build_bank(config, count=config.validation_sequences, seed=config.seed + 10_000)
    criterion = SRLoss(config.loss, on_missing=log)
    history, frames = config.model.history, config.frames
    started, first_step = time.perf_counter(), step
    network.train()
    with StopRequest() as stop:
        while step < config.steps:
            choice = torch.randint(
                0, len(bank) * (frames - 1), (config.batch_size,), generator=sampler
            )
            picks = [(int(c) // (frames - 1), 1 + int(c) % (frames - 1)) for c in choice]
            inputs, target = _batch(bank, picks, history)
            output = ycbcr_to_rgb(network(**inputs))
            loss = criterion(output, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
            extra["history"].append([step, float(loss.item())])
            if step % config.validate_every == 0 or step == config.steps:
                network.eval()
                value = psnr_on(network, validation, history)
                network.train()
                extra.setdefault("validation", []).append([step, value])
                rate = (step - first_step) / (time.perf_counter() - started)
                eta = (config.steps - step) / max(rate, 1e-9)
                log(
                    f"step {step}/{config.steps} loss {loss.item():.4f} val PSNR {value:.2f} dB "
                    f"({rate:.2f} steps/s, ETA {eta / 60:.0f} min)"
                )
            if step % config.checkpoint_every == 0 or step == config.steps or stop.requested:
                save_checkpoint(
                    checkpoint_path(run_dir, step),
                    step=step,
                    modules={"network": network},
                    optimizers={"adam": optimizer},
                    schedulers={"schedule": scheduler},
                    generators={"sampler": sampler},
                    extra=extra,
                )
                prune_checkpoints(run_dir, keep=2)
            if stop.requested or (stop_after is not None and step >= stop_after):
                break
    return {"step": step, "losses": extra["history"], "validation": extra.get("validation", [])}


def export_weights(
    run_dir: str | Path, path: str | Path, *, name: str, data: str, measured: dict | None = None
) -> Path:
    """Write the run's latest network as a shippable safetensors file with its metadata."""
    from heritagekit.models.registry import save_weights

    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    network = TemporalSupersampler(config.model)
    found = latest_checkpoint(run_dir)
    if found is None:
        raise FileNotFoundError(f"{run_dir} has no checkpoint to export")
    step, _ = load_checkpoint(found, modules={"network": network})
    metadata = {
        "name": name,
        "task": "supersample",
        "builder": "heritagekit.models.supersample:build",
        "config": config.model.to_dict(),
        "scale": str(config.model.scale),
        "steps": str(step),
        "data": data,
        "training": config.to_dict(),
        "metrics": measured or {},
    }
    return save_weights(network, path, metadata)
