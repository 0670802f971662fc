# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import av
import numpy as np
import pytest


def write_mp4(path, num_frames=8, size=32, fps=8, seed=0):
    """Write a small H.264 mp4 of random-coloured frames; return the path."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = 'yuv420p'
        for _ in range(num_frames):
            rgb = np.full((size, size, 3), rng.integers(0, 255, 3), np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format='rgb24')
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


@pytest.fixture
def mp4_writer():
    return write_mp4
