# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import os

import pytest


def pytest_configure(config):
    """Split the cores between pytest-xdist's workers.

    Each worker, and each tool a test runs (through OMP_NUM_THREADS), gets
    its share of the cores: without it every worker's torch would start a
    thread per core and they would fight over them.
    """
    workers = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
    if workers > 1:
        import torch
        cores = len(os.sched_getaffinity(0))
        threads = str(max(1, cores // workers))
        os.environ['OMP_NUM_THREADS'] = os.environ['MKL_NUM_THREADS'] = threads
        torch.set_num_threads(int(threads))


@pytest.fixture(scope='session')
def tiny_corpus(tmp_path_factory):
    """The embedded corpus at its tiny size, generated once per session."""
    from snps3.datasets.embedded import generate_corpus
    root = tmp_path_factory.mktemp('embedded_tiny')
    generate_corpus(str(root), size='tiny', seed=0, workers=1)
    return root


@pytest.fixture(scope='session')
def retrieval_run(tiny_corpus, tmp_path_factory):
    """A tiny retrieval model trained with tools/train.py, once per session.

    See tests/snps3_retrieval_helpers.py for what it is trained on and the
    held-out captions it leaves for querying.
    """
    from snps3_retrieval_helpers import train_retrieval_model
    return train_retrieval_model(tiny_corpus,
                                 tmp_path_factory.mktemp('retrieval_run'))
