# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import math
from typing import Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.models.losses import infonce_text_video, mil_nce, mil_similarity
from snps3.registry import MODELS
from snps3.utils.dist import gather_with_grad, rank_offset

from .base import BaseProxyHead


@MODELS.register_module()
class LVWMHead(BaseProxyHead):
    """Local vision-word matching (the second half of S3).

    For caption i, ``K`` word positions (``inputs['lvwm_positions']``,
    (B, K), picked among its significant words by a data transform) select
    text-mode output states, which become word vectors ``w_ik``. They are
    matched with the normalised frame features ``f_jt`` of the retrieval
    head (``ctx.video_feats``)::

        S_ijt = logsumexp_k <w_ik, f_jt> / temperature
        S_ij  = logsumexp_t S_ijt          (all frames)

    Word vectors and frame features are gathered across ranks with
    gradient, and each rank's pairs are contrasted against every rank's
    (like VTC).

    Word vectors. By default (``project=True``) a state goes through a
    learnable ``Linear(D, E)`` and L2 normalisation, so that words and
    frames meet as unit vectors in the retrieval head's space, exactly as
    captions and frames do in VTC; the projection is LVWM's own, which
    keeps the word-level objective from pulling the global text feature.
    Cosine scores lie in [-1, 1], so they need a temperature (VTC's 0.05
    by default). ``project=False`` is the public code: the raw states
    (which need E == D) and no normalisation, whose norm then acts as an
    implicit temperature; pair it with ``temperature=None``.

    Objective. ``'infonce'`` (default): symmetric InfoNCE of ``S_ij``, as
    VTC. ``'mil_nce'``: the public code's single-softmax MIL-NCE (see
    :func:`~snps3.models.losses.mil_nce`), over all frames.

    Args:
        hidden_size (int): Width of the encoder (D).
        embed_dim (int, optional): Width of the frame features (E);
            defaults to ``hidden_size``.
        project (bool): Project and normalise the word states.
        temperature (float, optional): Divides the scores; ``None`` for
            none.
        learnable_temperature (bool): Learn ``log(1 / temperature)``.
        objective (str): ``'infonce'`` or ``'mil_nce'``.
    """

    requires = ('text', 'frames')

    def __init__(self,
                 hidden_size: int,
                 embed_dim: Optional[int] = None,
                 project: bool = True,
                 temperature: Optional[float] = 0.05,
                 learnable_temperature: bool = False,
                 objective: str = 'infonce',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if objective not in ('infonce', 'mil_nce'):
            raise ValueError("objective must be 'infonce' or 'mil_nce', "
                             f'got {objective!r}')
        if temperature is None and learnable_temperature:
            raise ValueError('learnable_temperature needs an initial '
                             'temperature, got temperature=None')
        self.objective = objective
        embed_dim = embed_dim or hidden_size
        self.proj = nn.Linear(hidden_size, embed_dim) if project else None
        if temperature is None:
            self.log_scale = None
        elif learnable_temperature:
            self.log_scale = nn.Parameter(
                torch.tensor(math.log(1 / temperature)))
        else:
            self.register_buffer(
                'log_scale',
                torch.tensor(math.log(1 / temperature)),
                persistent=False)

    @property
    def temperature(self) -> Union[float, torch.Tensor]:
        if self.log_scale is None:
            return 1.0
        return self.log_scale.exp().reciprocal()

    def embed_words(self, states: torch.Tensor,
                    positions: torch.Tensor) -> torch.Tensor:
        """Word vectors at the picked positions.

        Args:
            states (Tensor): (B, L, D) text-mode output states.
            positions (Tensor): (B, K) int64 positions into L.

        Returns:
            Tensor: (B, K, E) word vectors (unit length with ``project``).
        """
        index = positions.long()[..., None].expand(-1, -1, states.shape[-1])
        words = states.gather(1, index)
        if self.proj is None:
            return words.float()
        return F.normalize(self.proj(words).float(), dim=-1)

    def loss(self, ctx) -> dict:
        words = self.embed_words(ctx.text[0], ctx.inputs['lvwm_positions'])
        frames = ctx.video_feats
        if words.shape[-1] != frames.shape[-1]:
            raise ValueError(
                f'LVWM word vectors have {words.shape[-1]} channels but the '
                f'frame features {frames.shape[-1]}: set embed_dim (with '
                'project=True) to the retrieval head\'s feature width')
        words_all = gather_with_grad(words)
        frames_all = gather_with_grad(frames)
        offset = rank_offset(words.shape[0])
        # Other captions' words of the same video are not negatives.
        same = ctx.same_video_all
        if self.objective == 'infonce':
            out = infonce_text_video(words, frames, words_all, frames_all,
                                     offset, self.temperature, same)
        else:
            t2v = mil_similarity(words, frames_all, self.temperature)
            v2t = mil_similarity(words_all, frames, self.temperature).t()
            if same is not None:
                t2v = t2v.masked_fill(same, float('-inf'))
                v2t = v2t.masked_fill(same, float('-inf'))
            out = mil_nce(t2v, v2t, offset)
        return dict(
            loss_lvwm=out['loss'] * self.loss_weight, lvwm_acc=out['acc'])
