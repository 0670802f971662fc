# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Multiple-choice QA (MSRVTT-MC): a trained model scores each option."""
from typing import Dict, List, Optional

import torch

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

from .pretrainer import VideoTextPretrainer
from .simvtp import SimVTPPretrainer

MC_SCORING_MODES = ('fusion', 'dual')


class MultipleChoiceMixin:
    """Option scoring and ``predict`` for a video-text pre-trainer.

    Mixed in before a pre-trainer class, whose ``__init__`` arguments it
    passes on, it adds no parameter, so a retrieval fine-tuned (or
    pre-trained) checkpoint loads unchanged. It reads only the pre-trainer's
    ``heads``, ``extract_video`` (frames -> the ``frame_tokens`` a joint
    pass reads), ``extract_feats`` (``text_feat`` / ``video_feat``),
    ``similarity`` and ``pair_scores``.

    The batch holds ``frames`` (B, T, 3, H, W) and the tokenised options
    ``option_ids`` / ``option_mask`` (B, K, L)
    (:class:`~snps3.datasets.TokenizeOptions`). A question's options are
    scored against its own video only. ``predict`` sets on each data sample
    ``pred_scores`` (K, ) and ``pred_label`` (the argmax, the first on
    ties).

    ``scoring`` says how an ``(option, video)`` pair is scored:

    * ``dict(mode='fusion', head=NAME)``: the B*K pairs go through the
      joint (fusion) encoder in one batched pass and the pair-scoring head
      ``NAME`` scores them (:attr:`pair_head_kind`);
    * ``dict(mode='dual')``: the retrieval head's dual-encoder similarity
      of the option's text feature and the video's feature.

    A subclass sets :attr:`default_scoring`, and :attr:`pair_head_attr` /
    :attr:`pair_head_kind`: the attribute its ``pair_scores`` needs on a
    head, and how an error message names such a head.
    """

    default_scoring = dict(mode='fusion', head='xm')
    pair_head_attr = 'score_pairs'
    pair_head_kind = "a cross-matching head (type='CrossMatchingHead')"

    def __init__(self, scoring: Optional[dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        scoring = dict(scoring or self.default_scoring)
        mode = scoring.get('mode')
        if mode not in MC_SCORING_MODES:
            raise ConfigError(f'multiple-choice scoring mode {mode!r} is not '
                              f'one of {MC_SCORING_MODES}')
        if mode == 'fusion':
            head = scoring.get('head')
            if head not in self.heads or not hasattr(self.heads[head],
                                                     self.pair_head_attr):
                raise ConfigError(
                    f"multiple-choice scoring mode 'fusion' needs head=<"
                    f'{self.pair_head_kind} of the model>, got {head!r} '
                    f'(heads: {list(self.heads)}); a model without one can '
                    "use scoring=dict(mode='dual').")
        self.scoring = scoring
        scorer = self.heads[scoring['head']] if mode == 'fusion' else \
            self.retrieval_head_module
        # A head without weights (SimVTP's mean-pooling VTC at a fixed
        # temperature) cannot be missing from a checkpoint.
        if scorer.state_dict():
            scorer.register_load_state_dict_pre_hook(self._check_scorer_loaded)

    def _check_scorer_loaded(self, module, state_dict, prefix, *args) -> None:
        """Refuse a checkpoint without the scoring head's weights.

        Checkpoints load non-strictly (a retrieval checkpoint may carry
        heads this model does not use), so a missing scoring head would
        only be a warning, and its random weights would pick the options.
        """
        if not any(key.startswith(prefix) for key in state_dict):
            raise ConfigError(
                f'the checkpoint has no {prefix.rstrip(".")}.* weights, '
                f"which multiple-choice scoring {self.scoring['mode']!r} "
                'uses; evaluate a checkpoint trained with that head, or '
                "score with the other mode (model.scoring.mode='dual' needs "
                f"the retrieval head, 'fusion' {self.pair_head_kind}).")

    def option_scores(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, K) score of every option of every question."""
        ids, mask = inputs['option_ids'], inputs['option_mask']
        b, k = ids.shape[:2]
        ids, mask = ids.flatten(0, 1), mask.flatten(0, 1)
        if self.scoring['mode'] == 'fusion':
            tokens = self.extract_video(inputs['frames'])
            return self.pair_scores(ids, mask,
                                    tokens.repeat_interleave(k, dim=0),
                                    self.scoring['head']).view(b, k)
        feats = self.extract_feats(
            dict(input_ids=ids, attention_mask=mask, frames=inputs['frames']))
        scores = self.similarity(feats['text_feat'],
                                 feats['video_feat']).view(b, k, b)
        # Each question's options against its own video only.
        own = torch.arange(b, device=scores.device)
        return scores[own, :, own]

    def predict(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List] = None) -> List:
        if 'option_ids' not in inputs:
            raise ConfigError(
                f'{type(self).__name__} needs option_ids/option_mask in the '
                "batch: add dict(type='TokenizeOptions') to the pipeline and "
                "'option_ids', 'option_mask' to PackVideoTextInputs' "
                'input_keys.')
        scores = self.option_scores(inputs).float()
        if data_samples is None:
            from snps3.structures import VideoTextDataSample
            data_samples = [VideoTextDataSample() for _ in range(len(scores))]
        for sample, score in zip(data_samples, scores):
            sample.set_field(score, 'pred_scores')
            sample.set_field(int(score.argmax()), 'pred_label')
        return data_samples


@MODELS.register_module()
class MultipleChoiceModel(MultipleChoiceMixin, VideoTextPretrainer):
    """A :class:`VideoTextPretrainer` whose ``predict`` picks an option.

    Evaluation only; see :class:`MultipleChoiceMixin` for the batch and the
    outputs. Scoring:

    * ``dict(mode='fusion', head='xm')`` (default, the paper's protocol):
      ``[option ; video]`` through the fusion encoder, the cross-matching
      head ``head`` scores the joint [CLS];
    * ``dict(mode='dual')``: the retrieval head's similarity of the
      option's text feature and the video's frame features, for models
      trained without a cross-matching head (e.g. MSSM+VTC+LVWM).

    Args:
        scoring (dict): See above. Default ``dict(mode='fusion',
            head='xm')``.
        **kwargs: Arguments of :class:`VideoTextPretrainer` (the config
            of the checkpoint's model).
    """


@MODELS.register_module()
class SimVTPMultipleChoiceModel(MultipleChoiceMixin, SimVTPPretrainer):
    """A :class:`SimVTPPretrainer` whose ``predict`` picks an option.

    Evaluation only; see :class:`MultipleChoiceMixin` for the batch and the
    outputs. Scoring:

    * ``dict(mode='fusion', head='vtm')`` (default): the whole clip's tubes
      then the option's tokens through the unified encoder, the VTM head
      scores the masked mean of the joint states (matched minus unmatched
      logit), as SimVTP pre-training checkpoints allow;
    * ``dict(mode='dual')``: cosine of the mean-pooled option alone (the
      text tower's, with ``text_tower=True``) and the mean-pooled clip
      alone, the retrieval fine-tuned dual encoder's scores.

    Args:
        scoring (dict): See above. Default ``dict(mode='fusion',
            head='vtm')``.
        **kwargs: Arguments of :class:`SimVTPPretrainer` (the config of the
            checkpoint's model).
    """

    default_scoring = dict(mode='fusion', head='vtm')
    pair_head_attr = 'classifier'
    pair_head_kind = "a VTM head (type='VTMHead')"
