"""Fixtures of the motif tests: a tiny procedural data set and a tiny trained model."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    from heritagekit.synth.motifs import write_motif_dataset

    return write_motif_dataset(tmp_path_factory.mktemp("motif-data"), per_class=8, size=16)


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory, tiny_data) -> Path:
    """A 16px motif model trained for 3 steps and exported like a shipped one."""
    from heritagekit.train.motif import MotifTrainConfig, export_motif_weights, train_motif

    run = tmp_path_factory.mktemp("motif-run")
    config = MotifTrainConfig(
        data=str(tiny_data),
        out=str(run),
        steps=3,
        batch_size=4,
        resolution=16,
        checkpoint_every=3,
        sample_every=3,
        device="cpu",
        threads=1,
    )
    result = train_motif(config, resume=False)
    return export_motif_weights(
        result.last_checkpoint, run / "motif-tiny.safetensors", name="motif-tiny"
    )
