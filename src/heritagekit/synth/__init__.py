"""Procedural patterns: paper-cuts and product motifs the project makes itself."""
