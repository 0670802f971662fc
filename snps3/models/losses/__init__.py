# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .contrastive import infonce_text_video, mil_similarity

__all__ = ['infonce_text_video', 'mil_similarity']
