# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Multiple-choice QA (MSRVTT-MC): a trained model scores each option."""
from typing import Dict, List, Optional

import torch

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

from .pretrainer import VideoTextPretrainer

MC_SCORING_MODES = ('fusion', 'dual')


@MODELS.register_module()
class MultipleChoiceModel(VideoTextPretrainer):
    """A :class:`VideoTextPretrainer` whose ``predict`` picks an option.

    Evaluation only, with no parameter of its own, so a retrieval
    fine-tuned (or pre-trained) checkpoint loads into it unchanged. The
    batch holds ``frames`` (B, T, 3, H, W) and the tokenised options
    ``option_ids`` / ``option_mask`` (B, K, L)
    (:class:`~snps3.datasets.TokenizeOptions`). ``predict`` sets on each
    data sample ``pred_scores`` (K, ) and ``pred_label`` (the argmax, the
    first on ties).

    ``scoring`` says how an ``[option ; video]`` pair is scored:

    * ``dict(mode='fusion', head='xm')`` (the paper's protocol): the B*K
      pairs go through the fusion encoder in one batched pass and the
      cross-matching head ``head`` scores them;
    * ``dict(mode='dual')``: the retrieval head's dual-encoder similarity
      of the option's text feature and the video's frame features, for
      models trained without a cross-matching head (e.g. MSSM+VTC+LVWM).

    Args:
        scoring (dict): See above. Default ``dict(mode='fusion',
            head='xm')``.
        **kwargs: Arguments of :class:`VideoTextPretrainer` (the config
            of the checkpoint's model).
    """

    def __init__(self, scoring: Optional[dict] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        scoring = dict(scoring or dict(mode='fusion', head='xm'))
        mode = scoring.get('mode')
        if mode not in MC_SCORING_MODES:
            raise ConfigError(f'multiple-choice scoring mode {mode!r} is not '
                              f'one of {MC_SCORING_MODES}')
        if mode == 'fusion':
            head = scoring.get('head')
            if head not in self.heads or not hasattr(self.heads[head],
                                                     'score_pairs'):
                raise ConfigError(
                    f"multiple-choice scoring mode 'fusion' needs head=<a "
                    f'cross-matching head of the model>, got {head!r} '
                    f'(heads: {list(self.heads)}); a model without one can '
                    "use scoring=dict(mode='dual').")
        self.scoring = scoring
        scorer = self.heads[scoring['head']] if mode == 'fusion' else \
            self.retrieval_head_module
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
                "the retrieval head, 'fusion' a cross-matching head).")

    def option_scores(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        """(B, K) score of every option of every question."""
        ids, mask = inputs['option_ids'], inputs['option_mask']
        b, k = ids.shape[:2]
        tokens = self.extract_video(inputs['frames'])  # (B, T, D)
        if self.scoring['mode'] == 'fusion':
            return self.pair_scores(
                ids.flatten(0, 1), mask.flatten(0, 1),
                tokens.repeat_interleave(k, dim=0),
                self.scoring['head']).view(b, k)
        head = self.retrieval_head_module
        pooled = self.encoder.forward_text(
            ids.flatten(0, 1), mask.flatten(0, 1))[1]
        text = head.embed_text(pooled).view(b, k, -1)
        video = head.embed_video(tokens)  # (B, T, E)
        # Each question's options against its own video only.
        return torch.stack(
            [head.similarity(text[i], video[i:i + 1])[:, 0] for i in range(b)])

    def predict(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List] = None) -> List:
        if 'option_ids' not in inputs:
            raise ConfigError(
                'MultipleChoiceModel needs option_ids/option_mask in the '
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
