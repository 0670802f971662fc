# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""snps3: pixel-level video-text pre-training with SNP-S3."""
from .version import __version__

__all__ = ['__version__']
