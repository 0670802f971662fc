# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Open-ended VideoQA: the pre-training model with an answer classifier."""
from typing import Dict, List, Optional

import torch

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

from .pretrainer import VideoTextPretrainer
from .simvtp import SimVTPPretrainer


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


class VideoQAMixin:
    """An answer classifier over a pre-trainer's joint pass (VideoQA).

    Mixed in before a pre-trainer class, it builds that pre-trainer with
    one head, ``heads.qa`` (``qa_head``, a :class:`QAHead`), and no
    retrieval head, so a pre-training checkpoint's ``encoder.*`` (and
    ``backbone.*``) load by name. Training is the pre-trainer's ``loss``:
    the head reads the context's ``fusion_pos`` pass, the question taking
    the caption's place. A subclass defines :meth:`answer_logits`, the same
    pass outside training.

    ``predict`` sets on each data sample ``pred_label`` (int, the argmax
    class) and ``pred_scores`` (C, ), the softmax over the classes;
    ``mode='tensor'`` returns ``dict(qa_logits=(B, C))``.
    """

    def __init__(self, qa_head: dict, **kwargs) -> None:
        for key in ('heads', 'retrieval_head'):
            if key in kwargs:
                raise ConfigError(
                    f'{type(self).__name__} takes qa_head, not {key}: its '
                    'only head is the answer classifier.')
        super().__init__(heads=dict(qa=qa_head), retrieval_head=None, **kwargs)

    @property
    def qa_head(self):
        return self.heads['qa']

    def answer_logits(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, C) answer logits of the questions about their videos."""
        raise NotImplementedError

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


@MODELS.register_module()
class VideoQAModel(VideoQAMixin, VideoTextPretrainer):
    """Backbone + encoder of :class:`VideoTextPretrainer` + a :class:`QAHead`.

    The question takes the caption's place: ``inputs['input_ids']`` and
    ``attention_mask`` (B, L) hold the tokenised question, ``frames``
    (B, T, 3, H, W) the video, and in training ``answer_label`` (B, ) the
    answer class (-1 outside the vocabulary, ignored). The question and the
    video go through the fusion encoder once; the head classifies the joint
    [CLS]. Building, checkpoint layout (``backbone.*``, ``encoder.*``,
    ``heads.qa.*``) and fine-tuning from a pre-trained checkpoint
    (``init_from``) are the pre-trainer's; outputs as
    :class:`VideoQAMixin`.

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
        super().__init__(
            qa_head=qa_head, backbone=backbone, encoder=encoder, **kwargs)

    def answer_logits(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, C) answer logits of ``[question ; video]``."""
        tokens = self.extract_video(inputs['frames'])
        pooled = self.encoder.forward_fusion(inputs['input_ids'],
                                             inputs['attention_mask'],
                                             tokens)[1]
        return self.qa_head.logits(pooled)


@MODELS.register_module()
class SimVTPVideoQAModel(VideoQAMixin, SimVTPPretrainer):
    """SimVTP's unified encoder + a :class:`QAHead`.

    The question takes the caption's place (``input_ids`` /
    ``attention_mask`` (B, L), ``frames`` (B, T, 3, H, W), ``answer_label``
    (B, ) in training, -1 ignored): the whole clip's tubes (no tube
    masking) then the question's tokens go through the unified encoder in
    one joint pass, and the head classifies the masked mean of the joint
    states (:meth:`SimVTPPretrainer.fuse`, what SimVTP's VTM head reads).
    Checkpoint layout ``encoder.*``, ``heads.qa.*``: ``init_from`` a SimVTP
    pre-training checkpoint loads its encoder. Outputs as
    :class:`VideoQAMixin`.

    Args:
        encoder (dict): A :class:`UnifiedVideoTextEncoder` config (the
            pre-trained checkpoint's).
        qa_head (dict): The answer classifier's config
            (``type='QAHead'``, ``num_classes``); ``hidden_size=None`` is
            filled with the encoder's width.
        **kwargs: ``data_preprocessor``, ``init_from``, ``init_cfg`` ... of
            :class:`SimVTPPretrainer`.
    """

    def __init__(self, encoder: dict, qa_head: dict, **kwargs) -> None:
        if kwargs.get('text_tower'):
            raise ConfigError(
                'SimVTPVideoQAModel reads the joint pass only: a text tower '
                '(text_tower=True) would never be used; leave it out.')
        super().__init__(qa_head=qa_head, encoder=encoder, **kwargs)

    def answer_logits(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, C) answer logits of the joint pass [clip tubes ; question]."""
        tokens = self.extract_video(inputs['frames'])
        pooled = self.fuse(tokens, inputs['input_ids'],
                           inputs['attention_mask'])[1]
        return self.qa_head.logits(pooled)
