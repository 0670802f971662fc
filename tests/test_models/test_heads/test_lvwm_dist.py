# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""LVWMHead on two real gloo processes equals one process on both halves,
with two captions of one video split across the ranks."""
import os
import socket
from types import SimpleNamespace

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from snps3.models.forward_context import same_video_mask
from snps3.models.heads import LVWMHead

OBJECTIVES = ('infonce', 'mil_nce')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _head(objective):
    torch.manual_seed(0)
    return LVWMHead(
        hidden_size=8,
        temperature=0.2,
        learnable_temperature=True,
        objective=objective)


def _data():
    g = torch.Generator().manual_seed(0)
    states = torch.randn(4, 6, 8, generator=g)
    frames = F.normalize(torch.randn(4, 3, 8, generator=g), dim=-1)
    positions = torch.randint(0, 6, (4, 2), generator=g)
    # Rows 1 and 2 caption one video; each rank holds one of them.
    uids = torch.tensor([5, 7, 7, 9])
    return states, frames, positions, uids


def _run(objective, rows):
    """Loss and gradients of the head on the given rows of the data."""
    head = _head(objective)
    states, frames, positions, uids = _data()
    states = states[rows].clone().requires_grad_()
    frames = frames[rows].clone().requires_grad_()
    ctx = SimpleNamespace(
        text=(states, None),
        video_feats=frames,
        same_video_all=same_video_mask(
            dict(video_uid=uids[rows]), across_ranks=True),
        inputs=dict(lvwm_positions=positions[rows]))
    loss = head.loss(ctx)['loss_lvwm']
    return head, states, frames, loss


def _worker(rank, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    result = {}
    for objective in OBJECTIVES:
        head, states, frames, loss = _run(objective,
                                          slice(rank * 2, rank * 2 + 2))
        # DDP averages the gradients of the per-rank losses.
        (loss / 2).backward()
        params = [p.grad for p in head.parameters()]
        for grad in params:
            dist.all_reduce(grad)
        losses = [torch.zeros(()) for _ in range(2)]
        dist.all_gather(losses, loss.detach())
        result[objective] = (sum(losses) / 2, states.grad, frames.grad, params)
    out[rank] = result
    dist.destroy_process_group()


def test_two_ranks_match_one_rank_on_the_concatenated_batch():
    manager = mp.Manager()
    out = manager.dict()
    mp.spawn(_worker, args=(_free_port(), out), nprocs=2, join=True)
    for objective in OBJECTIVES:
        head, states, frames, ref = _run(objective, slice(0, 4))
        ref.backward()
        loss, *_ = out[0][objective]
        assert torch.allclose(loss, ref.detach(), atol=1e-6)
        grad_states = torch.cat([out[r][objective][1] for r in (0, 1)])
        grad_frames = torch.cat([out[r][objective][2] for r in (0, 1)])
        assert torch.allclose(grad_states, states.grad, atol=1e-6)
        assert torch.allclose(grad_frames, frames.grad, atol=1e-6)
        for got, param in zip(out[0][objective][3], head.parameters()):
            # Each rank differentiated its loss / 2; summed over ranks,
            # that is the gradient of the mean loss.
            assert torch.allclose(got, param.grad, atol=1e-6)
