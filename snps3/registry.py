# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Registries of snps3: children of MMEngine's root registries.

Every registry lives in the ``snps3`` scope and imports the package that fills
it lazily (``locations``), so ``default_scope='snps3'`` in a config is enough
to build anything the package registers. A name that is not registered fails
with the names that come closest, instead of MMEngine's generic message.
"""
import difflib
from typing import List, Optional, Type

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import Registry as MMEngineRegistry
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS


class UnknownTypeError(KeyError):
    """A config named a type that no registry in reach knows."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class Registry(MMEngineRegistry):
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


def _child(name: str, parent: MMEngineRegistry, location: str) -> Registry:
    return Registry(name, parent=parent, scope='snps3', locations=[location])


# Data
DATASETS = _child('dataset', MMENGINE_DATASETS, 'snps3.datasets')
DATA_SAMPLERS = _child('data sampler', MMENGINE_DATA_SAMPLERS,
                       'snps3.datasets')
TRANSFORMS = _child('transform', MMENGINE_TRANSFORMS,
                    'snps3.datasets.transforms')
# Models: backbones, encoders, heads, losses, preprocessors and the models.
MODELS = _child('model', MMENGINE_MODELS, 'snps3.models')
MODEL_WRAPPERS = _child('model_wrapper', MMENGINE_MODEL_WRAPPERS,
                        'snps3.models')
# Optimisation
OPTIMIZERS = _child('optimizer', MMENGINE_OPTIMIZERS, 'snps3.engine')
OPTIM_WRAPPERS = _child('optim_wrapper', MMENGINE_OPTIM_WRAPPERS,
                        'snps3.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                                    'snps3.engine')
PARAM_SCHEDULERS = _child('parameter scheduler', MMENGINE_PARAM_SCHEDULERS,
                          'snps3.engine')
# Running
RUNNERS = _child('runner', MMENGINE_RUNNERS, 'snps3.engine')
LOOPS = _child('loop', MMENGINE_LOOPS, 'snps3.engine')
HOOKS = _child('hook', MMENGINE_HOOKS, 'snps3.engine')
LOG_PROCESSORS = _child('log_processor', MMENGINE_LOG_PROCESSORS,
                        'snps3.engine')
FUNCTIONS = _child('function', MMENGINE_FUNCTIONS, 'snps3.datasets')
# Evaluation and visualisation
METRICS = _child('metric', MMENGINE_METRICS, 'snps3.evaluation')
EVALUATOR = _child('evaluator', MMENGINE_EVALUATOR, 'snps3.evaluation')
VISUALIZERS = _child('visualizer', MMENGINE_VISUALIZERS, 'snps3.engine')
VISBACKENDS = _child('vis_backend', MMENGINE_VISBACKENDS,
                     'snps3.engine')
