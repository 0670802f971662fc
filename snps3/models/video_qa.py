# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Open-ended VideoQA: the pre-training model with an answer classifier."""
from typing import Dict, List, Optional

import torch

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

from .pretrainer import VideoTextPretrainer


def check_has_fusion(encoder: dict, task: str) -> None:
    """Refuse, before building anything, an encoder without fusion mode.

    Args:
        encoder (dict): The encoder's config.
        task (str): What needs the fusion pass, for the message.
    """
    cls = encoder.get('type')
    if isinstance(cls, str):
        cls = MODELS.get(cls)
    if cls is not None and not getattr(cls, 'has_fusion', True):
        raise ConfigError(
            f'{task} reads the fusion [CLS] of [text ; video], and '
            f'{cls.__name__} has no fusion mode: use an SNP '
            "(type='SharedBertEncoder') or P3E "
            "(type='SeparateFusionEncoder') encoder.")


@MODELS.register_module()
class VideoQAModel(VideoTextPretrainer):
    """Backbone + encoder of :class:`VideoTextPretrainer` + a :class:`QAHead`.

    The question takes the caption's place: ``inputs['input_ids']`` and
    ``attention_mask`` (B, L) hold the tokenised question, ``frames``
    (B, T, 3, H, W) the video, and in training ``answer_label`` (B, ) the
    answer class (-1 outside the vocabulary, ignored). The question and the
    video go through the fusion encoder once; the head classifies the joint
    [CLS]. Building, checkpoint layout (``backbone.*``, ``encoder.*``,
    ``heads.qa.*``) and fine-tuning from a pre-trained checkpoint
    (``init_from``) are the pre-trainer's.

    ``predict`` sets on each data sample ``pred_label`` (int, the argmax
    class) and ``pred_scores`` (C, ), the softmax over the classes;
    ``mode='tensor'`` returns ``dict(qa_logits=(B, C))``.

    Args:
        backbone (dict): Frame encoder config.
        encoder (dict): An encoder with a fusion mode (SNP's shared BERT or
            P3E's separate fusion BERT); a two-stream encoder is refused.
        qa_head (dict): The answer classifier's config
            (``type='QAHead'``, ``num_classes``); ``hidden_size=None`` is
            filled with the encoder's width.
        **kwargs: ``data_preprocessor``, ``init_from``, ``init_cfg`` ... of
            :class:`VideoTextPretrainer`.
    """

    def __init__(self, backbone: dict, encoder: dict, qa_head: dict,
                 **kwargs) -> None:
        check_has_fusion(encoder, 'VideoQA')
        for key in ('heads', 'retrieval_head'):
            if key in kwargs:
                raise ConfigError(
                    f'{type(self).__name__} takes qa_head, not {key}: its '
                    'only head is the answer classifier.')
        super().__init__(
            backbone=backbone,
            encoder=encoder,
            heads=dict(qa=qa_head),
            retrieval_head=None,
            **kwargs)

    @property
    def qa_head(self):
        return self.heads['qa']

    def answer_logits(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, C) answer logits of ``[question ; video]``."""
        tokens = self.extract_video(inputs['frames'])
        pooled = self.encoder.forward_fusion(inputs['input_ids'],
                                             inputs['attention_mask'],
                                             tokens)[1]
        return self.qa_head.logits(pooled)

    def extract_feats(self, inputs: Dict[str, torch.Tensor]) -> dict:
        return dict(qa_logits=self.answer_logits(inputs))

    def predict(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List] = None) -> List:
        scores = self.answer_logits(inputs).float().softmax(dim=-1)
        labels = scores.argmax(dim=-1)
        if data_samples is None:
            from snps3.structures import VideoTextDataSample
            data_samples = [VideoTextDataSample() for _ in range(len(labels))]
        for sample, score, label in zip(data_samples, scores, labels):
            sample.set_field(score, 'pred_scores')
            sample.set_field(int(label), 'pred_label')
        return data_samples
