"""Super-resolution: inference with tiling, and the evaluation protocol of the SR literature."""
