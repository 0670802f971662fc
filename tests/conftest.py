# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / 'tests' / 'data' / 'configs' / 'snp_tiny_embedded.py'


@pytest.fixture(scope='session')
def tiny_corpus(tmp_path_factory):
    """The embedded corpus at its tiny size, generated once per session."""
    from snps3.datasets.embedded import generate_corpus
    root = tmp_path_factory.mktemp('embedded_tiny')
    generate_corpus(str(root), size='tiny', seed=0, workers=1)
    return root


def data_root_options(root) -> list:
    return [
        f'{loader}.dataset.data_root={root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


def run_tool(args, cwd=REPO, env=None, timeout=300, check=True):
    """Run a repository script with this interpreter; return the result."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', **(env or {}))
    result = subprocess.run([sys.executable, *map(str, args)],
                            cwd=cwd,
                            env=full_env,
                            capture_output=True,
                            text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f'{args} failed ({result.returncode}):\n'
            f'{result.stdout[-3000:]}\n{result.stderr[-5000:]}')
    return result


def derived_config(tmp_path, body: str, name: str = 'derived.py'):
    """Write a config that inherits the tiny config and adds ``body``."""
    path = tmp_path / name
    path.write_text(f"_base_ = ['{TINY_CONFIG}']\n{body}")
    return path
