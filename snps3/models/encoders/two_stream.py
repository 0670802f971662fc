# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Two-stream (dual encoder) baseline: a text BERT and no fusion."""
from typing import Optional, Tuple

import torch

from snps3.registry import MODELS

from .shared_bert import BaseBertEncoder

#: Heads that read a fusion pass, and those that do not, for the message.
FUSION_HEADS = 'MLM/MSSM, cross matching, VTM'
DUAL_HEADS = 'VTC, LVWM'


@MODELS.register_module()
class TwoStreamEncoder(BaseBertEncoder):
    """Dual encoder: the caption is encoded alone, never with the video.

    The mainstream cheap-retrieval design: text and video only meet in the
    contrastive similarity, so only text-mode heads (VTC, LVWM) can train
    it, and cross-modal tasks (QA, MC, re-ranking) are out of reach.

    Args:
        pretrained (str, optional): Local BERT folder (``pkg://`` allowed).
        config (dict, optional): ``BertConfig`` arguments to build from
            scratch, or overrides of the pretrained config.
        sep_token_id (int): Unused; accepted so that a config can switch an
            SNP or P3E encoder to this one by changing ``type`` only.
        tokenizer (str, optional): Tokenizer folder for
            :meth:`export_pretrained`.
        **speed: ``attn_implementation``, ``gradient_checkpointing``,
            ``compile``, ``fast_dropout`` (see :class:`BaseBertEncoder`).
    """

    has_fusion = False

    def __init__(self,
                 pretrained: Optional[str] = None,
                 config: Optional[dict] = None,
                 sep_token_id: int = 102,
                 tokenizer: Optional[str] = None,
                 init_cfg: Optional[dict] = None,
                 **speed) -> None:
        super().__init__(
            pretrained=pretrained,
            config=config,
            tokenizer=tokenizer,
            init_cfg=init_cfg,
            **speed)
        self.sep_token_id = sep_token_id

    def forward_fusion(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        video_tokens: torch.Tensor,
        video_mask: Optional[torch.Tensor] = None,
        text_states: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Not available: a two-stream encoder has no fusion mode.

        Raises:
            NotImplementedError: always, naming the heads at fault.
        """
        raise NotImplementedError(
            'TwoStreamEncoder is a dual encoder without a fusion mode: the '
            f'heads that need a fusion pass ({FUSION_HEADS}) cannot train '
            f'it. Keep only text/video heads ({DUAL_HEADS}) in '
            "model.heads, or use type='SharedBertEncoder' (SNP) or "
            "'SeparateFusionEncoder' (P3E).")
