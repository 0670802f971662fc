# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""What a retrieval gallery holds, and its features cached on disk.

A gallery is given as a folder (searched recursively for videos and
images), a list of files, or a dataset config (the videos of its
annotation file). :class:`FeatureCache` keeps each file's features under
its path, size and modification time, so indexing a folder again encodes
only what is new or changed, and forgets what is gone.
"""
import logging
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch
from mmengine.logging import print_log

#: Containers that decord or PyAV read; GIFs are decoded as videos.
VIDEO_EXTENSIONS = ('.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.flv',
                    '.wmv', '.mpg', '.mpeg', '.m2ts', '.mts', '.ts', '.3gp',
                    '.ogv', '.gif')
#: Still images: they become clips of one repeated frame.
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')

GallerySource = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]],
                      dict]


class GalleryItem(NamedTuple):
    """One file of the gallery.

    Attributes:
        path (str): Absolute path of the file.
        is_image (bool): A still image (decoded once, repeated).
        captions (tuple[str, ...]): Its captions, when the gallery came
            from an annotated dataset; empty otherwise.
    """

    path: str
    is_image: bool = False
    captions: Tuple[str, ...] = ()

    @classmethod
    def from_path(cls, path: Union[str, os.PathLike]) -> 'GalleryItem':
        """The item of a file; an image or not by its extension."""
        path = osp.abspath(os.fspath(path))
        return cls(path, is_image_file(path))


def is_image_file(path: str) -> bool:
    return osp.splitext(path)[1].lower() in IMAGE_EXTENSIONS


def is_media_file(path: str) -> bool:
    return osp.splitext(path)[1].lower() in VIDEO_EXTENSIONS + \
        IMAGE_EXTENSIONS


def scan_folder(folder: str) -> List[GalleryItem]:
    """Videos and images under ``folder``, recursively, in a stable order.

    Hidden files and folders (``.name``) are left out, as are files with
    other extensions (matched case-insensitively).
    """
    items = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in sorted(files):
            if name.startswith('.') or not is_media_file(name):
                continue
            items.append(GalleryItem.from_path(osp.join(root, name)))
    return items


def _dataset_items(cfg: dict) -> List[GalleryItem]:
    """The distinct videos of a dataset config, with their captions."""
    from mmengine.registry import init_default_scope

    from snps3.registry import DATASETS
    init_default_scope('snps3')
    cfg = dict(cfg)
    # Only the annotation rows are needed; the pipeline would decode.
    cfg['pipeline'] = []
    cfg.setdefault('test_mode', True)
    dataset = DATASETS.build(cfg)
    dataset.full_init()
    order: Dict[str, Tuple[bool, List[str]]] = {}
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        path = osp.abspath(info['video_path'])
        entry = order.setdefault(path, (bool(info.get('is_image')), []))
        caption = info.get('caption')
        if isinstance(caption, str) and caption not in entry[1]:
            entry[1].append(caption)
    return [
        GalleryItem(path, is_image, tuple(captions))
        for path, (is_image, captions) in order.items()
    ]


def resolve_gallery(
        source: GallerySource
) -> Tuple[List[GalleryItem], List[Tuple[str, str]]]:
    """List the files of a gallery.

    Args:
        source: A folder, one file, a list of files, or a dataset config
            (a dict with ``type``, e.g. the ``dataset`` of a config's
            ``test_dataloader``).

    Returns:
        tuple: the items (each file once, in a stable order) and the
        problems found while listing, ``(path, reason)`` pairs (files of a
        list that do not exist). Neither stops the listing.
    """
    problems: List[Tuple[str, str]] = []
    if isinstance(source, dict):
        return _dataset_items(source), problems
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if osp.isdir(path):
            return scan_folder(path), problems
        source = [path]
    items, seen = [], set()
    for entry in source:
        path = osp.abspath(os.fspath(entry))
        if path in seen:
            continue
        seen.add(path)
        if osp.isdir(path):
            for item in scan_folder(path):
                if item.path not in seen:
                    seen.add(item.path)
                    items.append(item)
        elif not osp.isfile(path):
            problems.append((path, 'file not found'))
        else:
            items.append(GalleryItem.from_path(path))
    return items, problems


class FeatureCache:
    """Per-file gallery features, valid for one model.

    An entry holds the file's ``size`` and ``mtime_ns`` and either its
    features (``video_feat`` (T, E), ``frame_tokens`` (T, D)) or the
    ``error`` that made it unreadable, so a broken file is reported again
    without being decoded again until it changes.

    Args:
        fingerprint (str): Identifies the model, checkpoint and video
            pipeline; features of another fingerprint are never reused.
    """

    VERSION = 1

    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.entries: Dict[str, dict] = {}

    @classmethod
    def load(cls, file: Optional[str], fingerprint: str) -> 'FeatureCache':
        """Read a cache file; start empty when it is absent or stale."""
        cache = cls(fingerprint)
        if file is None or not osp.isfile(file):
            return cache
        try:
            data = torch.load(file, map_location='cpu', weights_only=True)
        except Exception as err:  # a truncated or foreign file
            print_log(
                f"feature cache '{file}' cannot be read ({err}); "
                'encoding the gallery again',
                logger='current',
                level=logging.WARNING)
            return cache
        if not isinstance(data, dict) or data.get('version') != cls.VERSION:
            print_log(
                f"feature cache '{file}' has another format; "
                'encoding the gallery again',
                logger='current',
                level=logging.WARNING)
            return cache
        if data.get('fingerprint') != fingerprint:
            print_log(
                f"feature cache '{file}' was made with another model, "
                'checkpoint or pipeline; encoding the gallery again',
                logger='current',
                level=logging.WARNING)
            return cache
        cache.entries = dict(data['entries'])
        return cache

    @staticmethod
    def file_key(path: str) -> Tuple[int, int]:
        """What identifies a version of a file: (size, mtime in ns)."""
        stat = os.stat(path)
        return stat.st_size, stat.st_mtime_ns

    def lookup(self, path: str, key: Tuple[int, int]) -> Optional[dict]:
        """The entry of ``path`` if it was made from this version of it."""
        entry = self.entries.get(path)
        if entry is None or (entry['size'], entry['mtime_ns']) != key:
            return None
        return entry

    def save(self, file: str) -> None:
        """Write atomically: an interrupted run leaves the old file."""
        folder = osp.dirname(osp.abspath(file))
        os.makedirs(folder, exist_ok=True)
        tmp = f'{file}.tmp{os.getpid()}'
        torch.save(
            dict(
                version=self.VERSION,
                fingerprint=self.fingerprint,
                entries=self.entries), tmp)
        os.replace(tmp, file)
