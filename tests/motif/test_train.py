"""Training: exact resume, sample grids, checkpoints, export to the registry format."""

from __future__ import annotations

import json

import pytest

from heritagekit.errors import BadInputError
from heritagekit.train.motif import (
    MIN_IMAGES_PER_CLASS,
    MotifTrainConfig,
    list_class_folder,
    read_log,
    train_motif,
)


def _config(data, out, steps):
    return MotifTrainConfig(
        data=str(data),
        out=str(out),
        steps=steps,
        batch_size=4,
        resolution=16,
        checkpoint_every=2,
        sample_every=2,
        device="cpu",
        threads=1,
        seed=3,
    )


def _straight_and_resumed(config) -> tuple[list[dict], list[dict]]:
    """Logs of a 4-step run and of the same run stopped at 2 and resumed to 4;
    ``config(out, steps)`` builds the configuration."""
    train_motif(config("whole", 4), resume=False)
    train_motif(config("split", 2), resume=False)
    train_motif(config("split", 4))
    return read_log(config("whole", 4).out), read_log(config("split", 4).out)


@pytest.fixture(scope="module")
def straight(tiny_data, tmp_path_factory):
    """A 4-step run and a 2-step run of the same config (the first half of a resume)."""
    root = tmp_path_factory.mktemp("straight")
    train_motif(_config(tiny_data, root / "a", 4), resume=False)
    half = train_motif(_config(tiny_data, root / "half", 2), resume=False)
    return root / "a", half.last_checkpoint


def test_resume_continues_the_exact_loss_curve(tiny_data, tmp_path, straight):
    import shutil

    shutil.copytree(straight[1].parent.parent, tmp_path / "b")
    resumed = train_motif(_config(tiny_data, tmp_path / "b", 4))  # picks up step 2
    assert resumed.steps == 4
    a, b = read_log(straight[0]), read_log(tmp_path / "b")
    assert [r["step"] for r in b] == [1, 2, 3, 4]
    for ra, rb in zip(a, b, strict=True):
        assert ra["loss_d"] == rb["loss_d"] and ra["loss_g"] == rb["loss_g"]
    assert (tmp_path / "b" / "samples" / "step_00000004.png").exists()
    assert json.loads((tmp_path / "b" / "config.json").read_text())["model"]["resolution"] == 16


def test_resume_refuses_a_checkpoint_of_another_model(tiny_data, straight):
    other = _config(tiny_data, straight[1].parent.parent, 4)
    other.residual = False
    with pytest.raises(BadInputError, match="another model"):
        train_motif(other)


def test_class_folder_checks(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInputError, match="one subfolder of images per class"):
        list_class_folder(tmp_path / "empty")
    from heritagekit.synth.motifs import write_motif_dataset

    data = write_motif_dataset(tmp_path / "few", per_class=MIN_IMAGES_PER_CLASS - 1, size=8)
    with pytest.raises(BadInputError, match=f"at least {MIN_IMAGES_PER_CLASS} images"):
        list_class_folder(data)


def test_export_loads_through_the_registry(tiny_weights):
    from heritagekit.models.registry import load_weights_file

    generator, meta = load_weights_file(tiny_weights, task="motif")
    assert meta["name"] == "motif-tiny" and json.loads(meta["categories"]) == [
        "book",
        "earrings",
        "fan",
        "puppet",
    ]
    assert generator.config.resolution == 16


@pytest.mark.slow
def test_ddp_two_processes_on_cpu(tiny_data, tmp_path, torchrun):
    """torchrun with two gloo processes trains and writes one checkpoint (rank 0)."""
    torchrun(
        "from heritagekit.train.motif import MotifTrainConfig, train_motif\n"
        f"train_motif(MotifTrainConfig(data={str(tiny_data)!r}, out={str(tmp_path / 'ddp')!r},"
        " steps=2, batch_size=2, resolution=16, checkpoint_every=2, sample_every=2,"
        " device='cpu', threads=1))\n",
        tmp_path,
    )
    assert (tmp_path / "ddp" / "checkpoints" / "step_00000002.pt").exists()
    assert len(read_log(tmp_path / "ddp")) == 2


def test_compressed_checkpoint_starts_a_new_run_exactly(tiny_data, tmp_path, straight):
    from heritagekit.train.motif import compress_checkpoint

    packed = compress_checkpoint(straight[1], tmp_path / "b2.pt.xz", preset=0)
    fresh = _config(tiny_data, tmp_path / "c", 4)
    fresh.resume_from = str(packed)
    train_motif(fresh)
    a, c = read_log(straight[0]), read_log(tmp_path / "c")
    assert [r["step"] for r in c] == [3, 4]
    assert [r["loss_g"] for r in c] == [r["loss_g"] for r in a[2:]]


def test_mode_seeking_loss_closed_form():
    import torch

    from heritagekit.train.motif import mode_seeking_loss

    z = torch.zeros(4, 8)
    z[1::2] = 2.0  # pairs (0, 1) and (2, 3): |z1 - z2| = 2 everywhere
    fake = torch.zeros(4, 3, 5, 5)
    fake[1::2] = 0.5  # |G1 - G2| = 0.5: ratio 0.25, loss 1 / 0.25
    assert float(mode_seeking_loss(fake, z)) == pytest.approx(4.0, rel=1e-4)
    collapsed = torch.zeros(4, 3, 5, 5)  # two latents, one image: the loss explodes
    assert float(mode_seeking_loss(collapsed, z)) == pytest.approx(1e5)
    odd = torch.cat([fake, torch.full((1, 3, 5, 5), 9.0)])  # an unpaired last sample: unused
    assert float(mode_seeking_loss(odd, torch.cat([z, z[:1]]))) == pytest.approx(4.0, rel=1e-4)


def test_pairs_keep_every_class_of_a_class_sorted_batch():
    import torch

    from heritagekit.train.motif import class_sorted_batch, paired_classes

    labels = torch.arange(4).repeat_interleave(10)
    _, y = class_sorted_batch(labels, 4, 16, torch.Generator().manual_seed(0))
    assert paired_classes(y).tolist() == y.tolist()  # groups of 4 of one class: unchanged
    assert set(paired_classes(y).tolist()) == {0, 1, 2, 3}
    mixed = torch.tensor([3, 0, 2, 2, 1])
    assert paired_classes(mixed).tolist() == [3, 3, 2, 2, 1]


def test_diversity_term_is_logged_and_resumes_exactly(tiny_data, tmp_path):
    config = _config(tiny_data, tmp_path / "full", 4)
    config.diversity_weight = 1.0
    train_motif(config, resume=False)
    full = read_log(tmp_path / "full")
    assert all(r["loss_div"] > 0 for r in full)
    half = _config(tiny_data, tmp_path / "split", 2)
    half.diversity_weight = 1.0
    train_motif(half, resume=False)
    rest = _config(tiny_data, tmp_path / "split", 4)
    rest.diversity_weight = 1.0
    train_motif(rest)
    split = read_log(tmp_path / "split")
    assert [(r["loss_g"], r["loss_div"]) for r in split] == [
        (r["loss_g"], r["loss_div"]) for r in full
    ]


def test_checkpoint_from_before_a_new_model_option_still_resumes(tiny_data, tmp_path, straight):
    import shutil

    import torch

    run = tmp_path / "old"
    shutil.copytree(straight[1].parent.parent, run)
    # a checkpoint written before MotifGANConfig had ``minibatch_std``
    payload = torch.load(straight[1], map_location="cpu", weights_only=False)
    del payload["extra"]["model_config"]["minibatch_std"]
    torch.save(payload, run / "checkpoints" / straight[1].name)
    assert train_motif(_config(tiny_data, run, 4)).steps == 4
    spread = _config(tiny_data, run, 6)
    spread.minibatch_std = 2  # another discriminator: refused
    with pytest.raises(BadInputError, match="minibatch_std"):
        train_motif(spread)


def test_minibatch_std_run_resumes_exactly(tiny_data, tmp_path):
    def config(out, steps):
        c = _config(tiny_data, tmp_path / out, steps)
        c.minibatch_std = 2
        return c

    full, split = _straight_and_resumed(config)
    assert [r["loss_d"] for r in full] == [r["loss_d"] for r in split]


def test_hierarchical_z_run_resumes_exactly_and_exports_its_layout(tiny_data, tmp_path, straight):
    from heritagekit.models.registry import load_weights_file
    from heritagekit.train.motif import export_motif_weights

    def config(out, steps):
        c = _config(tiny_data, tmp_path / out, steps)
        c.hierarchical_z = True
        return c

    train_motif(config("full", 4), resume=False)
    train_motif(config("split", 2), resume=False)
    result = train_motif(config("split", 4))
    full, split = read_log(tmp_path / "full"), read_log(tmp_path / "split")
    assert [r["loss_g"] for r in full] == [r["loss_g"] for r in split]
    path = export_motif_weights(result.last_checkpoint, tmp_path / "h.safetensors", name="h")
    generator, _ = load_weights_file(path, task="motif")
    assert generator.config.hierarchical_z and len(generator.z_chunks) == 3
    # a flat-latent checkpoint cannot go on as a hierarchical run
    flat = config("flat", 6)
    flat.resume_from = str(straight[1])
    expected = "hierarchical_z: False in the checkpoint, True asked.*pass the options"
    with pytest.raises(BadInputError, match=expected):
        train_motif(flat, resume=False)
    assert not (tmp_path / "flat" / "checkpoints").exists()  # refused before anything written


def test_class_sorted_batches_are_balanced_and_drawn_from_their_class():
    import torch

    from heritagekit.train.motif import class_sorted_batch

    labels = torch.tensor([0] * 5 + [1] * 9 + [2] * 3)  # images in class order
    sampler = torch.Generator().manual_seed(0)
    seen = set()
    for _ in range(200):
        index, classes = class_sorted_batch(labels, 3, 12, sampler)
        assert classes.tolist() == [0] * 4 + [1] * 4 + [2] * 4
        assert torch.equal(labels[index], classes)
        seen.update(index.tolist())
    assert seen == set(range(17))  # every image of every class gets drawn
    _, odd = class_sorted_batch(labels, 3, 7, sampler)
    assert odd.tolist() == [0, 0, 0, 1, 1, 2, 2]  # as equal as 7 allows, in order


@pytest.mark.usefixtures("sigterm_raises")
def test_sigterm_checkpoints_the_step_reached_and_resume_is_exact(tiny_data, tmp_path, straight):
    import os
    import signal

    def kill_at_step_1(step, record):
        if step == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    # checkpoint_every is 2: only the stop can write the step-1 checkpoint
    stopped = train_motif(_config(tiny_data, tmp_path, 4), resume=False, on_step=kill_at_step_1)
    assert stopped.steps == 1 and stopped.last_checkpoint.name == "step_00000001.pt"
    train_motif(_config(tiny_data, tmp_path, 4))
    a, b = read_log(straight[0]), read_log(tmp_path)
    assert [(r["loss_d"], r["loss_g"]) for r in a] == [(r["loss_d"], r["loss_g"]) for r in b]


def test_cli_stopped_by_sigterm_exits_130_and_exports_nothing(tiny_data, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    run, export = tmp_path / "run", tmp_path / "m.safetensors"
    args = ["train", "motif", "--data", str(tiny_data), "-o", str(run), "--steps", "100000"]
    args += ["--resolution", "16", "--batch-size", "4", "--threads", "1", "-q"]
    args += ["--export", str(export)]
    process = subprocess.Popen(
        [sys.executable, "-c", "from heritagekit.cli.main import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = run / "log.jsonl"
    deadline = time.monotonic() + 120
    while not (log.exists() and log.read_text().count("\n") >= 2):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    steps = read_log(run)[-1]["step"]
    assert process.returncode == 130
    assert f"stopped at step {steps} of 100000" in err and "run the same command again" in err
    assert (run / "checkpoints" / f"step_{steps:08d}.pt").is_file()
    assert not export.exists()


@pytest.mark.usefixtures("sigterm_raises")
def test_learning_rate_decay_is_linear_and_resumes_exactly(tiny_data, tmp_path):
    import os
    import signal

    def config(out):
        c = _config(tiny_data, out, 6)
        c.lr_decay_from = 2  # of 6 steps: 1, 1, 1, 3/4, 1/2, 1/4 of 2e-4
        return c

    train_motif(config(tmp_path / "full"), resume=False)
    full = read_log(tmp_path / "full")
    assert [r["lr"] for r in full] == pytest.approx([2e-4, 2e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4])

    def kill_at_step_3(step, record):
        if step == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    # stopped mid-decay at step 3, resumed to 6: the schedule and the losses carry on
    stopped = train_motif(config(tmp_path / "split"), resume=False, on_step=kill_at_step_3)
    assert stopped.steps == 3
    train_motif(config(tmp_path / "split"))
    split = read_log(tmp_path / "split")
    key = ("step", "lr", "loss_d", "loss_g")
    assert [[r[k] for k in key] for r in split] == [[r[k] for k in key] for r in full]


def test_a_decay_branched_from_a_constant_rate_run_equals_the_schedule_from_scratch(
    tiny_data, tmp_path
):
    # how the shipped motif model was trained: a constant-rate run, then from its step-4
    # checkpoint a new run with the decay; the same as the decayed schedule from step 0
    scratch = _config(tiny_data, tmp_path / "scratch", 6)
    scratch.lr_decay_from = 4
    train_motif(scratch, resume=False)
    train_motif(_config(tiny_data, tmp_path / "constant", 8), resume=False)
    branch = _config(tiny_data, tmp_path / "branch", 6)
    branch.lr_decay_from = 4
    branch.resume_from = str(tmp_path / "constant" / "checkpoints" / "step_00000004.pt")
    train_motif(branch, resume=False)
    key = ("step", "lr", "loss_d", "loss_g")
    tail = [[r[k] for k in key] for r in read_log(tmp_path / "scratch")[4:]]
    assert [[r[k] for k in key] for r in read_log(tmp_path / "branch")] == tail


def test_a_run_resumed_from_a_decayed_checkpoint_trains_at_its_own_rate(tiny_data, tmp_path):
    decayed = _config(tiny_data, tmp_path / "decayed", 4)
    decayed.lr_decay_from = 0  # ends with both rates at 1/4 of 2e-4 in Adam's state
    train_motif(decayed, resume=False)
    assert read_log(tmp_path / "decayed")[-1]["lr"] == pytest.approx(0.5e-4)

    onward = _config(tiny_data, tmp_path / "onward", 6)
    onward.resume_from = str(tmp_path / "decayed" / "checkpoints" / "step_00000004.pt")
    onward.lr_g = onward.lr_d = 1e-4
    train_motif(onward, resume=False)
    assert [r["lr"] for r in read_log(tmp_path / "onward")] == pytest.approx([1e-4, 1e-4])


@pytest.mark.parametrize("decay_from", [-1, 6, 9])
def test_learning_rate_decay_outside_the_run_is_refused(tiny_data, tmp_path, decay_from):
    c = _config(tiny_data, tmp_path, 6)
    c.lr_decay_from = decay_from
    with pytest.raises(BadInputError, match="--lr-decay-from must be a step from 0 to"):
        train_motif(c, resume=False)


@pytest.mark.parametrize(("keep", "kept"), [(2, [3, 4]), (0, [1, 2, 3, 4])])
def test_keep_checkpoints(tiny_data, tmp_path, keep, kept):
    config = _config(tiny_data, tmp_path, 4)
    config.checkpoint_every, config.keep_checkpoints = 1, keep
    train_motif(config, resume=False)
    names = sorted(p.name for p in (tmp_path / "checkpoints").iterdir())
    assert names == [f"step_{s:08d}.pt" for s in kept]


def test_mode_seeking_steps_train_g_on_every_class(tiny_data, tmp_path, monkeypatch):
    """With class-sorted batches and the term on, G's training batch holds all four types
    (the first-half/second-half pairing gave it only the first two)."""
    import torch

    from heritagekit.models.motif import MotifGenerator

    seen: list[set[int]] = []
    forward = MotifGenerator.forward

    def spy(self, z, y):
        if torch.is_grad_enabled():  # G's own step, not D's step or the samples
            seen.append(set(y.tolist()))
        return forward(self, z, y)

    monkeypatch.setattr(MotifGenerator, "forward", spy)
    config = _config(tiny_data, tmp_path / "ms", 2)
    config.batch_size, config.minibatch_std, config.diversity_weight = 8, 2, 0.1
    train_motif(config, resume=False)
    assert seen and all(classes == {0, 1, 2, 3} for classes in seen)


def test_latent_regression_trains_the_encoder_and_g_and_resumes_exactly(
    tiny_data, tmp_path, monkeypatch
):
    """The encoder learns on the D step's fakes (no gradient to G; its weights move); G's
    step asks it for the latent of G's own images with G's gradient attached; resumed
    halfway the run repeats its curve."""
    import torch

    from heritagekit.models.motif import MotifEncoder

    def config(out, steps):
        c = _config(tiny_data, tmp_path / out, steps)
        c.latent_weight = 1.0
        return c

    calls: list[tuple[int, bool]] = []
    forward = MotifEncoder.forward

    def spy(self, x):
        calls.append((len(x), x.requires_grad))
        return forward(self, x)

    monkeypatch.setattr(MotifEncoder, "forward", spy)
    train_motif(config("full", 4), resume=False)
    batch = 4
    assert calls == [(batch, False), (batch, True)] * 4  # its own step, then G's
    monkeypatch.undo()

    train_motif(config("split", 2), resume=False)
    train_motif(config("split", 4))
    full, split = read_log(tmp_path / "full"), read_log(tmp_path / "split")
    assert all(r["loss_latent"] > 0 for r in full)
    assert [(r["loss_g"], r["loss_latent"]) for r in full] == [
        (r["loss_g"], r["loss_latent"]) for r in split
    ]
    weights = [
        torch.load(tmp_path / "full" / "checkpoints" / f"step_{s:08d}.pt", weights_only=False)[
            "modules"
        ]["encoder"]["head.weight"]
        for s in (2, 4)
    ]
    assert not torch.equal(*weights)


def test_latent_regression_can_start_from_a_run_without_it(tiny_data, tmp_path, straight):
    """Switched on at a resume (as in a decay phase), G and D go on from the checkpoint and
    a fresh encoder starts; the other way round the encoder is simply left behind."""
    import torch

    late = _config(tiny_data, tmp_path / "late", 4)
    late.latent_weight, late.resume_from = 1.0, str(straight[1])
    train_motif(late, resume=False)
    rows = read_log(tmp_path / "late")
    assert [r["step"] for r in rows] == [3, 4] and all(r["loss_latent"] > 0 for r in rows)
    saved = torch.load(tmp_path / "late" / "checkpoints" / "step_00000004.pt", weights_only=False)
    assert "encoder" in saved["modules"]
    # G and D went on from the straight run's step 2: the D loss of step 3 is the same
    # as the straight run's (the encoder's step comes after D's)
    assert rows[0]["loss_d"] == read_log(straight[0])[2]["loss_d"]

    back = _config(tiny_data, tmp_path / "back", 6)
    back.resume_from = str(tmp_path / "late" / "checkpoints" / "step_00000004.pt")
    train_motif(back, resume=False)
    assert [r["step"] for r in read_log(tmp_path / "back")] == [5, 6]


def test_standing_statistics_are_the_mean_of_the_generators_own_batch_statistics():
    """Reference computed apart: each BatchNorm's input captured by a hook over the same
    batches, per-batch channel mean and unbiased variance averaged with equal weights."""
    import torch

    from heritagekit.models.motif import MotifGANConfig, MotifGenerator
    from heritagekit.train.motif import standing_statistics

    config = MotifGANConfig(
        resolution=16, z_dim=8, g_channels=[16, 8, 4], d_channels=[8, 16], hierarchical_z=True
    )
    g = MotifGenerator(config)
    norms = [m for m in g.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for norm in norms:  # stale statistics, as an EMA G carries the live G's
        norm.running_mean.fill_(5.0)
        norm.running_var.fill_(9.0)
    params = {k: v.clone() for k, v in g.named_parameters()}

    rng = torch.Generator().manual_seed(4)  # the draws standing_statistics(seed=4) makes
    classes = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])  # equal shares, in order
    reference = MotifGenerator(config)
    reference.load_state_dict(g.state_dict())
    reference.train()
    reference_norms = [m for m in reference.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    captured = {id(n): [] for n in reference_norms}
    hooks = [
        n.register_forward_hook(lambda m, i, o: captured[id(m)].append(i[0].detach()))
        for n in reference_norms
    ]
    with torch.no_grad():
        for _ in range(3):
            reference(torch.randn(8, 8, generator=rng), classes)
    for hook in hooks:
        hook.remove()

    standing_statistics(g, batches=3, batch_size=8, seed=4)
    assert not g.training
    for norm, ref in zip(norms, reference_norms, strict=True):
        inputs = captured[id(ref)]
        mean = torch.stack([x.mean(dim=(0, 2, 3)) for x in inputs]).mean(0)
        var = torch.stack([x.transpose(0, 1).flatten(1).var(1) for x in inputs]).mean(0)
        torch.testing.assert_close(norm.running_mean, mean, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(norm.running_var, var, rtol=1e-5, atol=1e-6)
        assert norm.momentum == 0.1  # restored
    for name, p in g.named_parameters():
        assert torch.equal(p, params[name]), name


def test_standing_statistics_reject_an_empty_pass():
    from heritagekit.models.motif import MotifGANConfig, MotifGenerator
    from heritagekit.train.motif import standing_statistics

    g = MotifGenerator(MotifGANConfig(resolution=16, g_channels=[16, 8, 4], d_channels=[8, 16]))
    with pytest.raises(ValueError, match="batches > 0"):
        standing_statistics(g, batches=0)


def test_export_with_standing_statistics_ships_the_recomputed_buffers(straight, tmp_path):
    import torch

    from heritagekit.models.registry import load_weights_file
    from heritagekit.train.motif import (
        export_motif_weights,
        load_run_generator,
        standing_statistics,
    )

    checkpoint = straight[1]
    path = export_motif_weights(
        checkpoint, tmp_path / "s.safetensors", name="s", standing_batches=3
    )
    shipped, meta = load_weights_file(path, task="motif")
    assert meta["batchnorm"] == "standing statistics over 3 batches of 16"
    stored, _, _ = load_run_generator(checkpoint)  # the EMA G as the checkpoint holds it
    expected = standing_statistics(load_run_generator(checkpoint)[0], batches=3)
    for name, buffer in shipped.state_dict().items():
        if name.endswith("running_mean"):
            torch.testing.assert_close(buffer, expected.state_dict()[name])
            assert not torch.equal(buffer, stored.state_dict()[name]), name


def test_class_head_learns_from_real_images_and_holds_g_to_its_type(
    tiny_data, tmp_path, monkeypatch
):
    """D's step feeds the head the features of the real half only, without gradient into
    the fakes; G's step feeds it G's images with G's gradient attached, labelled with the
    classes G was asked for; the head's weights move and a resumed run repeats its curve."""
    import torch

    from heritagekit.models.motif import MotifDiscriminator

    def config(out, steps):
        c = _config(tiny_data, tmp_path / out, steps)
        c.class_weight = 0.5
        return c

    batch = 4
    calls: list[tuple[int, bool]] = []
    head_inputs: list[torch.Tensor] = []
    make_head = MotifDiscriminator.class_head

    def spied_head(self):
        head = make_head(self)
        head.register_forward_hook(lambda m, args, out: head_inputs.append(args[0]))
        return head

    forward = MotifDiscriminator.forward

    def spy(self, x, y, with_features=False):
        calls.append((len(x), x.requires_grad))
        return forward(self, x, y, with_features)

    monkeypatch.setattr(MotifDiscriminator, "class_head", spied_head)
    monkeypatch.setattr(MotifDiscriminator, "forward", spy)
    train_motif(config("full", 2), resume=False)
    # D sees real and fake together (no gradient: fakes are detached, reals are data),
    # then G's fakes with G's gradient
    assert calls == [(2 * batch, False), (batch, True)] * 2
    assert [len(h) for h in head_inputs] == [batch, batch] * 2
    assert [h.requires_grad for h in head_inputs] == [True, True] * 2  # D's and G's graphs
    monkeypatch.undo()

    whole, split = _straight_and_resumed(config)
    # 4 product types: a head that knows nothing scores log 4 = 1.386
    assert all(0 < r["loss_class"] < 5 and r["loss_g_class"] > 0 for r in whole)
    assert [(r["loss_g"], r["loss_class"]) for r in whole] == [
        (r["loss_g"], r["loss_class"]) for r in split
    ]
    heads = [
        torch.load(tmp_path / "whole" / "checkpoints" / f"step_{s:08d}.pt", weights_only=False)[
            "modules"
        ]["classifier"]
        for s in (2, 4)
    ]
    key = next(k for k in heads[0] if k.endswith("original"))
    assert not torch.equal(heads[0][key], heads[1][key])


def test_class_head_can_start_from_a_run_without_it(tiny_data, tmp_path, straight):
    """Switched on at a resume (as in a decay phase): G and D go on from the checkpoint,
    a fresh head starts, and the class term changes D's loss from the straight run's."""
    late = _config(tiny_data, tmp_path / "late", 4)
    late.class_weight, late.resume_from = 1.0, str(straight[1])
    train_motif(late, resume=False)
    rows = read_log(tmp_path / "late")
    assert [r["step"] for r in rows] == [3, 4] and all(r["loss_class"] > 0 for r in rows)
    plain = read_log(straight[0])[2]
    hinge = rows[0]["loss_d"] - rows[0]["loss_class"]  # weight 1: D's loss is hinge + CE
    assert abs(hinge - plain["loss_d"]) < 1e-5


def test_colour_matching_is_logged_and_resumes_exactly(tiny_data, tmp_path, straight):
    """The colour term enters G's loss (logged; G's loss differs from the straight run's
    at the first step), a resumed run repeats the curve, and it can start at a resume."""

    def config(out, steps):
        c = _config(tiny_data, tmp_path / out, steps)
        c.colour_weight = 1.0
        return c

    whole, split = _straight_and_resumed(config)
    assert all("loss_colour" in r for r in whole)
    assert whole[0]["loss_colour"] != 0  # this seed's first batch holds a class twice
    assert [(r["loss_g"], r["loss_colour"]) for r in whole] == [
        (r["loss_g"], r["loss_colour"]) for r in split
    ]
    first = read_log(straight[0])[0]
    assert whole[0]["loss_d"] == first["loss_d"]  # D's step comes before the term
    assert abs(whole[0]["loss_g"] - whole[0]["loss_colour"] - first["loss_g"]) < 1e-5

    late = config("late", 4)
    late.resume_from = str(straight[1])
    train_motif(late, resume=False)
    assert [r["step"] for r in read_log(tmp_path / "late")] == [3, 4]


def test_cli_export_with_standing_statistics(tiny_data, tmp_path, capsys):
    """`--export --standing-stats N` ships the generator with recomputed statistics,
    named so in the metadata, equal to the library's export of the same checkpoint."""
    import torch

    from heritagekit.cli.main import main
    from heritagekit.models.registry import load_weights_file
    from heritagekit.train.motif import export_motif_weights

    run, export = tmp_path / "run", tmp_path / "m.safetensors"
    args = ["train", "motif", "--data", str(tiny_data), "-o", str(run), "--steps", "2"]
    args += ["--resolution", "16", "--batch-size", "4", "--threads", "1", "-q"]
    args += ["--export", str(export), "--standing-stats", "2"]
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code in (0, None), capsys.readouterr().err
    shipped, meta = load_weights_file(export, task="motif")
    assert meta["batchnorm"] == "standing statistics over 2 batches of 16"
    reference = export_motif_weights(
        run / "checkpoints" / "step_00000002.pt",
        tmp_path / "ref.safetensors",
        name="ref",
        standing_batches=2,
    )
    expected, _ = load_weights_file(reference, task="motif")
    for name, tensor in expected.state_dict().items():
        torch.testing.assert_close(shipped.state_dict()[name], tensor)
