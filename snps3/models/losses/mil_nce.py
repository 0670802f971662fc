# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""MIL-NCE: one softmax over a caption's column and its video's row.

SNP-S3's cross-matching loss (and the public code's retrieval losses) put
the positive pair ``(i, i)`` in a single softmax with every caption scored
against video ``i`` (column ``i``) and every other video scored against
caption ``i`` (row ``i``)::

    l_i = -log(e^{S_ii} / (sum_j e^{S_ji} + sum_{j != i} e^{S_ij}))

Unlike symmetric InfoNCE (the mean of a row softmax and a column softmax),
both directions share one denominator.
"""
import torch


def mil_nce(t2v: torch.Tensor, v2t: torch.Tensor, offset: int = 0) -> dict:
    """MIL-NCE of this rank's pairs, optionally against gathered ones.

    ``S_ab`` is the score of caption ``a`` with video ``b``. Row ``i`` of
    both inputs belongs to this rank's pair ``i``, whose index among the
    columns is ``g = offset + i``. On one rank with a square score matrix
    ``S``, pass ``t2v = S`` and ``v2t = S.t()``.

    Entries equal to ``-inf`` count as not scored: they drop out of the
    denominator (the hard-negative variant scores a few pairs only). The
    positive ``v2t[i, g]`` must be finite.

    Args:
        t2v (Tensor): (B, N), ``t2v[i, j] = S(caption i, video j)``.
        v2t (Tensor): (B, N), ``v2t[i, j] = S(caption j, video i)``; its
            column ``g`` holds the positive ``S_ii``.
        offset (int): Column of this rank's first positive.

    Returns:
        dict: ``loss`` (mean over the B pairs) and ``acc``, the fraction of
        captions whose positive beats every scored negative of its row.
    """
    t2v, v2t = t2v.float(), v2t.float()
    b, n = t2v.shape
    rows = torch.arange(b, device=t2v.device)
    is_pos = torch.zeros(b, n, dtype=torch.bool, device=t2v.device)
    is_pos[rows, rows + offset] = True
    # The positive sits once in the denominator, on the column side.
    row_negs = t2v.masked_fill(is_pos, float('-inf'))
    denom = torch.cat([v2t, row_negs], dim=1).logsumexp(dim=1)
    positive = v2t[rows, rows + offset]
    loss = (denom - positive).mean()
    with torch.no_grad():
        # A row without scored negatives (batch of one) counts as a hit.
        acc = (t2v[rows, rows + offset] > row_negs.amax(dim=1)).float()
    return dict(loss=loss, acc=acc.mean())
