# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Registries of snps3: children of MMEngine's root registries.

Every registry lives in the ``snps3`` scope and imports the package that fills
it lazily (``locations``), so ``default_scope='snps3'`` in a config is enough
to build anything the package registers. A name that is not registered fails
with the names that come closest, instead of MMEngine's generic message.
"""
import difflib
from typing import List, Optional, Type

from mmengine import registry as mmengine_registry

from snps3.utils.errors import ConfigError


class UnknownTypeError(ConfigError):
    """A config named a type that no registry in reach knows."""


class Registry(mmengine_registry.Registry):
    """MMEngine registry whose failed look-ups suggest the closest names."""

    def known_names(self) -> List[str]:
        """Names reachable from this registry: its own and its ancestors'."""
        names, registry = set(), self
        while registry is not None:
            registry.import_from_location()
            names.update(registry.module_dict)
            registry = registry.parent
        return sorted(names)

    def get(self, key: str) -> Optional[Type]:
        obj = super().get(key)
        if obj is not None or not isinstance(key, str) or '.' in key:
            # Dotted keys are full import paths or other scopes; MMEngine's
            # own message is accurate for those.
            return obj
        names = self.known_names()
        close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
        if not close:  # case or affix mistakes ('lvwmhead', 'LVWM')
            low = key.lower()
            close = [n for n in names if low in n.lower() or n.lower() in low]
        hint = (f" Did you mean {', '.join(repr(c) for c in close[:3])}?"
                if close else '')
        raise UnknownTypeError(
            f"Unknown type '{key}' in registry '{self.scope}::{self.name}'."
            f'{hint} If the class lives in your own package, import it from '
            "the config with custom_imports=dict(imports=['your_package']).")

    def __contains__(self, key: str) -> bool:
        try:
            return super().get(key) is not None
        except KeyError:
            return False


def _child(name: str, parent: mmengine_registry.Registry,
           location: str) -> Registry:
    return Registry(name, parent=parent, scope='snps3', locations=[location])


# Data
DATASETS = _child('dataset', mmengine_registry.DATASETS, 'snps3.datasets')
DATA_SAMPLERS = _child('data sampler', mmengine_registry.DATA_SAMPLERS,
                       'snps3.datasets')
TRANSFORMS = _child('transform', mmengine_registry.TRANSFORMS,
                    'snps3.datasets.transforms')
# Models: backbones, encoders, heads, losses, preprocessors and the models.
MODELS = _child('model', mmengine_registry.MODELS, 'snps3.models')
MODEL_WRAPPERS = _child('model_wrapper', mmengine_registry.MODEL_WRAPPERS,
                        'snps3.models')
# Optimisation
OPTIMIZERS = _child('optimizer', mmengine_registry.OPTIMIZERS, 'snps3.engine')
OPTIM_WRAPPERS = _child('optim_wrapper', mmengine_registry.OPTIM_WRAPPERS,
                        'snps3.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    'optimizer wrapper constructor',
    mmengine_registry.OPTIM_WRAPPER_CONSTRUCTORS, 'snps3.engine')
PARAM_SCHEDULERS = _child('parameter scheduler',
                          mmengine_registry.PARAM_SCHEDULERS, 'snps3.engine')
# Running
RUNNERS = _child('runner', mmengine_registry.RUNNERS, 'snps3.engine')
LOOPS = _child('loop', mmengine_registry.LOOPS, 'snps3.engine')
HOOKS = _child('hook', mmengine_registry.HOOKS, 'snps3.engine')
LOG_PROCESSORS = _child('log_processor', mmengine_registry.LOG_PROCESSORS,
                        'snps3.engine')
FUNCTIONS = _child('function', mmengine_registry.FUNCTIONS, 'snps3.datasets')
# Evaluation and visualisation
METRICS = _child('metric', mmengine_registry.METRICS, 'snps3.evaluation')
EVALUATOR = _child('evaluator', mmengine_registry.EVALUATOR,
                   'snps3.evaluation')
VISUALIZERS = _child('visualizer', mmengine_registry.VISUALIZERS,
                     'snps3.engine')
VISBACKENDS = _child('vis_backend', mmengine_registry.VISBACKENDS,
                     'snps3.engine')
# Significant-word scorers (MSSM/LVWM vocabulary mining); no MMEngine parent.
SIGNIFICANCE_SCORERS = Registry(
    'significance scorer', scope='snps3', locations=['snps3.significance'])
