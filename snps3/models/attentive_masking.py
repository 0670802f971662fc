# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Attentive masking: MLM masks re-drawn from the text encoder's attention.

The authors' public code re-draws the MLM masks of half the training steps
from attention weights; the paper does not name this, and none of its tables
uses it. Here it is an option of :class:`VideoTextPretrainer`
(``attentive_masking=dict(type='AttentiveMasking')``), off by default.
"""
import math
from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError


def bert_replacement(
        input_ids: torch.Tensor,
        chosen: torch.Tensor,
        mask_token_id: int,
        vocab_size: int,
        mask_ratio: float = 0.8,
        random_ratio: float = 0.1) -> Tuple[torch.Tensor, torch.Tensor]:
    """BERT's 80/10/10 rule on chosen positions, batched, on the device.

    The torch counterpart of
    :func:`snps3.datasets.transforms.text.apply_bert_replacement` (which
    works on one numpy caption in the data pipeline): every chosen position
    becomes [MASK] with probability ``mask_ratio``, a token drawn uniformly
    from the whole vocabulary with probability ``random_ratio``, and stays
    itself otherwise. Uses torch's global generator.

    Args:
        input_ids (Tensor): (B, L) word-piece ids.
        chosen (Tensor): (B, L) bool, True at the positions to predict.
        mask_token_id (int): Id of [MASK].
        vocab_size (int): Random replacements are drawn from
            ``[0, vocab_size)``, as the data transform does.
        mask_ratio (float): Share of chosen positions set to [MASK].
        random_ratio (float): Share set to a random token.

    Returns:
        tuple: masked ids (B, L) and labels (B, L), the original id at the
        chosen positions and -100 elsewhere.
    """
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    draw = torch.rand(input_ids.shape, device=input_ids.device)
    to_mask = chosen & (draw < mask_ratio)
    to_random = chosen & (draw >= mask_ratio) & (
        draw < mask_ratio + random_ratio)
    masked = input_ids.masked_fill(to_mask, mask_token_id)
    random_ids = torch.randint_like(input_ids, vocab_size)
    masked = torch.where(to_random, random_ids, masked)
    return masked, labels


@contextmanager
def _eval_mode(module: nn.Module) -> Iterator[None]:
    """Dropout off inside, the module's own train/eval state restored."""
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)


@MODELS.register_module()
class AttentiveMasking(nn.Module):
    """Re-draw a batch's MLM masks where the text [CLS] attends most.

    The authors' public code does this in half the training steps; the
    paper's tables do not name it, so it is off by default and is a
    reproduction option, not part of the method we report.

    In a training step, with probability ``prob`` (one draw per step, on
    the CPU so that no device synchronisation is needed), the masks that the
    data transform drew (``mlm_input_ids``/``mlm_labels``) are replaced:

    1. a no-gradient text-mode pass on the raw caption, with dropout off, so
       that the ranking depends on the weights alone;
    2. each token's score is the attention that the [CLS] query pays to it
       in layer ``layer``, averaged over the heads;
    3. each caption masks as many tokens as the transform masked there
       (its count of ``mlm_labels != -100``; the transform's count rule,
       e.g. MSSM's, is kept), namely the best-scored candidates: real tokens
       that are neither [CLS] (position 0) nor the closing [SEP] (the last
       real position), nor any id in ``special_ids``;
    4. :func:`bert_replacement` applies the 80/10/10 rule to them.

    Why the attention is computed here: the encoder's BERT runs with
    PyTorch's SDPA, which returns no weights, and HuggingFace BERT (4.x)
    picks its attention class when it is built, so switching the config's
    ``_attn_implementation`` to 'eager' for one pass changes nothing, while
    ``output_attentions=True`` falls back to eager for every layer with a
    warning. Instead the pass asks for the hidden states, and the [CLS] row
    of the chosen layer is recomputed from that layer's own query and key
    projections of its input states: ``softmax(q_cls k^T / sqrt(d_head))``
    over the real tokens, exactly what the eager implementation computes
    (before its attention dropout), at the cost of one (B, H, L) product.

    Args:
        prob (float): Probability that a training step uses attentive masks
            instead of the transform's. Public code: 0.5.
        mask_ratio (float): Share of masked positions set to [MASK].
        random_ratio (float): Share set to a random vocabulary token.
        layer (int): Encoder layer whose attention scores the tokens;
            negative counts from the end (-1: the last layer).
        mask_token_id (int): Id of [MASK] (103 in bert-base-uncased).
        vocab_size (int, optional): Random replacements are drawn from
            ``[0, vocab_size)``; ``None`` is filled in by the model with the
            encoder's vocabulary size.
        special_ids (Sequence[int]): Ids never masked beyond the position
            rule, e.g. [UNK] (100 in bert-base-uncased), which the data
            transforms never mask either.
    """

    def __init__(
        self,
        prob: float = 0.5,
        mask_ratio: float = 0.8,
        random_ratio: float = 0.1,
        layer: int = -1,
        mask_token_id: int = 103,
        vocab_size: Optional[int] = None,
        special_ids: Sequence[int] = ()) -> None:
        super().__init__()
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if not (0 <= mask_ratio and 0 <= random_ratio
                and mask_ratio + random_ratio <= 1):
            raise ValueError(
                'mask_ratio and random_ratio must be >= 0 with a sum <= 1, '
                f'got {mask_ratio} and {random_ratio}')
        self.prob = prob
        self.mask_ratio = mask_ratio
        self.random_ratio = random_ratio
        self.layer = layer
        self.mask_token_id = mask_token_id
        self.vocab_size = vocab_size
        self.special_ids = tuple(special_ids)

    def extra_repr(self) -> str:
        return (f'prob={self.prob}, mask_ratio={self.mask_ratio}, '
                f'random_ratio={self.random_ratio}, layer={self.layer}')

    def check_encoder(self, encoder: nn.Module) -> None:
        """Fail at build time for an encoder the scores cannot be read from.

        Args:
            encoder (nn.Module): The model's encoder; its text BERT must be
                ``encoder.bert`` (every :class:`BaseBertEncoder` has one).

        Raises:
            ConfigError: No ``bert``, a layer out of range, or relative
                position embeddings (their attention terms are not
                recomputed here).
        """
        bert = getattr(encoder, 'bert', None)
        if bert is None:
            raise ConfigError(
                f'attentive masking reads the attention of the text BERT '
                f'(encoder.bert), which {type(encoder).__name__} does not '
                'have; use a BERT-based encoder or attentive_masking=None')
        num_layers = len(bert.encoder.layer)
        if not -num_layers <= self.layer < num_layers:
            raise ConfigError(
                f'attentive masking layer={self.layer} is out of range for '
                f'a text BERT with {num_layers} layers')
        kind = getattr(bert.config, 'position_embedding_type', 'absolute')
        if kind != 'absolute':
            raise ConfigError(
                'attentive masking supports absolute position embeddings '
                f"only, the text BERT has position_embedding_type='{kind}'")

    @torch.no_grad()
    def cls_attention(self, bert: nn.Module, input_ids: torch.Tensor,
                      attention_mask: torch.Tensor) -> torch.Tensor:
        """Attention of the [CLS] query to every token, mean over heads.

        Args:
            bert (nn.Module): A HuggingFace ``BertModel`` (text mode).
            input_ids (Tensor): (B, L) raw caption ids.
            attention_mask (Tensor): (B, L), 1 for real tokens.

        Returns:
            Tensor: (B, L) float32 attention weights of layer ``layer``;
            each row sums to 1 over the real tokens, 0 at padding.
        """
        with _eval_mode(bert):
            out = bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
                output_hidden_states=True)
        index = self.layer % len(bert.encoder.layer)
        # hidden_states[0] is the embeddings' output, so entry i is the
        # input of layer i.
        states = out.hidden_states[index]
        attn = bert.encoder.layer[index].attention.self
        b, length, _ = states.shape
        heads = bert.config.num_attention_heads
        head_dim = bert.config.hidden_size // heads
        query = attn.query(states[:, 0]).view(b, heads, 1, head_dim)
        key = attn.key(states).view(b, length, heads, head_dim).transpose(1, 2)
        logits = (query @ key.transpose(-1, -2)).squeeze(2).float()
        logits = logits / math.sqrt(head_dim)  # (B, H, L)
        logits = logits.masked_fill(attention_mask[:, None] == 0,
                                    float('-inf'))
        return logits.softmax(-1).mean(1)

    def candidates(self, input_ids: torch.Tensor,
                   attention_mask: torch.Tensor) -> torch.Tensor:
        """Maskable positions: real, not [CLS]/[SEP], not a special id.

        Args:
            input_ids (Tensor): (B, L) ``[CLS] caption [SEP] pad...`` ids.
            attention_mask (Tensor): (B, L), 1 for real tokens.

        Returns:
            Tensor: (B, L) bool.
        """
        real = attention_mask > 0
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        last = real.long().sum(1, keepdim=True) - 1
        cands = real & (positions > 0) & (positions != last)
        for special in self.special_ids:
            cands &= input_ids != special
        return cands

    def choose(self, scores: torch.Tensor, cands: torch.Tensor,
               counts: torch.Tensor) -> torch.Tensor:
        """The ``counts[i]`` best-scored candidates of each row.

        Args:
            scores (Tensor): (B, L) token scores.
            cands (Tensor): (B, L) bool maskable positions.
            counts (Tensor): (B, ) tokens to mask per row; more than a
                row's candidates takes them all.

        Returns:
            Tensor: (B, L) bool, True at the chosen positions.
        """
        scores = scores.masked_fill(~cands, float('-inf'))
        # A stable sort breaks ties by position, so equal scores (e.g. a
        # freshly initialised model) still give a deterministic choice.
        order = scores.argsort(dim=1, descending=True, stable=True)
        ranks = torch.empty_like(order)
        ranks.scatter_(
            1, order,
            torch.arange(order.shape[1], device=order.device).expand_as(order))
        return cands & (ranks < counts[:, None])

    def forward(self, encoder: nn.Module,
                inputs: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Maybe replace the batch's MLM masks (call in training only).

        Args:
            encoder (nn.Module): The model's encoder (text BERT in
                ``encoder.bert``).
            inputs (dict): The batch: ``input_ids``, ``attention_mask``,
                ``mlm_input_ids`` and ``mlm_labels``, all (B, L).

        Returns:
            dict: ``inputs`` itself when this step keeps the transform's
            masks; otherwise a shallow copy with new ``mlm_input_ids`` and
            ``mlm_labels`` (the caller's dict is not modified).
        """
        if self.prob <= 0 or torch.rand(()).item() >= self.prob:
            return inputs
        if 'mlm_labels' not in inputs:
            raise ConfigError(
                'attentive masking re-draws as many tokens as the data '
                'transform masked, but the batch has no mlm_labels: add a '
                'masking transform (RandomMLMMasking or the MSSM one) to '
                'the training pipeline')
        if self.vocab_size is None:
            raise ValueError('vocab_size is None: build AttentiveMasking '
                             'through VideoTextPretrainer, or give it')
        ids, mask = inputs['input_ids'], inputs['attention_mask']
        scores = self.cls_attention(encoder.bert, ids, mask)
        counts = (inputs['mlm_labels'] != -100).sum(1)
        chosen = self.choose(scores, self.candidates(ids, mask), counts)
        masked, labels = bert_replacement(ids, chosen, self.mask_token_id,
                                          self.vocab_size, self.mask_ratio,
                                          self.random_ratio)
        return dict(inputs, mlm_input_ids=masked, mlm_labels=labels)
