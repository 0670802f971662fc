# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The dataset preparation scripts of tools/data/, on tiny files."""
import csv
import importlib.util
import json
import sys
from types import SimpleNamespace

from snps3_test_helpers import REPO, run_tool


def run_script(path, args, capsys, check=True):
    """Run a script's ``main`` in this process, as its ``__main__`` would.

    In-process rather than a subprocess: each subprocess would import the
    package again (seconds), which the seven tests here cannot afford.
    """
    spec = importlib.util.spec_from_file_location('script_under_test',
                                                  REPO / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    old_argv = sys.argv
    sys.argv = [path, *map(str, args)]
    returncode = 0
    try:
        with module.errors.report_user_errors():
            module.main()
    except SystemExit as exit_:
        returncode = exit_.code
    finally:
        sys.argv = old_argv
    out = capsys.readouterr()
    if check:
        assert returncode == 0, out.err
    return SimpleNamespace(
        returncode=returncode, stdout=out.out, stderr=out.err)


WEBVID_HEADER = 'videoid,contentUrl,duration,page_dir,name\n'


def test_webvid_check_videos_keeps_present_rows(tmp_path, capsys):
    ann = tmp_path / 'results_train.csv'
    ann.write_text(WEBVID_HEADER + '1,http://x/1,PT00H00M10S,000001_000050,'
                   '"a dog, running"\n'
                   '2,http://x/2,PT00H00M10S,000001_000050,a cat\n'
                   '3,http://x/3,PT00H00M10S,000051_000100,a bird\n'
                   '4,http://x/4,PT00H00M10S,000101_000150,a fish\n')
    videos = tmp_path / 'videos'
    (videos / '000001_000050').mkdir(parents=True)
    (videos / '000051_000100').mkdir()
    (videos / '000001_000050' / '1.mp4').write_bytes(b'\0' * 10)
    (videos / '000051_000100' / '3.mp4').write_bytes(b'')  # interrupted
    out = tmp_path / 'present.csv'
    result = run_script('tools/data/webvid/check_videos.py',
                        [ann, videos, '--out', out, '--no-progress'], capsys)
    assert '1 of 4 videos present (25.0%), 2 missing, 1 empty' in \
        result.stdout
    with open(out, newline='') as f:
        rows = list(csv.DictReader(f))
    # The caption's comma survives the round trip through the csv module.
    assert [(r['videoid'], r['name'])
            for r in rows] == [('1', 'a dog, running')]


def test_webvid_check_videos_rejects_other_csv(tmp_path, capsys):
    ann = tmp_path / 'other.csv'
    ann.write_text('id,caption\n1,a dog\n')
    result = run_script(
        'tools/data/webvid/check_videos.py',
        [ann, tmp_path, '--out', tmp_path / 'o.csv'],
        capsys,
        check=False)
    assert result.returncode == 2
    assert 'not a WebVid CSV' in result.stderr


def test_cc3m_tsv_to_jsonl(tmp_path, capsys):
    tsv = tmp_path / 'Train_GCC-training.tsv'
    tsv.write_text('a "quoted" dog\thttp://x/0.jpg\n'
                   'a cat\thttp://x/1.jpg\n'
                   'a bird\thttp://x/2.jpg\n')
    images = tmp_path / 'images'
    (images / '00000').mkdir(parents=True)
    for index in (0, 2):
        (images / '00000' / f'{index:09d}.jpg').write_bytes(b'\xff' * 8)
    out = tmp_path / 'cc3m_train.jsonl'
    result = run_script('tools/data/cc3m/tsv_to_jsonl.py', [
        tsv, images, '--out', out, '--name-template',
        '{shard:05d}/{index:09d}.jpg', '--no-progress'
    ], capsys)
    assert '2 of 3 images present' in result.stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [
        dict(
            caption='a "quoted" dog',
            clip_name='00000/000000000.jpg',
            type='image'),
        dict(caption='a bird', clip_name='00000/000000002.jpg', type='image'),
    ]


def test_cc3m_tsv_to_jsonl_output_loads(tmp_path, capsys):
    """The converted file is what VideoTextJsonlDataset reads."""
    from snps3.datasets import VideoTextJsonlDataset
    tsv = tmp_path / 'val.tsv'
    tsv.write_text('a dog\thttp://x/0.jpg\n')
    (tmp_path / 'images').mkdir()
    (tmp_path / 'images' / '00000000.jpg').write_bytes(b'\xff')
    run_script('tools/data/cc3m/tsv_to_jsonl.py', [
        tsv, tmp_path / 'images', '--out', tmp_path / 'cc3m_train.jsonl',
        '--no-progress'
    ], capsys)
    dataset = VideoTextJsonlDataset(
        data_root=str(tmp_path),
        ann_file='cc3m_train.jsonl',
        video_dir='images',
        pipeline=[],
        lazy_init=True)
    info = dataset.load_data_list()[0]
    assert info['is_image'] and info['caption'] == 'a dog'
    assert info['video_path'] == str(tmp_path / 'images' / '00000000.jpg')


def _msvd_files(tmp_path):
    clips = [f'clip{i:04d}_1_5' for i in range(1, 1971)]
    # The mapping file is not in vid order, so sorting by N is what counts.
    mapping = tmp_path / 'youtube_mapping.txt'
    mapping.write_text(''.join(
        f'{c} vid{i}\n' for i, c in reversed(list(enumerate(clips, 1)))))
    captions = tmp_path / 'AllVideoDescriptions.txt'
    captions.write_text('# comment line\n' + ''.join(
        f'{c} a person does thing {i}\n{c} someone acts\n'
        for i, c in enumerate(clips) if c != 'clip1250_1_5'))
    return clips, mapping, captions


def _read_list(path):
    return path.read_text().split()


def test_msvd_make_splits_from_mapping(tmp_path, capsys):
    clips, mapping, captions = _msvd_files(tmp_path)
    out = tmp_path / 'splits'
    result = run_script(
        'tools/data/msvd/make_splits.py',
        ['--mapping', mapping, '--captions', captions, '--out-dir', out],
        capsys)
    assert 'the standard split' in result.stdout
    train = _read_list(out / 'train_list.txt')
    val = _read_list(out / 'val_list.txt')
    test = _read_list(out / 'test_list.txt')
    assert train == clips[:1200] and test == clips[1300:]
    # The uncaptioned clip is left out without shifting the others.
    assert val == [c for c in clips[1200:1300] if c != 'clip1250_1_5']
    assert 'uncaptioned left out' in result.stdout


def test_msvd_make_splits_from_captions_only(tmp_path, capsys):
    clips, _, captions = _msvd_files(tmp_path)
    # Without a mapping every listed clip must be captioned.
    captions.write_text(''.join(f'{c} a caption\n' for c in clips))
    out = tmp_path / 'splits'
    result = run_script('tools/data/msvd/make_splits.py',
                        ['--captions', captions, '--out-dir', out], capsys)
    assert 'first appearance' in result.stdout
    assert [
        len(_read_list(out / f'{s}_list.txt'))
        for s in ('train', 'val', 'test')
    ] == [1200, 100, 670]
    assert _read_list(out / 'test_list.txt')[0] == clips[1300]


def test_msvd_make_splits_refuses_partial_release(tmp_path):
    # As a user runs it (a subprocess, from the repository root): this also
    # checks that the script finds the package without installing it.
    captions = tmp_path / 'AllVideoDescriptions.txt'
    captions.write_text('a a dog\nb a cat\n')
    result = run_tool([
        'tools/data/msvd/make_splits.py', '--captions', captions, '--out-dir',
        tmp_path
    ],
                      check=False)
    assert result.returncode == 2 and 'found 2 clips' in result.stderr
