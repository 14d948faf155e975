"""Small domain folders made from images that installed packages ship."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from heritagekit.synth.papercut import write_papercuts


@pytest.fixture(scope="session")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    for name in ("astronaut", "chelsea", "coffee", "rocket"):
        img = Image.fromarray(np.asarray(getattr(data, name)()))
        img.thumbnail((80, 80))
        img.save(folder / f"{name}.png")
    return folder


@pytest.fixture(scope="session")
def papercuts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("papercuts")
    write_papercuts(4, folder, size=96, seed=1, workers=1)
    return folder


TINY = {"width": 4, "blocks": 1, "attention_pool": 2}


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks gain nothing from threads, and on a busy shared machine the OpenMP
    threads of one op wait for each other; one thread keeps these tests fast."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
