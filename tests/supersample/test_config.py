"""Training settings: partial config files and run folders from older versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heritagekit.models.supersample import SupersampleConfig
from heritagekit.train.supersample import TrainConfig, load_run_config

BASE = TrainConfig(model=SupersampleConfig(scale=2, history=4, reweighting=False), steps=10)


def test_a_partial_model_block_changes_only_its_keys() -> None:
    merged = BASE.with_overrides({"steps": 20, "model": {"history": 2}})
    assert merged.steps == 20
    assert (merged.model.scale, merged.model.history, merged.model.reweighting) == (2, 2, False)
    assert merged.model.sample_weights is True  # the dataclass default, kept
    assert BASE.with_overrides({}).to_dict() == BASE.to_dict()


@pytest.mark.parametrize("overrides", [["steps", 3], {"model": 4}])
def test_a_config_that_is_not_a_mapping_is_refused(overrides: object) -> None:
    with pytest.raises(TypeError, match="mapping"):
        BASE.with_overrides(overrides)


def test_a_run_folder_without_the_sample_weight_key_loads_without_the_channel(
    tmp_path: Path,
) -> None:
    old = BASE.to_dict()
    del old["model"]["sample_weights"]  # written before the channel existed
    (tmp_path / "config.json").write_text(json.dumps(old))
    assert load_run_config(tmp_path).model.sample_weights is False
    (tmp_path / "config.json").write_text(json.dumps(BASE.to_dict()))
    assert load_run_config(tmp_path).model.sample_weights is True


def test_a_new_run_starts_from_a_model_file_of_the_same_network(tmp_path: Path) -> None:
    import torch

    from heritagekit.errors import BadInputError
    from heritagekit.models.registry import save_weights
    from heritagekit.models.supersample import TemporalSupersampler
    from heritagekit.train.supersample import initialise_from

    config = SupersampleConfig(scale=2, history=2, width=8, reweight_width=8)
    torch.manual_seed(1)
    source = TemporalSupersampler(config)
    metadata = {
        "name": "tiny",
        "task": "supersample",
        "builder": "heritagekit.models.supersample:build",
        "config": config.to_dict(),
        "scale": "2",
    }
    path = save_weights(source, tmp_path / "tiny.safetensors", metadata)
    torch.manual_seed(2)
    target = TemporalSupersampler(config)
    initialise_from(target, path)
    for name, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[name], value), name
    other = TemporalSupersampler(SupersampleConfig(scale=2, history=1, width=8, reweight_width=8))
    with pytest.raises(BadInputError, match="history 2 \\(run: 1\\)"):
        initialise_from(other, path)


def test_resuming_with_another_step_count_or_network_is_refused(tmp_path: Path) -> None:
    from dataclasses import replace

    from heritagekit.errors import BadInputError
    from heritagekit.train.supersample import _check_resumable

    with pytest.raises(BadInputError, match=r"planned for 10 steps.*--steps 10"):
        _check_resumable(BASE, replace(BASE, steps=20), tmp_path)
    other = replace(BASE, model=SupersampleConfig(scale=2, history=2, reweighting=False))
    with pytest.raises(BadInputError, match="history 4 \\(asked: 2\\)"):
        _check_resumable(BASE, other, tmp_path)
    _check_resumable(BASE, replace(BASE, validate_every=50), tmp_path)  # settings that may change
