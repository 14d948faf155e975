"""Product-motif generation with the class-conditional residual GAN (seed 001)."""
