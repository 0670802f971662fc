# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.models.losses import infonce_text_video, mil_similarity
from snps3.registry import MODELS
from snps3.utils.dist import gather_with_grad, rank_offset

from .base import BaseProxyHead


@MODELS.register_module()
class VTCHead(BaseProxyHead):
    """Video-text contrastive learning (the global part of GVTM).

    Text feature ``s = L2norm(pooled text [CLS])`` (the encoder's pooler is
    ``tanh(W h_CLS)``); frame features ``f = L2norm(MLP(frame token))`` with
    ``MLP = Linear-ReLU-Linear``. A caption and a video are compared by
    logsumexp over frames; InfoNCE in both directions, with the negatives of
    all ranks gathered with gradient.

    **MoCo queue** (``queue_size > 0``, off by default; the public code's
    choice, with K=16384 and momentum 0.9999). The head then asks the model
    for a momentum branch (:attr:`needs_momentum_model`): EMA copies of the
    backbone, the encoder and this head's frame MLP, which give *keys*
    (``ctx.momentum_feats``, no gradient). Queries are the online features,
    as without a queue (MoCo / ALBEF style)::

        t2v: s_i (online)  vs  [f^m of all ranks' videos ; video queue]
        v2t: f_i (online)  vs  [s^m of all ranks' captions ; text queue]

    The positive of pair i is its own momentum key (column ``offset + i``);
    the other gathered keys are in-batch negatives and the queue adds K
    older ones. Keys carry no gradient, so nothing is gathered with
    gradient on this path. After the loss, all ranks enqueue the same
    gathered keys, so the queues stay identical across ranks. Queue entries
    not yet filled are masked out of the softmax (no random
    initialisation). The EMA of the momentum branch is the model's
    (:meth:`~snps3.models.VideoTextPretrainer.momentum_update`), run once
    per optimiser step by :class:`~snps3.engine.MomentumUpdateHook`.

    The video queue stores T frame features per entry; T is taken from the
    first batch (the queue is reshaped while it is empty and when a
    checkpoint is loaded), and a batch with another T afterwards is an
    error, not a silent mix.

    Args:
        hidden_size (int): Width of the encoder and the frame tokens.
        temperature (float): Initial temperature.
        learnable_temperature (bool): Learn ``log(1 / temperature)``.
        queue_size (int): K, the number of queued keys per modality;
            0 (default) for in-batch gathered negatives only.
        momentum (float): EMA coefficient of the momentum branch, used only
            with a queue: ``m <- momentum * m + (1 - momentum) * online``.
    """

    requires = ('text', 'frames')

    def __init__(self,
                 hidden_size: int,
                 temperature: float = 0.05,
                 learnable_temperature: bool = False,
                 queue_size: int = 0,
                 momentum: float = 0.9999,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if queue_size < 0:
            raise ValueError(f'queue_size must be >= 0, got {queue_size}')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'momentum must be in [0, 1), got {momentum}')
        self.frame_mlp = nn.Sequential(
            nn.Linear(hidden_size, hidden_size), nn.ReLU(inplace=True),
            nn.Linear(hidden_size, hidden_size))
        log_scale = torch.tensor(math.log(1 / temperature))
        if learnable_temperature:
            self.log_scale = nn.Parameter(log_scale)
        else:
            self.register_buffer('log_scale', log_scale, persistent=False)
        self.queue_size = queue_size
        self.momentum = momentum
        #: Read by the model at build time: keys for the queue come from
        #: momentum copies that only the model can make.
        self.needs_momentum_model = queue_size > 0
        if queue_size:
            # Buffers, so the queues are checkpointed and resumed with the
            # momentum weights that produced them.
            self.register_buffer('text_queue',
                                 torch.zeros(queue_size, hidden_size))
            # (K, T, E) with T unknown until the first batch: see
            # _fit_video_queue.
            self.register_buffer('video_queue',
                                 torch.zeros(queue_size, 0, hidden_size))
            self.register_buffer('queue_ptr', torch.zeros((),
                                                          dtype=torch.long))
            # Entries filled so far (<= K): they are always the first
            # queue_len rows, since filling starts at row 0.
            self.register_buffer('queue_len', torch.zeros((),
                                                          dtype=torch.long))

    @property
    def temperature(self) -> torch.Tensor:
        return self.log_scale.exp().reciprocal()

    def embed_text(self, pooled: torch.Tensor) -> torch.Tensor:
        """(B, D) pooled text [CLS] -> (B, D) normalised feature."""
        return F.normalize(pooled.float(), dim=-1)

    def embed_video(self, frame_tokens: torch.Tensor) -> torch.Tensor:
        """(B, T, D) frame tokens -> (B, T, D) normalised features."""
        return F.normalize(self.frame_mlp(frame_tokens).float(), dim=-1)

    def similarity(self, text_feats: torch.Tensor,
                   video_feats: torch.Tensor) -> torch.Tensor:
        """(Nt, D) x (Nv, T, D) -> (Nt, Nv) retrieval scores."""
        return mil_similarity(text_feats, video_feats, self.temperature)

    def momentum_copy(self) -> 'VTCHead':
        """The embedding part of this head, for the model's momentum branch.

        A queue-less head holding a copy of the frame MLP, so its
        ``embed_text``/``embed_video`` make keys exactly as this head makes
        queries; the queues and the temperature are not part of it.
        """
        clone = VTCHead(
            self.frame_mlp[0].in_features, temperature=float(self.temperature))
        clone.frame_mlp = copy.deepcopy(self.frame_mlp)
        return clone

    def loss(self, ctx) -> dict:
        if self.queue_size:
            return self._loss_with_queue(ctx)
        # The context's global features come from the model's retrieval head
        # (this head by default), so LVWM and negative mining share them.
        text, frames = ctx.text_feats, ctx.video_feats
        out = infonce_text_video(text, frames, gather_with_grad(text),
                                 gather_with_grad(frames),
                                 rank_offset(text.shape[0]), self.temperature,
                                 ctx.same_video_all)
        return dict(
            loss_vtc=out['loss'] * self.loss_weight, vtc_acc=out['acc'])

    def _loss_with_queue(self, ctx) -> dict:
        text, frames = ctx.text_feats, ctx.video_feats  # queries (grad)
        text_keys, video_keys = ctx.momentum_feats  # (B, E), (B, T, E)
        with torch.no_grad():
            text_keys = gather_with_grad(text_keys.detach())  # (N, E)
            video_keys = gather_with_grad(video_keys.detach())  # (N, T, E)
        self._fit_video_queue(video_keys.shape[1])
        n = text_keys.shape[0]
        # Concatenating copies the queues, which the enqueue below then
        # overwrites in place without touching what backward needs.
        all_text = torch.cat([text_keys, self.text_queue.to(text_keys)])
        all_video = torch.cat([video_keys, self.video_queue.to(video_keys)])
        filled = torch.arange(
            self.queue_size, device=text.device) < self.queue_len
        valid = torch.cat([filled.new_ones(n), filled])
        t2v = mil_similarity(text, all_video, self.temperature)
        v2t = mil_similarity(all_text, frames, self.temperature).t()
        t2v = t2v.masked_fill(~valid, float('-inf'))
        v2t = v2t.masked_fill(~valid, float('-inf'))
        targets = torch.arange(
            text.shape[0], device=text.device) + rank_offset(text.shape[0])
        loss = (F.cross_entropy(t2v, targets) +
                F.cross_entropy(v2t, targets)) / 2
        acc = (t2v.argmax(dim=1) == targets).float().mean()
        self.enqueue(text_keys, video_keys)
        return dict(loss_vtc=loss * self.loss_weight, vtc_acc=acc)

    def _fit_video_queue(self, num_frames: int) -> None:
        """Give the (still empty) video queue ``num_frames`` per entry."""
        if self.video_queue.shape[1] == num_frames:
            return
        # Only reached on a shape change (the first batch): the host sync
        # of reading queue_len is not paid per step.
        if int(self.queue_len) > 0:
            raise ValueError(
                f'the VTC video queue holds {self.video_queue.shape[1]}-'
                f'frame videos but this batch has {num_frames} frames; a '
                'queue needs the same number of frames in every batch')
        self.video_queue = self.video_queue.new_zeros(
            self.queue_size, num_frames, self.video_queue.shape[2])

    @torch.no_grad()
    def enqueue(self, text_keys: torch.Tensor,
                video_keys: torch.Tensor) -> None:
        """Write keys at the pointer, wrapping around, oldest overwritten.

        Args:
            text_keys (Tensor): (N, E) momentum text features (all ranks').
            video_keys (Tensor): (N, T, E) momentum frame features.
        """
        self._fit_video_queue(video_keys.shape[1])
        size = self.queue_size
        if text_keys.shape[0] > size:  # only the newest K fit
            text_keys, video_keys = text_keys[-size:], video_keys[-size:]
        n = text_keys.shape[0]
        # Index arithmetic on the device: no host sync per step.
        rows = (self.queue_ptr +
                torch.arange(n, device=self.queue_ptr.device)) % size
        self.text_queue[rows] = text_keys.to(self.text_queue)
        self.video_queue[rows] = video_keys.to(self.video_queue)
        self.queue_ptr.copy_((self.queue_ptr + n) % size)
        self.queue_len.copy_((self.queue_len + n).clamp(max=size))

    def _load_from_state_dict(self, state_dict, prefix, *args,
                              **kwargs) -> None:
        # A checkpoint's video queue has the T of its run; take its shape
        # so that it loads into a fresh (T = 0) queue.
        saved = state_dict.get(prefix + 'video_queue')
        if (self.queue_size and saved is not None
                and saved.shape[::2] == self.video_queue.shape[::2]):
            self.video_queue = self.video_queue.new_zeros(saved.shape)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
