"""Image-quality metrics.

- ``fidelity``: full-reference PSNR, SSIM, MS-SSIM (torch, batched, differentiable);
- ``distribution``: FID and KID on Inception-v3 pool features;
- ``perceptual``: LPIPS (AlexNet, VGG16, SqueezeNet 1.1 with the v0.1 linear heads);
- ``aesthetic``: NIMA mean score;
- ``features``: batched feature extraction over image folders, file pairing;
- ``evaluate``: the folder-against-folder evaluation behind ``heritage metrics``.

Submodules are imported on demand so ``import heritagekit.metrics`` stays light.
"""
