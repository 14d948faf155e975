"""Colour, resampling, degradation and tiling of images."""
