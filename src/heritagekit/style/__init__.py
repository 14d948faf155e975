"""Style transfer inference: restyle images of any size with a trained generator."""

from heritagekit.style.inference import (
    DEFAULT_MODELS,
    MIN_SIDE,
    StyleModel,
    load_style_model,
    stylize_array,
    stylize_file,
    stylize_image,
)

__all__ = [
    "DEFAULT_MODELS",
    "MIN_SIDE",
    "StyleModel",
    "load_style_model",
    "stylize_array",
    "stylize_file",
    "stylize_image",
]
