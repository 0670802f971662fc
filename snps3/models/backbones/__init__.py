# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .temporal_encoder import TemporalTransformer
from .timm_frame_encoder import TimmFrameEncoder, map_state_dict_by_order
from .video_vit import VideoViT, map_videomae_keys

__all__ = [
    'TemporalTransformer', 'TimmFrameEncoder', 'map_state_dict_by_order',
    'VideoViT', 'map_videomae_keys'
]
