"""Training infrastructure shared by every network: checkpoints, exact resume, devices."""
