# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Helpers shared by the tests that run the tools as a user would."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / 'tests' / 'data' / 'configs' / 'snp_tiny_embedded.py'


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
