# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Inferencers: trained models behind a one-call API."""
from .contact_sheet import draw_contact_sheet
from .gallery import FeatureCache, GalleryItem, resolve_gallery, scan_folder
from .retrieval_inferencer import IndexReport, VideoTextRetrievalInferencer

__all__ = [
    'VideoTextRetrievalInferencer', 'IndexReport', 'FeatureCache',
    'GalleryItem', 'resolve_gallery', 'scan_folder', 'draw_contact_sheet'
]
