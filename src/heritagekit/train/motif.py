"""Training of the class-conditional motif GAN (seed 001 Eq. 1-3, hinge form).

Data: any folder with one subfolder per product type, each holding images. Every image
is composited over white (if it has alpha), centre-cropped to a square and resized to
the model's resolution once, then the whole set sits in memory: the collections this is
for have tens to hundreds of images per type.

The loop alternates one discriminator and one generator step with the hinge loss,
DiffAugment on every image D sees, and an EMA of G that is what gets sampled and shipped.
Everything random draws from RNGs that the checkpoint stores (global torch/numpy/python
plus the sampler's own generator), so a resumed run continues the exact loss curve.
Under ``torchrun`` (WORLD_SIZE > 1) G and D are wrapped in DistributedDataParallel;
each process draws its own batch and rank 0 writes checkpoints, samples and the log.
Stop with Ctrl-C or SIGTERM: a checkpoint is written at the step reached first.
"""

from __future__ import annotations

import copy
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from heritagekit.errors import BadInputError
from heritagekit.models.motif import (
    MotifDiscriminator,
    MotifEncoder,
    MotifGANConfig,
    MotifGenerator,
    diff_augment,
)
from heritagekit.train.checkpoint import (
    StopRequest,
    checkpoint_path,
    latest_checkpoint,
    load_checkpoint,
    prune_checkpoints,
    save_checkpoint,
    seed_everything,
)
from heritagekit.train.colour_match import ColourMatch
from heritagekit.train.ema import update_ema, warmed_decay
from heritagekit.train.schedule import linear_decay

# Fewer than this many images of a type cannot teach a GAN the type (even with DiffAugment,
# which was shown to work from ~100 images); 8 is the floor below which we refuse outright.
MIN_IMAGES_PER_CLASS = 8
# standing statistics draw batches of the default training batch size (the shipped model's)
STANDING_BATCH_SIZE = 16
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass
class MotifTrainConfig:
    """Options of ``heritage train motif``; saved inside every checkpoint."""

    data: str
    out: str = "runs/motif"
    steps: int = 20000
    batch_size: int = 16
    resolution: int = 64
    z_dim: int = 64
    g_channels: list[int] | None = None
    d_channels: list[int] | None = None
    residual: bool = True
    # group size of D's minibatch standard deviation, with class-sorted batches; 0: off
    minibatch_std: int = 0
    # z split over the stem and every G block (BigGAN's hierarchical latent); see the model
    hierarchical_z: bool = False
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    # from this step both learning rates fall linearly to 0 at ``steps``; None: constant
    lr_decay_from: int | None = None
    beta1: float = 0.0
    beta2: float = 0.999
    ema_decay: float = 0.999
    # weight of the mode-seeking term (Mao et al. 2019, MSGAN): pairs of latents of one
    # class are pushed to give images as far apart as the latents; 0 turns it off
    diversity_weight: float = 0.0
    # weight of the latent regression against repeated samples: an encoder learns to
    # recover z from G's images and G is trained to keep it recoverable (both minimise
    # the mean squared error); 0 turns it off. A run may switch it on when resumed from a
    # checkpoint without an encoder: the encoder then starts fresh at that step.
    latent_weight: float = 0.0
    # weight of an auxiliary classifier on D's features (AC-GAN, Odena et al. 2017): D
    # learns to tell the product type of real images, G to make its images of the type it
    # was asked for; 0 turns it off. The head learns from real images only: trained on
    # fakes too (AC-GAN's form), it can lower its loss by making G's images easy to
    # classify instead of like the type's (Gong et al. 2019, TAC-GAN). Like the encoder,
    # it may be switched on when resuming from a checkpoint without one.
    class_weight: float = 0.0
    # weight of colour-distribution matching (train/colour_match.py): the MMD between the
    # colour moments of G's images of a type and of that type's training images, against
    # colour schemes G leaves out; 0 turns it off. Holds no state: it may be switched on at
    # a resume.
    colour_weight: float = 0.0
    augment: str = "color,translation,cutout"
    checkpoint_every: int = 500
    sample_every: int = 500
    keep_checkpoints: int = 3
    seed: int = 0
    device: str = "auto"
    resume_from: str | None = None  # a checkpoint (.pt or .pt.xz) to start from in a new run
    threads: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def model_config(self, categories: list[str]) -> MotifGANConfig:
        defaults = MotifGANConfig()
        blocks = round(math.log2(self.resolution / 4))
        g = self.g_channels or _default_widths(defaults.g_channels, blocks + 1)
        d = self.d_channels or _default_widths(defaults.d_channels, blocks, tail=False)
        return MotifGANConfig(
            resolution=self.resolution,
            z_dim=self.z_dim,
            categories=list(categories),
            g_channels=list(g),
            d_channels=list(d),
            residual=self.residual,
            minibatch_std=self.minibatch_std,
            hierarchical_z=self.hierarchical_z,
        )


def _default_widths(widths: list[int], count: int, tail: bool = True) -> list[int]:
    """Default widths for another resolution: trim or extend the 64px list at the fine end."""
    widths = list(widths)
    while len(widths) < count:
        widths = [*widths, max(8, widths[-1] // 2)] if tail else [max(8, widths[0] // 2), *widths]
    return widths[:count] if tail else widths[-count:]


def list_class_folder(data: str | Path) -> dict[str, list[Path]]:
    """``{class: sorted image paths}`` of a folder with one subfolder per class."""
    root = Path(data)
    if not root.is_dir():
        raise BadInputError("--data: not a folder", path=root)
    classes = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        if files:
            classes[sub.name] = files
    if not classes:
        raise BadInputError(
            "--data needs one subfolder of images per class (e.g. fan/, book/); none found",
            path=root,
        )
    few = {name: len(files) for name, files in classes.items() if len(files) < MIN_IMAGES_PER_CLASS}
    if few:
        listed = ", ".join(f"{name} has {n}" for name, n in few.items())
        raise BadInputError(
            f"--data: every class needs at least {MIN_IMAGES_PER_CLASS} images ({listed})",
            path=root,
        )
    return classes


def _load_square(path: Path, size: int) -> np.ndarray:
    """RGB float32 in [0, 1]: alpha over white, centre square crop, Lanczos resize."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError) as error:
        raise BadInputError(f"cannot read image ({error})", path=path) from error
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, rgba).convert("RGB")
    w, h = rgb.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    rgb = rgb.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
    return np.asarray(rgb, dtype=np.float32) / 255.0


def load_class_folder(
    data: str | Path, resolution: int
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """All images as an N x 3 x R x R tensor in [-1, 1], their labels, the class names."""
    classes = list_class_folder(data)
    images, labels = [], []
    for index, (_name, files) in enumerate(classes.items()):
        for path in files:
            images.append(_load_square(path, resolution))
            labels.append(index)
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous() * 2 - 1
    return pixels, torch.tensor(labels, dtype=torch.long), list(classes)


@dataclass
class _Distributed:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def _setup_distributed(device: str) -> tuple[_Distributed, str]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return _Distributed(), device
    import torch.distributed as dist

    local = int(os.environ.get("LOCAL_RANK", "0"))
    if device.startswith("cuda"):
        torch.cuda.set_device(local)
        device = f"cuda:{local}"
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    return _Distributed(dist.get_rank(), world, local), device


def make_grid(images: torch.Tensor, rows: int) -> np.ndarray:
    """N x 3 x H x W in [-1, 1] -> one uint8 H*rows x W*cols x 3 sheet, 2px gaps."""
    n, _, h, w = images.shape
    cols = math.ceil(n / rows)
    sheet = np.full((rows * (h + 2) - 2, cols * (w + 2) - 2, 3), 255, dtype=np.uint8)
    pixels = ((images.clamp(-1, 1) + 1) * 127.5 + 0.5).to(torch.uint8).permute(0, 2, 3, 1)
    for i, tile in enumerate(pixels.cpu().numpy()):
        r, c = divmod(i, cols)
        sheet[r * (h + 2) : r * (h + 2) + h, c * (w + 2) : c * (w + 2) + w] = tile
    return sheet


@dataclass
class MotifTrainResult:
    run_dir: Path
    steps: int
    categories: list[str]
    last_checkpoint: Path | None
    seconds: float


def sorted_classes(batch: int, num_classes: int) -> torch.Tensor:
    """The classes of a training batch: equal shares (as near as ``batch`` allows), in order."""
    return torch.arange(batch) * num_classes // batch


def class_sorted_batch(
    labels: torch.Tensor, num_classes: int, batch: int, sampler: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(image indices, their classes) of a batch with the classes in equal shares (as near
    as ``batch`` allows) and in order, each image drawn at random from its class.

    With a minibatch standard deviation layer the groups of consecutive images then hold
    one class each, so D measures the spread within a class: a generator that draws every
    fan alike is caught, which a spread over mixed classes (fans next to books) would hide.
    ``labels`` holds the class of every image, in class order.
    """
    classes = sorted_classes(batch, num_classes)
    counts = torch.bincount(labels, minlength=num_classes)
    starts = torch.cumsum(counts, 0) - counts
    offsets = (torch.rand(batch, generator=sampler) * counts[classes]).long()
    return starts[classes] + offsets, classes


def paired_classes(y: torch.Tensor) -> torch.Tensor:
    """Classes for a G batch of latent pairs (0, 1), (2, 3), ...: each odd sample takes
    its even neighbour's class, so that every pair is of one class.

    A class-sorted batch (even groups of one class) comes back unchanged, with every class
    kept: pairing the first half against the second instead would give the second half
    the first half's classes, and the classes in the second half would get no G update.
    """
    return y[0::2].repeat_interleave(2)[: len(y)]


def mode_seeking_loss(fake: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """MSGAN's term: 1 / (mean |G(z1) - G(z2)| / mean |z1 - z2|) over the pairs of
    neighbours (0, 1), (2, 3), ...; small when different latents give different images,
    large when they collapse onto one."""
    pairs = len(fake) // 2
    first, second = slice(0, 2 * pairs, 2), slice(1, 2 * pairs, 2)
    images = (fake[first] - fake[second]).abs().mean()
    latents = (z[first] - z[second]).abs().mean()
    return 1.0 / (images / latents + 1e-5)


def _unwrap(module: torch.nn.Module) -> torch.nn.Module:
    return getattr(module, "module", module)


def train_motif(
    config: MotifTrainConfig,
    *,
    resume: bool = True,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
) -> MotifTrainResult:
    """Train (or resume) a motif GAN; writes checkpoints, samples and log.jsonl to ``out``."""
    from heritagekit.device import resolve_device

    if config.steps <= 0 or config.batch_size <= 0:
        raise BadInputError("--steps and --batch-size must be positive")
    decay = None
    if config.lr_decay_from is not None:
        if not 0 <= config.lr_decay_from < config.steps:
            raise BadInputError(
                f"--lr-decay-from must be a step from 0 to --steps - 1 ({config.steps - 1}), "
                f"got {config.lr_decay_from}"
            )
        decay = linear_decay(config.steps, config.lr_decay_from)
    if config.threads:
        torch.set_num_threads(config.threads)
    dist_info, device = _setup_distributed(resolve_device(config.device))
    run_dir = Path(config.out)
    images, labels, categories = load_class_folder(config.data, config.resolution)
    model_config = config.model_config(categories)
    diff_augment(images[:2], config.augment)  # rejects an unknown augmentation up front

    seed_everything(config.seed + dist_info.rank)
    generator = MotifGenerator(model_config).to(device)
    discriminator = MotifDiscriminator(model_config).to(device)
    ema = copy.deepcopy(generator).eval()
    betas = (config.beta1, config.beta2)
    opt_g = torch.optim.Adam(generator.parameters(), lr=config.lr_g, betas=betas)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=config.lr_d, betas=betas)
    modules = {"generator": generator, "discriminator": discriminator, "ema": ema}
    optimizers = {"generator": opt_g, "discriminator": opt_d}
    encoder = None
    if config.latent_weight > 0:
        encoder = MotifEncoder(config.resolution, config.z_dim).to(device)
        modules["encoder"] = encoder
        # the encoder learns at D's rate: it is the other player G must satisfy
        optimizers["encoder"] = torch.optim.Adam(encoder.parameters(), lr=config.lr_d, betas=betas)
    class_head = None
    if config.class_weight > 0:
        class_head = discriminator.class_head().to(device)
        modules["classifier"] = class_head
        # part of D: it learns at D's rate
        optimizers["classifier"] = torch.optim.Adam(
            class_head.parameters(), lr=config.lr_d, betas=betas
        )
    sampler = torch.Generator().manual_seed(config.seed * 7919 + dist_info.rank)

    start = 0
    if config.resume_from and dist_info.main and latest_checkpoint(run_dir) is None:
        install_checkpoint(config.resume_from, run_dir, model_config)
    previous = latest_checkpoint(run_dir) if resume or config.resume_from else None
    if previous is not None:
        payload = _read_checkpoint(previous)
        _check_compatible(payload, model_config, previous, "use a new --out or --no-resume")
        saved = dict(modules)
        for key, what in (("encoder", "latent encoder"), ("classifier", "class head")):
            if key in modules and key not in payload["modules"]:
                del saved[key]
                if dist_info.main:
                    print(f"{previous}: no {what} in this checkpoint; a new one starts here")
        start, _ = load_checkpoint(
            previous,
            modules=saved,
            optimizers=optimizers,
            generators={"sampler": sampler},
            map_location=device,
        )
        if dist_info.world > 1:  # only rank 0's RNG state is stored: give the others theirs
            seed_everything(config.seed + dist_info.rank + 1_000_003 * start)
    elif dist_info.main:
        run_dir.mkdir(parents=True, exist_ok=True)
        _truncate_log(run_dir / "log.jsonl", 0)
    if dist_info.main:
        _truncate_log(run_dir / "log.jsonl", start)
        (run_dir / "config.json").write_text(
            json.dumps({"train": asdict(config), "model": model_config.to_dict()}, indent=1)
        )

    g_train, d_train, e_train, c_train = generator, discriminator, encoder, class_head
    if dist_info.world > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP

        ids = [dist_info.local_rank] if device.startswith("cuda") else None
        g_train = DDP(generator, device_ids=ids)
        d_train = DDP(discriminator, device_ids=ids)
        if encoder is not None:
            e_train = DDP(encoder, device_ids=ids)
        if class_head is not None:
            c_train = DDP(class_head, device_ids=ids)

    # fixed latents for the sample sheets: one row per class, from their own generator
    fixed = torch.Generator().manual_seed(config.seed + 12345)
    per_row = 8
    fixed_z = torch.randn(per_row * len(categories), config.z_dim, generator=fixed).to(device)
    fixed_y = torch.arange(len(categories)).repeat_interleave(per_row).to(device)

    cpu_labels = labels  # for class-sorted batches, drawn on the CPU like the indices
    images = images.to(device)
    labels = labels.to(device)
    colour_match = (
        ColourMatch(images, labels, len(categories)) if config.colour_weight > 0 else None
    )
    batch = config.batch_size
    began = time.perf_counter()
    checkpoint = previous
    # kept open across the loop (closed in finally): one flushed line per step
    log = open(run_dir / "log.jsonl", "a") if dist_info.main else None  # noqa: SIM115
    done = start
    try:
        with StopRequest() as stop:
            for step in range(start, config.steps):
                # set from the config and the step alone, decay or not: a checkpoint's Adam
                # state carries the rate it ended with (0 after a decay), which must not
                # leak into a run resumed from it with other settings
                factor = decay(step) if decay is not None else 1.0
                for key, optimizer in optimizers.items():
                    base = config.lr_g if key == "generator" else config.lr_d
                    for group in optimizer.param_groups:
                        group["lr"] = base * factor
                if config.minibatch_std:
                    index, y = class_sorted_batch(cpu_labels, len(categories), batch, sampler)
                    real, y = images[index.to(device)], y.to(device)
                else:
                    index = torch.randint(0, len(images), (batch,), generator=sampler).to(device)
                    real, y = images[index], labels[index]

                # discriminator: hinge loss on augmented real and fake (Eq. 2)
                z = torch.randn(batch, config.z_dim, device=device)
                with torch.no_grad():
                    fake = generator(z, y)
                scores, features = d_train(
                    diff_augment(torch.cat([real, fake]), config.augment),
                    torch.cat([y, y]),
                    with_features=True,
                )
                d_real, d_fake = scores[:batch], scores[batch:]
                loss_d = F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()
                loss_class = None
                if c_train is not None:  # the head learns the type of real images only
                    loss_class = F.cross_entropy(c_train(features[:batch]), y)
                    loss_d = loss_d + config.class_weight * loss_class
                    optimizers["classifier"].zero_grad(set_to_none=True)
                opt_d.zero_grad(set_to_none=True)
                loss_d.backward()
                opt_d.step()
                if c_train is not None:
                    optimizers["classifier"].step()

                # encoder: recover z from the same fakes, unaugmented (G is held to its own
                # images, not to the augmentation's)
                loss_latent = None
                if e_train is not None:
                    loss_latent = F.mse_loss(e_train(fake), z)
                    optimizers["encoder"].zero_grad(set_to_none=True)
                    loss_latent.backward()
                    optimizers["encoder"].step()

                # generator: make D score its images as real (Eq. 3, hinge form). The
                # unwrapped D is used so that DDP does not expect gradients for D here.
                z = torch.randn(batch, config.z_dim, device=device)
                if config.diversity_weight > 0:
                    y = paired_classes(y)
                frozen = [*discriminator.parameters()]
                for helper in (encoder, class_head):
                    if helper is not None:
                        frozen += [*helper.parameters()]
                for p in frozen:
                    p.requires_grad_(False)
                fake = g_train(z, y)
                score, features = discriminator(
                    diff_augment(fake, config.augment), y, with_features=True
                )
                loss_g = -score.mean()
                loss_g_class = None
                if class_head is not None:
                    loss_g_class = F.cross_entropy(class_head(features), y)
                    loss_g = loss_g + config.class_weight * loss_g_class
                if encoder is not None:
                    loss_g = loss_g + config.latent_weight * F.mse_loss(encoder(fake), z)
                for p in frozen:
                    p.requires_grad_(True)
                loss_div = mode_seeking_loss(fake, z) if config.diversity_weight > 0 else None
                if loss_div is not None:
                    loss_g = loss_g + config.diversity_weight * loss_div
                loss_colour = colour_match(fake, y) if colour_match is not None else None
                if loss_colour is not None:
                    loss_g = loss_g + config.colour_weight * loss_colour
                opt_g.zero_grad(set_to_none=True)
                loss_g.backward()
                opt_g.step()
                # ramp the EMA in: early on the average would mostly hold the random init
                update_ema(ema, generator, warmed_decay(config.ema_decay, step))

                done = step + 1
                record = {
                    "step": done,
                    "loss_d": float(loss_d.detach()),
                    "loss_g": float(loss_g.detach()),
                    "d_real": float(d_real.detach().mean()),
                    "d_fake": float(d_fake.detach().mean()),
                    "lr": opt_g.param_groups[0]["lr"],
                    # the optional terms, logged when they are on
                    **{
                        key: float(value.detach())
                        for key, value in (
                            ("loss_div", loss_div),
                            ("loss_colour", loss_colour),
                            ("loss_latent", loss_latent),
                            ("loss_class", loss_class),
                            ("loss_g_class", loss_g_class),
                        )
                        if value is not None
                    },
                    "seconds": time.perf_counter() - began,
                }
                if log is not None:
                    log.write(json.dumps(record) + "\n")
                    log.flush()
                if on_step is not None and dist_info.main:
                    on_step(done, record)
                if dist_info.main and (done % config.sample_every == 0 or done == config.steps):
                    _write_samples(run_dir, done, ema, fixed_z, fixed_y, len(categories))
                due = done % config.checkpoint_every == 0 or done == config.steps
                if dist_info.main and (due or stop.requested):
                    checkpoint = save_checkpoint(
                        checkpoint_path(run_dir, done),
                        step=done,
                        modules=modules,
                        optimizers=optimizers,
                        generators={"sampler": sampler},
                        extra={"model_config": model_config.to_dict(), "train": asdict(config)},
                    )
                    prune_checkpoints(run_dir, keep=config.keep_checkpoints)
                if stop.requested:
                    break
    finally:
        if log is not None:
            log.close()
    return MotifTrainResult(run_dir, done, categories, checkpoint, time.perf_counter() - began)


def install_checkpoint(
    source: str | Path, run_dir: str | Path, model_config: MotifGANConfig | None = None
) -> Path:
    """Copy a checkpoint (optionally xz-compressed) into ``run_dir/checkpoints`` under its
    step; with ``model_config``, a checkpoint of another model is refused before anything
    is written."""
    import io
    import lzma

    source = Path(source)
    if not source.is_file():
        raise BadInputError("--resume-from: no such checkpoint", path=source)
    data = source.read_bytes()
    if source.suffix == ".xz":
        try:
            data = lzma.decompress(data)
        except lzma.LZMAError as error:
            raise BadInputError(f"--resume-from: broken xz file ({error})", path=source) from error
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
        step = int(payload["step"])
    except Exception as error:  # torch.load raises many types on a broken file
        raise BadInputError(f"--resume-from: not a checkpoint ({error})", path=source) from error
    if model_config is not None:
        _check_compatible(payload, model_config, source, "pass the options it was trained with")
    target = checkpoint_path(run_dir, step)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def compress_checkpoint(checkpoint: str | Path, target: str | Path, preset: int = 6) -> Path:
    """xz with a filter tuned to float32 tensors (~20 % smaller than plain gzip)."""
    import lzma

    filters = [{"id": lzma.FILTER_LZMA2, "preset": preset, "lc": 0, "lp": 2, "pb": 2}]
    target = Path(target)
    target.write_bytes(lzma.compress(Path(checkpoint).read_bytes(), filters=filters))
    return target


def _check_compatible(
    payload: dict[str, Any], model_config: MotifGANConfig, where: Path, advice: str
) -> None:
    """Refuse, with the reason, a checkpoint of another architecture or class list."""
    try:
        saved = payload["extra"]["model_config"]
    except (KeyError, TypeError) as error:
        raise BadInputError("not a motif training checkpoint", path=where) from error
    # through the dataclass: a key added since the checkpoint was written takes its default
    saved, current = MotifGANConfig.from_dict(saved).to_dict(), model_config.to_dict()
    differs = [
        f"{k}: {saved[k]} in the checkpoint, {current[k]} asked"
        for k in sorted(saved)
        if saved[k] != current[k]
    ]
    if differs:
        raise BadInputError(
            f"checkpoint was trained with another model or data ({'; '.join(differs)}); {advice}",
            path=where,
        )


def _read_checkpoint(path: Path) -> dict[str, Any]:
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:  # torch.load raises many types on a broken file
        raise BadInputError(f"not a motif training checkpoint ({error})", path=path) from error


def _truncate_log(path: Path, step: int) -> None:
    """Drop log rows past ``step``: after a resume the curve continues, not duplicates."""
    if not path.exists():
        return
    keep = [
        line for line in path.read_text().splitlines() if line and json.loads(line)["step"] <= step
    ]
    path.write_text("".join(line + "\n" for line in keep))


@torch.no_grad()
def _write_samples(run_dir: Path, step: int, ema, fixed_z, fixed_y, rows: int) -> Path:
    from PIL import Image

    folder = run_dir / "samples"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"step_{step:08d}.png"
    Image.fromarray(make_grid(ema.eval()(fixed_z, fixed_y), rows)).save(path)
    return path


def read_log(run_dir: str | Path) -> list[dict[str, float]]:
    """The training curve of a run: one dict per step."""
    path = Path(run_dir) / "log.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


@torch.no_grad()
def standing_statistics(
    generator: MotifGenerator,
    *,
    batches: int = 200,
    batch_size: int = STANDING_BATCH_SIZE,
    seed: int = 0,
) -> MotifGenerator:
    """Recompute every BatchNorm's running mean and variance from the generator's own
    batches (BigGAN's "standing statistics", Brock et al. 2019 appendix C.1).

    The EMA generator's weights are an average, but its BatchNorm statistics are copied
    from the live network (``update_ema``), whose activations they describe: the averaged
    network is normalized with another network's statistics. Here its own training-mode
    statistics are averaged over ``batches`` batches drawn as in training (z ~ N(0, I),
    the classes of ``sorted_classes``, as ``class_sorted_batch`` lays them out), with an
    equal weight per batch (``momentum=None``). Parameters are untouched; the generator is
    returned in eval mode.
    """
    if batches <= 0 or batch_size <= 0:
        raise ValueError("standing statistics need batches > 0 and batch_size > 0")
    norms = [m for m in generator.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    momenta = [m.momentum for m in norms]
    device = next(generator.parameters()).device
    rng = torch.Generator().manual_seed(seed)
    classes = sorted_classes(batch_size, generator.config.num_classes)
    generator.train()
    try:
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # cumulative average: every batch weighs the same
        for _ in range(batches):
            z = torch.randn(batch_size, generator.config.z_dim, generator=rng)
            generator(z.to(device), classes.to(device))
    finally:
        for norm, momentum in zip(norms, momenta, strict=True):
            norm.momentum = momentum
        generator.eval()
    return generator


def load_run_generator(
    checkpoint: str | Path,
    *,
    use_ema: bool = True,
    device: str = "cpu",
    standing_batches: int = 0,
) -> tuple[MotifGenerator, dict[str, Any], int]:
    """The (EMA) generator of a checkpoint, its model config dict and its step; with
    ``standing_batches`` > 0 its BatchNorm statistics recomputed over that many batches
    (:func:`standing_statistics`)."""
    payload = torch.load(checkpoint, map_location=device, weights_only=False)
    model_config = payload["extra"]["model_config"]
    generator = MotifGenerator(MotifGANConfig.from_dict(model_config))
    generator.load_state_dict(payload["modules"]["ema" if use_ema else "generator"])
    generator.to(device)
    if standing_batches > 0:
        standing_statistics(generator, batches=standing_batches)
    return generator.eval(), model_config, int(payload["step"])


def export_motif_weights(
    checkpoint: str | Path,
    path: str | Path,
    *,
    name: str,
    metadata: dict[str, Any] | None = None,
    use_ema: bool = True,
    standing_batches: int = 0,
) -> Path:
    """Write the EMA (or the live) generator of a checkpoint as a registry weights file
    (with ``standing_batches`` > 0, its BatchNorm statistics recomputed first)."""
    from heritagekit.models.registry import save_weights

    generator, model_config, step = load_run_generator(
        checkpoint, use_ema=use_ema, standing_batches=standing_batches
    )
    meta = {
        "name": name,
        "task": "motif",
        "builder": "heritagekit.models.motif:build_motif_generator",
        "config": json.dumps(model_config),
        "categories": json.dumps(model_config["categories"]),
        "steps": str(step),
        "generator": "ema" if use_ema else "live",
    }
    if standing_batches > 0:
        meta["batchnorm"] = (
            f"standing statistics over {standing_batches} batches of {STANDING_BATCH_SIZE}"
        )
    meta.update(metadata or {})
    return save_weights(generator, path, meta)
