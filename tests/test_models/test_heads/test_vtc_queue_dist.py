# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Queued VTC on two real gloo processes equals one process on both halves.

Both ranks must also end with the same queue (all enqueue the gathered
keys), equal to the single process's.
"""
import os
import socket
from types import SimpleNamespace

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from snps3.models.heads import VTCHead


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _unit(*shape, g):
    return F.normalize(torch.randn(*shape, generator=g), dim=-1)


def _run(rows):
    """Loss, query gradients and final queue of a head on the given rows."""
    torch.manual_seed(0)
    head = VTCHead(hidden_size=8, temperature=0.1, queue_size=6)
    g = torch.Generator().manual_seed(0)
    head.enqueue(_unit(3, 8, g=g), _unit(3, 2, 8, g=g))  # half full
    text = _unit(4, 8, g=g)[rows].clone().requires_grad_()
    frames = _unit(4, 2, 8, g=g)[rows].clone().requires_grad_()
    keys = _unit(4, 8, g=g)[rows], _unit(4, 2, 8, g=g)[rows]
    ctx = SimpleNamespace(
        text_feats=text, video_feats=frames, momentum_feats=keys)
    loss = head.loss(ctx)['loss_vtc']
    return head, text, frames, loss


def _worker(rank, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    head, text, frames, loss = _run(slice(rank * 2, rank * 2 + 2))
    (loss / 2).backward()  # DDP averages over ranks
    losses = [torch.zeros(()) for _ in range(2)]
    dist.all_gather(losses, loss.detach())
    state = {k: v.clone() for k, v in head.state_dict().items()}
    out[rank] = (sum(losses) / 2, text.grad, frames.grad, state)
    dist.destroy_process_group()


def test_two_ranks_match_one_rank_and_share_the_queue():
    manager = mp.Manager()
    out = manager.dict()
    mp.spawn(_worker, args=(_free_port(), out), nprocs=2, join=True)
    head, text, frames, ref = _run(slice(0, 4))
    ref.backward()
    assert torch.allclose(out[0][0], ref.detach(), atol=1e-6)
    assert torch.allclose(
        torch.cat([out[0][1], out[1][1]]), text.grad, atol=1e-6)
    assert torch.allclose(
        torch.cat([out[0][2], out[1][2]]), frames.grad, atol=1e-6)
    for key, value in head.state_dict().items():
        assert torch.equal(out[0][3][key], value), key
        assert torch.equal(out[1][3][key], value), key
    assert int(head.queue_len) == 6 and int(head.queue_ptr) == 1
