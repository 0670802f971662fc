# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .attentive_masking import AttentiveMasking
from .backbones import *  # noqa: F401,F403
from .data_preprocessor import VideoTextDataPreprocessor
from .encoders import *  # noqa: F401,F403
from .forward_context import ForwardContext
from .heads import *  # noqa: F401,F403
from .multiple_choice import (
    MultipleChoiceMixin,
    MultipleChoiceModel,
    SimVTPMultipleChoiceModel,
)
from .pretrainer import VideoTextPretrainer
from .simvtp import SimVTPContext, SimVTPPretrainer
from .tube_masking import TubeMasking
from .video_qa import SimVTPVideoQAModel, VideoQAMixin, VideoQAModel

__all__ = [
    'AttentiveMasking', 'VideoTextDataPreprocessor', 'ForwardContext',
    'MultipleChoiceMixin', 'MultipleChoiceModel', 'SimVTPMultipleChoiceModel',
    'VideoQAMixin', 'VideoQAModel', 'SimVTPVideoQAModel',
    'VideoTextPretrainer', 'SimVTPContext', 'SimVTPPretrainer', 'TubeMasking'
]
