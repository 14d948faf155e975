"""Device choice shared by every command that runs a network (``--device auto``)."""

from __future__ import annotations

from heritagekit.errors import BadInputError


def resolve_device(name: str = "auto") -> str:
    """``auto`` picks cuda, then mps, then cpu; an explicit device must exist here."""
    import torch

    name = name.strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise BadInputError(f"--device {name}: no CUDA device on this machine (use --device cpu)")
    if name == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise BadInputError("--device mps: MPS is not available on this machine (use --device cpu)")
    if name != "cpu" and not name.startswith(("cuda", "mps")):
        raise BadInputError(f"--device {name}: expected auto, cpu, cuda, cuda:N or mps")
    return name
