# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .separate_fusion import SeparateFusionEncoder
from .shared_bert import (
    BaseBertEncoder,
    SharedBertEncoder,
    build_bert,
    fusion_inputs,
)
from .two_stream import TwoStreamEncoder
from .unified import UnifiedVideoTextEncoder

__all__ = [
    'BaseBertEncoder', 'SharedBertEncoder', 'SeparateFusionEncoder',
    'TwoStreamEncoder', 'build_bert', 'fusion_inputs',
    'UnifiedVideoTextEncoder'
]
