# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .contrastive import infonce_text_video, mil_similarity
from .mil_nce import mil_nce

__all__ = ['infonce_text_video', 'mil_nce', 'mil_similarity']
