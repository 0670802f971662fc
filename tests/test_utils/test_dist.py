# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""gather_with_grad on two real gloo processes."""
import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from snps3.models.losses import infonce_text_video
from snps3.utils.dist import gather_with_grad, rank_offset


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _data():
    g = torch.Generator().manual_seed(0)
    text = torch.randn(4, 8, generator=g)
    frames = torch.randn(4, 3, 8, generator=g)
    return text, frames


def _loss(text, frames, text_all, frames_all, offset):
    t = torch.nn.functional.normalize(text, dim=-1)
    f = torch.nn.functional.normalize(frames, dim=-1)
    ta = torch.nn.functional.normalize(text_all, dim=-1)
    fa = torch.nn.functional.normalize(frames_all, dim=-1)
    return infonce_text_video(t, f, ta, fa, offset, 0.1)['loss']


def _worker(rank, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    text, frames = _data()
    text = text[rank * 2:rank * 2 + 2].clone().requires_grad_()
    frames = frames[rank * 2:rank * 2 + 2].clone().requires_grad_()
    loss = _loss(text, frames, gather_with_grad(text),
                 gather_with_grad(frames), rank_offset(2))
    # DDP averages gradients over ranks; do the same by hand.
    (loss / 2).backward()
    losses = [torch.zeros(()) for _ in range(2)]
    dist.all_gather(losses, loss.detach())
    out[rank] = (sum(losses) / 2, text.grad, frames.grad)
    dist.destroy_process_group()


def test_two_ranks_match_one_rank_on_the_concatenated_batch():
    text, frames = _data()
    text.requires_grad_()
    frames.requires_grad_()
    ref = _loss(text, frames, text, frames, 0)
    ref.backward()

    manager = mp.Manager()
    out = manager.dict()
    mp.spawn(_worker, args=(_free_port(), out), nprocs=2, join=True)
    loss = out[0][0]
    assert torch.allclose(loss, ref.detach(), atol=1e-6)
    grad_text = torch.cat([out[0][1], out[1][1]])
    grad_frames = torch.cat([out[0][2], out[1][2]])
    assert torch.allclose(grad_text, text.grad, atol=1e-6)
    assert torch.allclose(grad_frames, frames.grad, atol=1e-6)
