# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import copy
import warnings
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

from .attentive_masking import AttentiveMasking
from .forward_context import ForwardContext
from .multi_head_model import MultiHeadModel
from .pretrained import load_pretrained


@MODELS.register_module()
class VideoTextPretrainer(MultiHeadModel):
    """Backbone + text/fusion encoder + a dict of proxy-task heads.

    Which encoder (SNP's shared BERT or a separate-encoder baseline) and which
    heads (MLM or MSSM, VTC, LVWM, ...) is decided by the config alone.

    Args:
        backbone (dict): Frame encoder config; returns (B, T, D) tokens.
        encoder (dict): Text/fusion encoder config.
        heads (dict): Name -> head config (``None`` leaves the head out,
            so a child config can switch one off). Heads whose config has
            ``hidden_size``/``vocab_size`` set to ``None`` get the
            encoder's.
        retrieval_head (str, optional): Name of the head that embeds texts
            and videos for retrieval (``predict`` and ``similarity``);
            ``None`` for a task model that embeds nothing (VideoQA).
        data_preprocessor (dict, optional): Batch preprocessor config.
        attentive_masking (dict, optional): Config of an
            :class:`~snps3.models.attentive_masking.AttentiveMasking`, which
            re-draws the MLM masks of some training steps from the text
            [CLS]'s attention, as the authors' public code does (the
            paper's tables do not use it). ``None`` (default): the masks of
            the data transform are used as they are. Needs a head that reads
            the masked caption (MLM/MSSM, ``'mlm'`` in its ``requires``).
            ``vocab_size=None`` in it is filled in with the encoder's.
        init_from (dict, optional): Fine-tuning: the keyword arguments of
            :func:`~snps3.models.pretrained.load_pretrained`
            (``checkpoint``, ``key_map``, ``ignore``, ``require``), applied
            by :meth:`init_weights` after the normal initialisation.
            ``checkpoint=None`` loads nothing (with a warning). ``None``
            (default): no such step.

    Momentum branch. When a head sets ``needs_momentum_model`` (VTC with a
    MoCo queue), the model also holds ``momentum_model``: frozen copies
    (``requires_grad=False``) of the backbone, the encoder and the retrieval
    head's embedding (its ``momentum_copy()``), saved in checkpoints as
    ``momentum_model.{backbone,encoder,head}.*``. They give the context's
    ``momentum_feats`` and follow the online weights by EMA through
    :meth:`momentum_update`, which :class:`~snps3.engine.MomentumUpdateHook`
    calls once per optimiser step. Without such a head there is no branch
    and nothing changes.
    """

    def __init__(self,
                 backbone: dict,
                 encoder: dict,
                 heads: Dict[str, dict],
                 retrieval_head: Optional[str] = 'vtc',
                 data_preprocessor: Optional[dict] = None,
                 attentive_masking: Optional[dict] = None,
                 init_from: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoTextDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.encoder = MODELS.build(encoder)
        width = self.encoder.hidden_size
        backbone = dict(backbone)
        backbone.setdefault('out_channels', width)
        self.backbone = MODELS.build(backbone)
        self.heads = nn.ModuleDict()
        for name, cfg in heads.items():
            if cfg is None:  # `heads=dict(lvwm=None)` switches a head off
                continue
            cfg = dict(cfg)
            for key, value in (('hidden_size', width),
                               ('vocab_size',
                                self.encoder.word_embeddings.num_embeddings)):
                if key in cfg and cfg[key] is None:
                    cfg[key] = value
            head = MODELS.build(cfg)
            fusion = [r for r in head.requires if r.startswith('fusion')]
            if fusion and not getattr(self.encoder, 'has_fusion', True):
                raise ConfigError(
                    f"head '{name}' ({type(head).__name__}) needs the "
                    f'fusion pass {fusion}, which '
                    f'{type(self.encoder).__name__} does not have: use an '
                    'SNP or P3E encoder, or only VTC/LVWM heads.')
            if hasattr(head, 'tie_weights'):
                head.tie_weights(self.encoder.word_embeddings)
            self.heads[name] = head
        if retrieval_head is not None and retrieval_head not in self.heads:
            raise ValueError(
                f"retrieval_head '{retrieval_head}' is not among the heads "
                f'{list(self.heads)}')
        self.retrieval_head = retrieval_head
        self.init_from = dict(init_from) if init_from is not None else None
        #: The LoadReport of init_from, once init_weights has run.
        self.init_report = None
        self.attentive_masking = self._build_attentive_masking(
            attentive_masking)
        #: Set by MomentumUpdateHook; without it the branch never moves.
        self.momentum_hook_attached = False
        self._momentum_warned = False
        self.momentum_coef: Optional[float] = None
        self.momentum_model: Optional[nn.ModuleDict] = None
        self._build_momentum_model()

    def _build_attentive_masking(
            self, cfg: Optional[dict]) -> Optional[AttentiveMasking]:
        """The optional mask re-drawing step, checked against the heads."""
        if cfg is None:
            return None
        readers = [
            name for name, head in self.heads.items()
            if any('mlm' in need for need in head.requires)
        ]
        if not readers:
            raise ConfigError(
                'attentive_masking re-draws the MLM masks, but no head reads '
                f'them (heads: {list(self.heads)}): add an MLM/MSSM head or '
                'set attentive_masking=None')
        cfg = dict(cfg)
        cfg.setdefault('type', 'AttentiveMasking')
        if cfg.get('vocab_size') is None:
            cfg['vocab_size'] = self.encoder.word_embeddings.num_embeddings
        masking = MODELS.build(cfg)
        masking.check_encoder(self.encoder)
        return masking

    def _build_momentum_model(self) -> None:
        """Frozen copies for the heads that set ``needs_momentum_model``."""
        askers = {
            name: head
            for name, head in self.heads.items()
            if getattr(head, 'needs_momentum_model', False)
        }
        if not askers:
            return
        coefs = {float(head.momentum) for head in askers.values()}
        if len(coefs) > 1:
            raise ValueError(
                f'heads {list(askers)} ask for different momenta '
                f'{sorted(coefs)}, but the model has one momentum branch')
        head = self.retrieval_head_module
        if not hasattr(head, 'momentum_copy'):
            raise TypeError(
                f'heads {list(askers)} need momentum features, which come '
                f"from the retrieval head '{self.retrieval_head}', but "
                f'{type(head).__name__} has no momentum_copy()')
        self.momentum_coef = coefs.pop()
        # The encoder is copied whole (forward_text is its method); for the
        # P3E encoder that includes a fusion BERT the branch never runs.
        branch = nn.ModuleDict(
            dict(
                backbone=copy.deepcopy(self.backbone),
                encoder=copy.deepcopy(self.encoder),
                head=head.momentum_copy()))
        branch.requires_grad_(False)
        self.momentum_model = branch

    @torch.no_grad()
    def momentum_update(self, momentum: Optional[float] = None) -> None:
        """One EMA step of the momentum branch (a no-op without one).

        ``m <- c * m + (1 - c) * online`` for every parameter, matched by
        name, ``c`` being the heads' momentum. Buffers (BatchNorm running
        statistics, themselves averages) are copied from the online model.

        Args:
            momentum (float, optional): Overrides ``c``; 0 copies.
        """
        if self.momentum_model is None:
            return
        coef = self.momentum_coef if momentum is None else momentum
        branch = self.momentum_model
        for online, copied in ((self.backbone, branch['backbone']),
                               (self.encoder, branch['encoder']),
                               (self.retrieval_head_module, branch['head'])):
            params = dict(online.named_parameters())
            for name, param in copied.named_parameters():
                if coef == 0:
                    param.copy_(params[name])
                else:
                    param.lerp_(params[name].to(param.dtype), 1 - coef)
            buffers = dict(online.named_buffers())
            for name, buf in copied.named_buffers():
                if name in buffers:
                    buf.copy_(buffers[name])

    def init_weights(self) -> None:
        super().init_weights()
        self._load_init_from()
        # The Runner initialises a model built from scratch after __init__
        # made the copies: start the branch from the final online weights.
        # (Resuming loads the saved branch afterwards.)
        self.momentum_update(momentum=0.0)

    def _load_init_from(self) -> None:
        """Fine-tuning: load the pre-trained checkpoint of ``init_from``."""
        if self.init_from is None:
            return
        cfg = dict(self.init_from)
        if cfg.get('checkpoint') is None:
            warnings.warn(
                'model.init_from.checkpoint is None: fine-tuning starts from '
                "the backbone's and encoder's own weights, not from a "
                'pre-trained video-text model; pass --cfg-options '
                'model.init_from.checkpoint=PATH')
            return
        self.init_report = load_pretrained(self, **cfg)

    @torch.no_grad()
    def extract_momentum_feats(self, inputs: dict) -> Tuple[torch.Tensor, ...]:
        """Global features of the momentum branch (keys), no gradient.

        Args:
            inputs (dict): ``frames`` (B, T, 3, H, W), ``input_ids`` and
                ``attention_mask`` (B, L).

        Returns:
            tuple: text (B, E) and frame (B, T, E) normalised features.
        """
        if self.momentum_model is None:
            raise RuntimeError(
                'this model has no momentum branch: no head sets '
                'needs_momentum_model (e.g. VTCHead with queue_size > 0)')
        branch = self.momentum_model
        tokens = branch['backbone'](inputs['frames'])
        tokens = tokens[0] if isinstance(tokens, tuple) else tokens
        pooled = branch['encoder'].forward_text(inputs['input_ids'],
                                                inputs['attention_mask'])[1]
        head = branch['head']
        return head.embed_text(pooled), head.embed_video(tokens)

    @property
    def retrieval_head_module(self):
        """The head that embeds texts and videos into the joint space."""
        if self.retrieval_head is None:
            raise ConfigError(
                f'{type(self).__name__} has no retrieval head: evaluate '
                'retrieval with a model that has one (VideoTextPretrainer '
                "with retrieval_head='vtc')")
        return self.heads[self.retrieval_head]

    def extract_video(self, frames: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, H, W) normalised frames -> (B, T, D) frame tokens."""
        tokens = self.backbone(frames)
        return tokens[0] if isinstance(tokens, tuple) else tokens

    def loss(self, inputs: Dict[str, torch.Tensor]) -> dict:
        if (self.momentum_model is not None and self.training
                and not self.momentum_hook_attached
                and not self._momentum_warned):
            self._momentum_warned = True
            warnings.warn(
                'the model has a momentum branch (a MoCo queue) but no '
                'MomentumUpdateHook is attached, so the branch never '
                'follows the online model; add '
                "dict(type='MomentumUpdateHook') to custom_hooks")
        if self.attentive_masking is not None and self.training:
            # Swapped before the context is built, so the MLM head reads the
            # new masks through it unchanged; evaluation keeps the
            # transform's masks (comparable losses from one run to another).
            inputs = self.attentive_masking(self.encoder, inputs)
        return self.head_losses(ForwardContext(self, inputs))

    def extract_feats(self, inputs: Dict[str, torch.Tensor]) -> dict:
        """Retrieval features: whichever of text/video the inputs hold.

        Returns:
            dict: ``text_feat`` (B, E) and/or ``video_feat`` (B, T, E), and
            what fusion scoring needs later: the caption's ``input_ids``
            and ``attention_mask`` (B, L) and the ``frame_tokens``
            (B, T, D).
        """
        head = self.retrieval_head_module
        feats = {}
        if 'input_ids' in inputs:
            pooled = self.encoder.forward_text(inputs['input_ids'],
                                               inputs['attention_mask'])[1]
            feats['text_feat'] = head.embed_text(pooled)
            feats['input_ids'] = inputs['input_ids']
            feats['attention_mask'] = inputs['attention_mask']
        if 'frames' in inputs:
            tokens = self.extract_video(inputs['frames'])
            feats['video_feat'] = head.embed_video(tokens)
            feats['frame_tokens'] = tokens
        return feats

    def pair_scores(self, input_ids: torch.Tensor,
                    attention_mask: torch.Tensor, frame_tokens: torch.Tensor,
                    head: str) -> torch.Tensor:
        """Fusion matching scores of N (caption, video) pairs.

        Args:
            input_ids (Tensor): (N, L) captions.
            attention_mask (Tensor): (N, L).
            frame_tokens (Tensor): (N, T, D) their videos' frame tokens.
            head (str): A head with ``score_pairs`` (cross matching).

        Returns:
            Tensor: (N, ) scores, higher is a better match.
        """
        if head not in self.heads or not hasattr(self.heads[head],
                                                 'score_pairs'):
            raise ConfigError(
                f"fusion scoring needs a head with score_pairs, got '{head}'"
                f' (heads: {list(self.heads)}); add a CrossMatchingHead.')
        pooled = self.encoder.forward_fusion(input_ids, attention_mask,
                                             frame_tokens)[1]
        return self.heads[head].score_pairs(pooled)

    def similarity(self, text_feats: torch.Tensor,
                   video_feats: torch.Tensor) -> torch.Tensor:
        """Dual-encoder scores (Nt, Nv) of features from ``extract_feats``."""
        return self.retrieval_head_module.similarity(text_feats, video_feats)
