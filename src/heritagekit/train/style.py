"""Training of style-transfer models: CycleGAN (unpaired) and pix2pix (paired).

CycleGAN (seed 002 Eq. 1-4, with the least-squares GAN loss of the reference code):
two generators G: A->B and F: B->A, two 70x70 PatchGANs, cycle loss weight 10,
identity loss weight ``identity`` x 10 (0.5 in the reference), a pool of the last 50
fakes per discriminator, Adam(2e-4, beta1 = 0.5), learning rate constant for the first
half of the steps and then decaying linearly to 0. Pix2pix: U-Net (or any preset's
generator), conditional PatchGAN, BCE GAN loss + 100 x L1.

Any image size and aspect: every step draws a random resized crop (area fraction and
aspect ratio ranges) from each domain. Exact resume: the checkpoint holds models,
optimizers, schedulers (the decay continues where it stopped), the image pools and every
random generator, so resuming reproduces the uninterrupted loss curve. A sample grid is
written every ``sample_every`` steps, a CSV log every ``log_every``. DDP starts itself
when ``WORLD_SIZE`` > 1 (``torchrun``): ranks draw different crops, rank 0 writes.
"""

from __future__ import annotations

import csv
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
from PIL import Image
from torch import nn

from heritagekit.errors import BadInputError
from heritagekit.models.cyclegan import (
    PRESETS,
    PatchDiscriminator,
    ResnetGenerator,
    count_parameters,
    get_preset,
    init_weights,
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
from heritagekit.train.schedule import linear_decay

MIN_IMAGES = 2
MIN_SIDE = 32
CYCLE_WEIGHT = 10.0
PAIRED_PRESETS = ("pix2pix",)


@dataclass
class StyleTrainConfig:
    a: list[str]
    b: list[str]
    run_dir: str
    preset: str = "lite"
    paired: bool = False
    crop: int = 128
    batch: int = 1
    steps: int = 10000
    decay_from: int | None = None  # step where the linear decay starts (default: steps // 2)
    lr: float = 2e-4
    beta1: float = 0.5
    cycle: float = CYCLE_WEIGHT
    identity: float | None = None  # None: the preset's value
    l1: float = 100.0
    pool_size: int = 50
    scale_a: tuple[float, float] = (0.25, 1.0)
    scale_b: tuple[float, float] = (0.25, 1.0)
    max_side: int = 512  # images are downscaled to this long side when loaded
    width: int | None = None
    blocks: int | None = None
    attention_pool: int | None = None
    sample_every: int = 500
    checkpoint_every: int = 500
    log_every: int = 50
    keep: int = 3
    seed: int = 0
    device: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    def generator_dict(self) -> dict[str, Any]:
        if self.preset in PAIRED_PRESETS:
            cfg = {"width": self.width or 64, "depth": 8}
            return cfg
        over = {
            k: v
            for k, v in (
                ("width", self.width),
                ("blocks", self.blocks),
                ("attention_pool", self.attention_pool),
            )
            if v is not None
        }
        return get_preset(self.preset).generator_config(**over).to_dict()


# ---------------------------------------------------------------- data


def _load_rgb(path: Path, max_side: int) -> np.ndarray:
    """An image as uint8 RGB (alpha composited on white), long side at most ``max_side``."""
    from heritagekit.io import read_image

    data = read_image(path)
    px = data.pixels
    if px.shape[2] == 1:
        px = np.repeat(px, 3, axis=2)
    if data.alpha is not None:  # paper-cuts on transparent ground: lay them on white
        a = data.alpha[..., None]
        px = px * a + (1.0 - a)
    h, w = px.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise BadInputError(f"image too small ({w}x{h}); at least {MIN_SIDE} px a side", path=path)
    img = Image.fromarray(np.clip(np.rint(px * 255), 0, 255).astype(np.uint8))
    if max(h, w) > max_side:
        f = max_side / max(h, w)
        img = img.resize((max(MIN_SIDE, round(w * f)), max(MIN_SIDE, round(h * f))), Image.LANCZOS)
    return np.asarray(img)


def load_folder(inputs: list[str], max_side: int, what: str) -> tuple[list[np.ndarray], list[Path]]:
    """Every readable image under ``inputs``; one clear error for empty or too small sets."""
    from heritagekit.batch import collect_inputs

    files: list[tuple[Path, Path]] = []
    for item in inputs:
        if not Path(item).exists() and not any(ch in item for ch in "*?["):
            raise BadInputError(f"{what}: no such file or folder", path=item)
        try:
            files += collect_inputs([item])
        except BadInputError as error:
            raise BadInputError(f"{what}: {error}") from error
    images, paths, skipped = [], [], []
    for path, _ in files:
        try:
            images.append(_load_rgb(path, max_side))
            paths.append(path)
        except BadInputError as error:
            skipped.append(str(error))  # a bad file among good ones is skipped, not fatal
    if len(images) < MIN_IMAGES:
        where = ", ".join(inputs)
        why = f" (skipped {len(skipped)}, e.g. {skipped[0]})" if skipped else ""
        raise BadInputError(
            f"{what}: found {len(images)} usable image(s) in {where}{why}; "
            f"at least {MIN_IMAGES} are needed (a few hundred for good results)"
        )
    return images, paths


def random_resized_crop(
    image: np.ndarray,
    size: int,
    gen: torch.Generator,
    scale: tuple[float, float],
    ratio: tuple[float, float] = (3 / 4, 4 / 3),
    params: tuple[int, int, int, int, bool] | None = None,
) -> tuple[np.ndarray, tuple[int, int, int, int, bool]]:
    """A random crop (area fraction in ``scale``, aspect in ``ratio``) resized to size x size.

    Draws from ``gen`` only, so the data stream is part of the exact-resume state.
    ``params`` replays a crop (paired data: the same window on both images).
    """
    h, w = image.shape[:2]
    if params is None:
        u = torch.rand(5, generator=gen).tolist()
        area = h * w * (scale[0] + (scale[1] - scale[0]) * u[0])
        logr = math.log(ratio[0]) + (math.log(ratio[1]) - math.log(ratio[0])) * u[1]
        cw = round(math.sqrt(area * math.exp(logr)))
        ch = round(math.sqrt(area / math.exp(logr)))
        cw, ch = max(1, min(cw, w)), max(1, min(ch, h))
        x0 = int(u[2] * (w - cw + 1))
        y0 = int(u[3] * (h - ch + 1))
        params = (x0, y0, cw, ch, u[4] < 0.5)
    x0, y0, cw, ch, flip = params
    crop = Image.fromarray(image[y0 : y0 + ch, x0 : x0 + cw])
    crop = crop.resize((size, size), Image.BICUBIC)
    out = np.asarray(crop)
    if flip:
        out = out[:, ::-1]
    return out, params


def to_tensor(batch: list[np.ndarray]) -> torch.Tensor:
    """uint8 HxWx3 list -> float tensor in [-1, 1] (the tanh range of the generators)."""
    x = torch.from_numpy(np.stack(batch).astype(np.float32) / 127.5 - 1.0)
    return x.permute(0, 3, 1, 2).contiguous()


def to_uint8_image(x: torch.Tensor) -> np.ndarray:
    x = ((x.detach().float().clamp(-1, 1) + 1) * 127.5).round().byte()
    return x.permute(0, 2, 3, 1).cpu().numpy()


class ImagePool:
    """The history buffer of Shrivastava et al.: D sees a mix of new and older fakes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.images: list[torch.Tensor] = []

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return images
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand(1).item() < 0.5:
                k = int(torch.randint(0, self.size, (1,)).item())
                out.append(self.images[k].clone())
                self.images[k] = image.clone()
            else:
                out.append(image)
        return torch.cat(out, 0)

    def state_dict(self) -> dict[str, Any]:
        return {"images": [t.cpu() for t in self.images]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.images = list(state["images"])


# ---------------------------------------------------------------- distributed


def _distributed() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    import torch.distributed as dist

    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
    return dist.get_rank(), world


def _wrap(module: nn.Module, device: torch.device, world: int) -> nn.Module:
    if world <= 1:
        return module
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)


def _plain(module: nn.Module) -> nn.Module:
    return getattr(module, "module", module)


# ---------------------------------------------------------------- trainer


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    log: Path
    samples: list[Path]
    generator: nn.Module
    generator_config: dict[str, Any]
    seconds: float


class StyleTrainer:
    """Owns models, optimizers, data and RNG of one style-training run."""

    def __init__(self, config: StyleTrainConfig) -> None:
        from heritagekit.device import resolve_device

        self.cfg = cfg = config
        if cfg.preset not in PRESETS and cfg.preset not in PAIRED_PRESETS:
            raise BadInputError(
                f"unknown --preset {cfg.preset!r} (known: {', '.join([*PRESETS, *PAIRED_PRESETS])})"
            )
        if cfg.preset in PAIRED_PRESETS and not cfg.paired:
            raise BadInputError("--preset pix2pix needs --paired (aligned A/B pairs)")
        if cfg.crop < MIN_SIDE or cfg.crop % 4:
            raise BadInputError(f"--crop must be a multiple of 4 and at least {MIN_SIDE}")
        if cfg.steps < 1 or cfg.batch < 1:
            raise BadInputError("--steps and --batch must be at least 1")
        self.rank, self.world = _distributed()
        device = resolve_device(cfg.device)
        self.device = torch.device(device) if not isinstance(device, torch.device) else device
        if self.device.type == "cuda" and self.world > 1:
            self.device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(self.device)
        self.run_dir = Path(cfg.run_dir)
        self.data_gen = torch.Generator().manual_seed(cfg.seed * 1000 + self.rank)
        seed_everything(cfg.seed + self.rank)
        self.images_a, self.paths_a = load_folder(cfg.a, cfg.max_side, "--a")
        self.images_b, self.paths_b = load_folder(cfg.b, cfg.max_side, "--b")
        if cfg.paired:
            self._pair_up()
        self.identity = cfg.identity if cfg.identity is not None else self._preset_identity()
        self._build()

    def _preset_identity(self) -> float:
        return 0.0 if self.cfg.paired else get_preset(self.cfg.preset).identity

    def _pair_up(self) -> None:
        by_stem = {p.stem: i for i, p in enumerate(self.paths_b)}
        pairs = [(i, by_stem[p.stem]) for i, p in enumerate(self.paths_a) if p.stem in by_stem]
        if len(pairs) < MIN_IMAGES:
            raise BadInputError(
                f"--paired: {len(pairs)} A/B pair(s) share a file name; at least {MIN_IMAGES} "
                "are needed (pairs are matched by file name without suffix)"
            )
        a = [self.images_a[i] for i, _ in pairs]
        b = []
        for i, j in pairs:
            h, w = self.images_a[i].shape[:2]
            b.append(np.asarray(Image.fromarray(self.images_b[j]).resize((w, h), Image.BICUBIC)))
        self.images_a, self.images_b = a, b

    def _build(self) -> None:
        cfg, dev = self.cfg, self.device
        self.gen_config = cfg.generator_dict()
        if cfg.preset in PAIRED_PRESETS:
            from heritagekit.models.pix2pix import UNetConfig, UNetGenerator

            depth = max(2, min(8, int(math.log2(cfg.crop)) - 1))
            self.gen_config["depth"] = depth
            self.g_ab: nn.Module = UNetGenerator(UNetConfig.from_dict(self.gen_config))
            self.builder = "heritagekit.models.pix2pix:build_unet"
        else:
            self.g_ab = ResnetGenerator(
                get_preset(cfg.preset).generator_config(
                    **{k: self.gen_config[k] for k in ("width", "blocks", "attention_pool")}
                )
            )
            self.builder = "heritagekit.models.cyclegan:build_generator"
        dwidth = 64 if cfg.preset in PAIRED_PRESETS else get_preset(cfg.preset).discriminator_width
        if cfg.paired:
            self.d_b: nn.Module = PatchDiscriminator(in_channels=6, width=dwidth)
            self.g_ba = self.d_a = None
        else:
            self.g_ba = ResnetGenerator(
                get_preset(cfg.preset).generator_config(
                    **{k: self.gen_config[k] for k in ("width", "blocks", "attention_pool")}
                )
            )
            self.d_a = PatchDiscriminator(width=dwidth)
            self.d_b = PatchDiscriminator(width=dwidth)
        for m in self.modules().values():
            init_weights(m)
            m.to(dev)
        gens = [self.g_ab] + ([self.g_ba] if self.g_ba is not None else [])
        discs = [self.d_b] + ([self.d_a] if self.d_a is not None else [])
        betas = (cfg.beta1, 0.999)
        self.opt_g = torch.optim.Adam(
            [p for g in gens for p in g.parameters()], cfg.lr, betas=betas
        )
        self.opt_d = torch.optim.Adam(
            [p for d in discs for p in d.parameters()], cfg.lr, betas=betas
        )
        decay_from = cfg.decay_from if cfg.decay_from is not None else cfg.steps // 2
        self.sched_g = torch.optim.lr_scheduler.LambdaLR(
            self.opt_g, linear_decay(cfg.steps, decay_from)
        )
        self.sched_d = torch.optim.lr_scheduler.LambdaLR(
            self.opt_d, linear_decay(cfg.steps, decay_from)
        )
        self.pool_a, self.pool_b = ImagePool(cfg.pool_size), ImagePool(cfg.pool_size)
        self.wrapped = {k: _wrap(m, dev, self.world) for k, m in self.modules().items()}
        self.step = 0

    def modules(self) -> dict[str, nn.Module]:
        mods = {"g_ab": self.g_ab, "d_b": self.d_b}
        if self.g_ba is not None:
            mods.update(g_ba=self.g_ba, d_a=self.d_a)
        return mods  # type: ignore[return-value]

    # -------------------------------------------------------- batches

    def _draw(self) -> tuple[torch.Tensor, torch.Tensor]:
        cfg, gen = self.cfg, self.data_gen
        xa, xb = [], []
        for _ in range(cfg.batch):
            i = int(torch.randint(0, len(self.images_a), (1,), generator=gen).item())
            a, params = random_resized_crop(self.images_a[i], cfg.crop, gen, cfg.scale_a)
            if cfg.paired:
                b, _ = random_resized_crop(
                    self.images_b[i], cfg.crop, gen, cfg.scale_a, params=params
                )
            else:
                j = int(torch.randint(0, len(self.images_b), (1,), generator=gen).item())
                b, _ = random_resized_crop(self.images_b[j], cfg.crop, gen, cfg.scale_b)
            xa.append(a)
            xb.append(b)
        return to_tensor(xa).to(self.device), to_tensor(xb).to(self.device)

    # -------------------------------------------------------- one step

    @staticmethod
    def _lsgan(pred: torch.Tensor, real: bool) -> torch.Tensor:
        return F.mse_loss(pred, torch.full_like(pred, 1.0 if real else 0.0))

    def _cycle_step(self, real_a: torch.Tensor, real_b: torch.Tensor) -> dict[str, float]:
        w = self.wrapped
        g_ab, g_ba = w["g_ab"], w["g_ba"]
        d_a, d_b = _plain(self.d_a), _plain(self.d_b)  # frozen for the G step: no DDP hooks
        for d in (d_a, d_b):
            d.requires_grad_(False)
        fake_b, fake_a = g_ab(real_a), g_ba(real_b)
        rec_a, rec_b = g_ba(fake_b), g_ab(fake_a)
        loss_gan = self._lsgan(d_b(fake_b), True) + self._lsgan(d_a(fake_a), True)
        loss_cyc = (F.l1_loss(rec_a, real_a) + F.l1_loss(rec_b, real_b)) * self.cfg.cycle
        loss_idt = torch.zeros((), device=real_a.device)
        if self.identity > 0:  # identity keeps colours: the cure for colour inversion
            loss_idt = (F.l1_loss(g_ab(real_b), real_b) + F.l1_loss(g_ba(real_a), real_a)) * (
                self.cfg.cycle * self.identity
            )
        self.opt_g.zero_grad(set_to_none=True)
        (loss_gan + loss_cyc + loss_idt).backward()
        self.opt_g.step()
        for d in (d_a, d_b):
            d.requires_grad_(True)
        pa, pb = self.pool_a.query(fake_a), self.pool_b.query(fake_b)
        loss_d = 0.5 * (
            self._lsgan(w["d_a"](real_a), True)
            + self._lsgan(w["d_a"](pa), False)
            + self._lsgan(w["d_b"](real_b), True)
            + self._lsgan(w["d_b"](pb), False)
        )
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        return {
            "g_gan": loss_gan.item(),
            "cycle": loss_cyc.item(),
            "identity": loss_idt.item(),
            "d": loss_d.item(),
        }

    def _paired_step(self, real_a: torch.Tensor, real_b: torch.Tensor) -> dict[str, float]:
        g, d_plain = self.wrapped["g_ab"], _plain(self.d_b)
        bce = F.binary_cross_entropy_with_logits
        fake_b = g(real_a)
        d_plain.requires_grad_(False)
        pred = d_plain(torch.cat([real_a, fake_b], 1))
        loss_gan = bce(pred, torch.ones_like(pred))
        loss_l1 = F.l1_loss(fake_b, real_b) * self.cfg.l1
        self.opt_g.zero_grad(set_to_none=True)
        (loss_gan + loss_l1).backward()
        self.opt_g.step()
        d_plain.requires_grad_(True)
        d = self.wrapped["d_b"]
        p_real = d(torch.cat([real_a, real_b], 1))
        p_fake = d(torch.cat([real_a, fake_b.detach()], 1))
        loss_d = 0.5 * (
            bce(p_real, torch.ones_like(p_real)) + bce(p_fake, torch.zeros_like(p_fake))
        )
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        return {"g_gan": loss_gan.item(), "l1": loss_l1.item(), "d": loss_d.item()}

    def train_step(self) -> dict[str, float]:
        real_a, real_b = self._draw()
        for m in self.wrapped.values():
            m.train()
        losses = (
            self._paired_step(real_a, real_b)
            if self.cfg.paired
            else self._cycle_step(real_a, real_b)
        )
        self.sched_g.step()
        self.sched_d.step()
        self.step += 1
        losses["lr"] = self.sched_g.get_last_lr()[0]
        return losses

    # -------------------------------------------------------- state

    def save(self) -> Path:
        path = checkpoint_path(self.run_dir, self.step)
        save_checkpoint(
            path,
            step=self.step,
            modules=self.modules(),
            optimizers={"g": self.opt_g, "d": self.opt_d},
            schedulers={"g": self.sched_g, "d": self.sched_d},
            generators={"data": self.data_gen},
            extra={
                "pool_a": self.pool_a.state_dict(),
                "pool_b": self.pool_b.state_dict(),
                "config": _jsonable(asdict(self.cfg)),
                "generator_config": self.gen_config,
                "builder": self.builder,
            },
        )
        prune_checkpoints(self.run_dir, self.cfg.keep)
        return path

    def resume(self, path: Path | None = None) -> bool:
        path = path or latest_checkpoint(self.run_dir)
        if path is None:
            return False
        step, extra = load_checkpoint(
            path,
            modules=self.modules(),
            optimizers={"g": self.opt_g, "d": self.opt_d},
            schedulers={"g": self.sched_g, "d": self.sched_d},
            generators={"data": self.data_gen},
        )
        if extra.get("generator_config") != self.gen_config:
            raise BadInputError(
                "checkpoint was trained with another generator configuration "
                f"({extra.get('generator_config')}); use another --run-dir",
                path=path,
            )
        self.pool_a.load_state_dict(extra["pool_a"])
        self.pool_b.load_state_dict(extra["pool_b"])
        self.step = step
        return True

    # -------------------------------------------------------- samples

    def sample_grid(self, count: int = 4) -> Path:
        """Rows: input, output (and reconstruction) of fixed centre crops of the first A images."""
        picks = self.images_a[:count]
        crops = []
        for img in picks:
            h, w = img.shape[:2]
            s = min(h, w)
            y0, x0 = (h - s) // 2, (w - s) // 2
            crop = Image.fromarray(img[y0 : y0 + s, x0 : x0 + s]).resize(
                (self.cfg.crop, self.cfg.crop), Image.BICUBIC
            )
            crops.append(np.asarray(crop))
        x = to_tensor(crops).to(self.device)
        g = _plain(self.g_ab).eval()
        with torch.no_grad():
            y = g(x)
            rows = [x, y]
            if self.g_ba is not None:
                rows.append(_plain(self.g_ba).eval()(y))
        g.train()
        tiles = [np.concatenate(list(to_uint8_image(r)), axis=1) for r in rows]
        path = self.run_dir / "samples" / f"step_{self.step:08d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.concatenate(tiles, axis=0)).save(path)
        return path


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


LOG_FIELDS = ("step", "seconds", "lr", "g_gan", "cycle", "identity", "l1", "d")


def _trim_log(log: Path, step: int) -> None:
    """After a resume, drop log rows past the checkpoint so the curve has no duplicates."""
    if not log.exists():
        return
    with open(log, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["step"]) <= step]
    with open(log, "w", newline="") as handle:
        writer = csv.DictWriter(handle, LOG_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def train_style(
    config: StyleTrainConfig,
    *,
    resume: bool = True,
    progress: Callable[[int, int, dict[str, float]], None] | None = None,
    stop_after: int | None = None,
) -> TrainResult:
    """Train (or continue) a style model; returns the A->B generator and where things are.

    ``stop_after`` ends this call after that many steps without changing the schedule
    (used to test exact resume and to train in slices).
    """
    trainer = StyleTrainer(config)
    run_dir = trainer.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    log = run_dir / "log.csv"
    if resume and trainer.resume():
        _trim_log(log, trainer.step)
        if trainer.rank == 0 and not log.exists():  # a checkpoint copied in without its log
            with open(log, "w", newline="") as handle:
                csv.DictWriter(handle, LOG_FIELDS).writeheader()
    elif trainer.rank == 0:
        (run_dir / "config.json").write_text(json.dumps(_jsonable(asdict(config)), indent=2))
        with open(log, "w", newline="") as handle:
            csv.DictWriter(handle, LOG_FIELDS).writeheader()
    samples: list[Path] = []
    start = time.perf_counter()
    end = config.steps if stop_after is None else min(config.steps, trainer.step + stop_after)
    main = trainer.rank == 0
    with StopRequest() as stop:
        while trainer.step < end:
            losses = trainer.train_step()
            step = trainer.step
            if main and (step % config.log_every == 0 or step == end):
                with open(log, "a", newline="") as handle:
                    row = {"step": step, "seconds": round(time.perf_counter() - start, 2), **losses}
                    csv.DictWriter(handle, LOG_FIELDS, extrasaction="ignore").writerow(row)
            if main and config.sample_every and step % config.sample_every == 0:
                samples.append(trainer.sample_grid())
            if progress:
                progress(step, config.steps, losses)
            if main and (step % config.checkpoint_every == 0 or step == end or stop.requested):
                trainer.save()
            if stop.requested:
                break
    if trainer.world > 1:
        import torch.distributed as dist

        dist.barrier()
    return TrainResult(
        run_dir=run_dir,
        step=trainer.step,
        log=log,
        samples=samples,
        generator=_plain(trainer.g_ab).eval(),
        generator_config=trainer.gen_config,
        seconds=time.perf_counter() - start,
    )


def export_generator(
    result: TrainResult, path: str | Path, *, name: str, extra: dict[str, Any] | None = None
) -> Path:
    """Write the A->B generator as registry-ready safetensors (task ``style``)."""
    from heritagekit.models.registry import save_weights

    builder = (
        "heritagekit.models.pix2pix:build_unet"
        if "depth" in result.generator_config
        else "heritagekit.models.cyclegan:build_generator"
    )
    meta = {
        "name": name,
        "task": "style",
        "builder": builder,
        "config": result.generator_config,
        "steps": result.step,
        "parameters": count_parameters(result.generator),
        **(extra or {}),
    }
    return save_weights(result.generator.cpu(), path, meta)


def generator_from_run(run_dir: str | Path) -> tuple[nn.Module, dict[str, Any], int]:
    """The A->B generator of a run's newest checkpoint: (network in eval mode, config, step)."""
    path = latest_checkpoint(run_dir)
    if path is None:
        raise BadInputError("no checkpoint in this run folder", path=run_dir)
    payload = torch.load(path, map_location="cpu", weights_only=False)
    extra = payload["extra"]
    if extra["builder"].endswith("build_unet"):
        from heritagekit.models.pix2pix import build_unet

        net: nn.Module = build_unet(extra["generator_config"])
    else:
        from heritagekit.models.cyclegan import build_generator

        net = build_generator(extra["generator_config"])
    net.load_state_dict(payload["modules"]["g_ab"])
    return net.eval(), extra["generator_config"], int(payload["step"])


def slim_checkpoint(source: str | Path, destination: str | Path) -> Path:
    """A small checkpoint to keep in git: the four networks in float16, the LR schedule,
    step and RNG state, without Adam's moments and image pools.

    Resuming from it continues the schedule and the data stream but restarts Adam's
    moment estimates, so it is a warm start, not the bit-exact resume of a full checkpoint.
    """
    payload = torch.load(source, map_location="cpu", weights_only=False)
    payload["modules"] = {
        name: {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
        for name, state in payload["modules"].items()
    }
    payload["optimizers"] = {}
    payload["extra"]["pool_a"] = {"images": []}
    payload["extra"]["pool_b"] = {"images": []}
    payload["extra"]["slim"] = True
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, destination)
    return destination
