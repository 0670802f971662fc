# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Initialise a model from a pre-trained checkpoint, with a report.

Fine-tuning loads a pre-training checkpoint into a model whose heads differ
(retrieval adds cross matching and drops MSSM/LVWM, VideoQA adds a
classifier). Keys are matched by name after explicit renames; what was
loaded, what the model kept from its own initialisation and what the
checkpoint had in excess is reported, and a config can demand that some
parts (the backbone, the encoder) load completely, so that a wrong
checkpoint fails at once instead of fine-tuning from random weights.
"""
import logging
import os.path as osp
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log

from snps3.utils.compat import load_local_checkpoint
from snps3.utils.errors import ConfigError, DataError, MissingFileError

__all__ = ['LoadReport', 'load_pretrained', 'read_state_dict']

KeyMap = Sequence[Tuple[str, str]]

# Keys of a group in the summary: 'heads.xm.fc.weight' -> 'heads.xm'.
_GROUP_DEPTH = 2


@dataclass
class LoadReport:
    """What :func:`load_pretrained` did, key by key (model names).

    Attributes:
        checkpoint (str): The file loaded.
        loaded (list[str]): Model keys set from the checkpoint.
        missing (list[str]): Model keys the checkpoint did not have; they
            keep the model's own initialisation.
        unexpected (list[str]): Checkpoint keys (after renaming) that the
            model does not have; not used.
        mismatched (dict): Key -> (checkpoint shape, model shape) for keys
            present in both with different shapes; not loaded.
        ignored (list[str]): Checkpoint keys (after renaming) dropped by an
            ``ignore`` pattern.
        renamed (int): How many checkpoint keys a ``key_map`` rule changed.
    """

    checkpoint: str
    loaded: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: Dict[str, Tuple[tuple, tuple]] = field(default_factory=dict)
    ignored: List[str] = field(default_factory=list)
    renamed: int = 0

    def summary(self) -> str:
        """Counts, then the keys grouped by module prefix."""
        lines = [
            f"loaded '{self.checkpoint}': {len(self.loaded)} keys loaded, "
            f'{len(self.missing)} missing, {len(self.unexpected)} '
            f'unexpected, {len(self.mismatched)} shape-mismatched, '
            f'{len(self.ignored)} ignored, {self.renamed} renamed'
        ]
        groups = (('loaded', self.loaded), ('missing (model init kept)',
                                            self.missing),
                  ('unexpected (not used)', self.unexpected), ('ignored',
                                                               self.ignored))
        for title, keys in groups:
            if keys:
                lines.append(f'  {title}: {group_keys(keys)}')
        for key, (saved, own) in self.mismatched.items():
            lines.append(f'  shape mismatch (not loaded): {key} checkpoint '
                         f'{tuple(saved)} vs model {tuple(own)}')
        return '\n'.join(lines)


def group_keys(keys: Sequence[str], depth: int = _GROUP_DEPTH) -> str:
    """``'heads.xm (4), encoder.bert (101)'``: counts per module prefix."""
    counts = Counter('.'.join(k.split('.')[:depth]) for k in keys)
    return ', '.join(f'{prefix} ({n})' for prefix, n in counts.items())


def read_state_dict(checkpoint: str) -> Dict[str, torch.Tensor]:
    """The tensors of a checkpoint file, on the CPU.

    Accepts an MMEngine checkpoint (``state_dict`` and ``meta``), a dict
    with a ``model`` entry, a plain state dict saved with ``torch.save``, or
    a ``.safetensors`` file (a HuggingFace export). ``.pth`` files go
    through the project's safe loader (``weights_only``).

    Raises:
        MissingFileError: The file does not exist.
        DataError: The file holds no state dict.
    """
    path = osp.expanduser(checkpoint)
    if not osp.isfile(path):
        raise MissingFileError(
            f"pre-trained checkpoint '{checkpoint}' does not exist; set "
            'model.init_from.checkpoint to a file (e.g. --cfg-options '
            'model.init_from.checkpoint=work_dirs/<run>/iter_N.pth), or to '
            'None to start from the encoders\' own weights.')
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(path, device='cpu')
    obj = load_local_checkpoint(path, map_location='cpu')
    if isinstance(obj, dict):
        for entry in ('state_dict', 'model'):
            if isinstance(obj.get(entry), dict):
                obj = obj[entry]
                break
    if not isinstance(obj, dict) or not all(
            isinstance(v, torch.Tensor) for v in obj.values()):
        raise DataError(
            f"'{checkpoint}' is not a model checkpoint: expected a state "
            "dict of tensors, or a dict with one under 'state_dict' or "
            "'model'.")
    return dict(obj)


def _rename(key: str, key_map: KeyMap) -> str:
    """Apply every rule in order, each to the result of the previous."""
    for pattern, replacement in key_map:
        key = re.sub(pattern, replacement, key)
    return key


def _strip_ddp(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Remove the ``module.`` that DDP puts before every key."""
    if state and all(k.startswith('module.') for k in state):
        return {k[len('module.'):]: v for k, v in state.items()}
    return state


def _compile(patterns: Sequence[str], what: str) -> List[re.Pattern]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as err:
            raise ConfigError(f'{what} pattern {pattern!r} is not a valid '
                              f'regular expression: {err}') from err
    return compiled


def load_pretrained(
        model: nn.Module,
        checkpoint: str,
        key_map: KeyMap = (),
        ignore: Sequence[str] = (),
        require: Sequence[str] = (),
        logger: Union[str, logging.Logger, None] = None) -> LoadReport:
    """Load a checkpoint's weights into ``model`` by name, non-strictly.

    Steps: read the file (:func:`read_state_dict`); strip a DDP
    ``module.`` prefix; rename every key with ``key_map``; drop keys that an
    ``ignore`` pattern matches; load the keys the model has with the same
    shape. Keys of both with different shapes are reported, not loaded.

    Args:
        model (nn.Module): The model to initialise (in place).
        checkpoint (str): Path of the checkpoint file.
        key_map (list[tuple[str, str]]): Ordered ``(pattern, replacement)``
            rules for :func:`re.sub`, applied one after the other to every
            checkpoint key, e.g. ``[(r'^bert\\.', 'encoder.bert.')]``.
        ignore (list[str]): Regexes (``re.search``) of checkpoint keys,
            after renaming, to leave out.
        require (list[str]): Regexes of model keys that must all load, e.g.
            ``[r'^backbone\\.', r'^encoder\\.']``: a missing or mismatched
            one means the checkpoint is not what the config expects.
        logger (str | Logger, optional): Where the summary goes; ``None``
            for MMEngine's current logger.

    Returns:
        LoadReport: Loaded, missing, unexpected, mismatched, ignored keys.

    Raises:
        MissingFileError: ``checkpoint`` does not exist.
        ConfigError: A required key did not load, a ``require`` pattern
            matches no model key, or two checkpoint keys are renamed to one.
    """
    key_map = [tuple(rule) for rule in key_map]
    for rule in key_map:
        if len(rule) != 2:
            raise ConfigError(f'key_map rule {rule!r} is not a (pattern, '
                              'replacement) pair')
    _compile([p for p, _ in key_map], 'key_map')
    ignore_res = _compile(ignore, 'ignore')
    require_res = _compile(require, 'require')

    own = model.state_dict()
    for pattern, regex in zip(require, require_res):
        if not any(regex.search(k) for k in own):
            raise ConfigError(
                f'require pattern {pattern!r} matches no key of '
                f'{type(model).__name__} ({group_keys(list(own))}); fix the '
                'pattern in model.init_from.require.')

    report = LoadReport(checkpoint=str(checkpoint))
    state: Dict[str, torch.Tensor] = {}
    sources: Dict[str, str] = {}
    for key, value in _strip_ddp(read_state_dict(checkpoint)).items():
        new = _rename(key, key_map)
        report.renamed += new != key
        if any(regex.search(new) for regex in ignore_res):
            report.ignored.append(new)
            continue
        if new in state:
            raise ConfigError(
                f"key_map renames both '{sources[new]}' and '{key}' of "
                f"'{checkpoint}' to '{new}'; make the rules more specific.")
        state[new], sources[new] = value, key

    to_load = {}
    for key, value in state.items():
        if key not in own:
            report.unexpected.append(key)
        elif value.shape != own[key].shape:
            report.mismatched[key] = (tuple(value.shape),
                                      tuple(own[key].shape))
        else:
            to_load[key] = value
    report.loaded = [k for k in own if k in to_load]
    report.missing = [k for k in own if k not in state]
    model.load_state_dict(to_load, strict=False)
    print_log(report.summary(), logger=logger or 'current')

    failed = [
        k for k in own
        if k not in to_load and any(regex.search(k) for regex in require_res)
    ]
    if failed:
        raise ConfigError(
            f"'{checkpoint}' does not initialise {len(failed)} model keys "
            f'that model.init_from.require says must load: '
            f'{group_keys(failed)} (e.g. {failed[0]!r}). Check that the '
            'checkpoint comes from a matching pre-training config '
            '(same backbone and encoder sizes), or add key_map rules that '
            'rename its keys to the model\'s; see the summary above.')
    return report
