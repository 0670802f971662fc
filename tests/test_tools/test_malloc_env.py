# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""tools/malloc_env.sh: the huge-page malloc tunable the launch scripts set."""
import os
import subprocess

import pytest
from snps3_test_helpers import REPO

pytestmark = pytest.mark.skipif(
    os.uname().sysname != 'Linux', reason='a glibc tunable, Linux only')


def _tunables(before=None) -> str:
    env = {k: v for k, v in os.environ.items() if k != 'GLIBC_TUNABLES'}
    if before is not None:
        env['GLIBC_TUNABLES'] = before
    return subprocess.run(
        ['bash', '-c', 'source tools/malloc_env.sh; echo "$GLIBC_TUNABLES"'],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True).stdout.strip()


def test_sets_the_tunable_keeping_the_users_own():
    assert _tunables() == 'glibc.malloc.hugetlb=1'
    assert _tunables('glibc.malloc.arena_max=2') == (
        'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1')
    # A choice the user made stays theirs, including "off".
    assert _tunables('glibc.malloc.hugetlb=0') == 'glibc.malloc.hugetlb=0'


@pytest.mark.parametrize(
    'script',
    ['tools/dist_train.sh', 'tools/dist_test.sh', 'tools/quickstart.sh'])
def test_launch_scripts_source_it(script):
    assert 'malloc_env.sh' in (REPO / script).read_text()
