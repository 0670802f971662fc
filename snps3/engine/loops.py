# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Validation and test loops for retrieval.

Retrieval cannot be scored one batch at a time: every caption is compared
with every video of the split. These loops compute the features once per
sample (sharded across ranks by the sampler), gather them, score the whole
split with the model's similarity, and hand the score matrix to the metric.
"""
import os.path as osp
import time
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_gather_object
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop, autocast

from snps3.evaluation.scoring import dual_softmax, exhaustive, rerank
from snps3.registry import LOOPS
from snps3.utils.errors import ConfigError

SCORING_MODES = ('dual', 'rerank', 'exhaustive')
SCORING_KEYS = ('mode', 'k', 'head', 'batch_size', 'dual_weight',
                'dual_softmax')


class _RetrievalEvalMixin:
    """Shared body of the val and test loops; ``stage`` is val or test.

    ``scoring`` chooses how pairs are scored (see
    :mod:`snps3.evaluation.scoring`): ``dict(mode='dual')`` (default),
    ``dict(mode='rerank', k=16, head='xm')`` re-ranks each query's top-k
    dual candidates with the fusion encoder and the cross-matching head
    ``head``, ``dict(mode='exhaustive', head='xm')`` fuses every pair.
    ``batch_size`` sets the pairs per fusion pass (default 256).
    ``dual_weight`` (default 0) adds that multiple of a fused pair's dual
    score to its fusion score; ``mode='dual'`` has no fused pairs and
    leaves it unused, so that a config can switch modes on the command line.
    ``dual_softmax=dict(temperature=0.01)`` (off by default) also reports
    every metric on the dual-softmax revised scores
    (:func:`~snps3.evaluation.scoring.dual_softmax`), under keys with
    ``_dsl`` (``t2v_dsl/R@1``); the plain keys stay the plain scores. It is
    refused with ``rerank``, whose lifted scores a softmax would mix up.

    The metrics carry the protocol as ``protocol/*``: ``split`` (the split
    or annotation file), ``frames`` per video, ``scoring``, ``k``,
    ``texts``, ``videos`` and, when used, the fusion head and cost.
    """

    stage = 'val'

    def _init_scoring(self, scoring) -> None:
        scoring = dict(scoring or dict(mode='dual'))
        unknown = sorted(set(scoring) - set(SCORING_KEYS))
        if unknown:
            raise ConfigError(f'unknown retrieval scoring key(s) {unknown}; '
                              f'the keys are {SCORING_KEYS}')
        mode = scoring.get('mode', 'dual')
        if mode not in SCORING_MODES:
            raise ConfigError(f'retrieval scoring mode {mode!r} is not one '
                              f'of {SCORING_MODES}')
        if mode != 'dual' and 'head' not in scoring:
            raise ConfigError(f"scoring mode '{mode}' needs head=<name of "
                              'the cross-matching head>')
        if mode == 'rerank' and int(scoring.get('k', 0)) < 1:
            raise ConfigError("scoring mode 'rerank' needs k >= 1")
        dsl = scoring.get('dual_softmax')
        if dsl is not None:
            if mode == 'rerank':
                raise ConfigError(
                    "dual_softmax cannot revise 'rerank' scores (fused "
                    'candidates sit on a lifted scale); use it with '
                    "mode='dual' or 'exhaustive'")
            if float(dict(dsl).get('temperature', 0)) <= 0:
                raise ConfigError('scoring.dual_softmax needs temperature '
                                  '> 0, e.g. dict(temperature=0.01)')
        self.scoring = scoring

    def _model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    @torch.no_grad()
    def _collect_features(self) -> List[Dict]:
        fusion = self.scoring['mode'] != 'dual'
        records = []
        for idx, data_batch in enumerate(self.dataloader):
            self.runner.call_hook(
                f'before_{self.stage}_iter',
                batch_idx=idx,
                data_batch=data_batch)
            with autocast(enabled=self.fp16):
                step = getattr(self.runner.model, f'{self.stage}_step')
                outputs = step(data_batch)
            for sample in outputs:
                record = dict(
                    text_id=sample.text_id,
                    video_index=sample.video_index,
                    text_feat=sample.text_feat.float().cpu(),
                    video_feat=sample.video_feat.float().cpu())
                if fusion:  # kept only when pairs will be fused later
                    for key in ('input_ids', 'attention_mask', 'frame_tokens'):
                        record[key] = sample.get(key).cpu()
                records.append(record)
            self.runner.call_hook(
                f'after_{self.stage}_iter',
                batch_idx=idx,
                data_batch=data_batch,
                outputs=outputs)
        # Every rank needs every feature to score the split; the sampler pads
        # the last batch with repeats, which the text ids remove.
        merged = {
            r['text_id']: r
            for part in all_gather_object(records)
            for r in part
        }
        return list(merged.values())

    @torch.no_grad()
    def score(self, records: List[Dict]) -> Dict:
        """Score every caption against every distinct video of the split."""
        records = sorted(records, key=lambda r: r['text_id'])
        videos = {}
        for rec in records:
            videos.setdefault(rec['video_index'], rec)
        order = sorted(videos)
        column = {v: i for i, v in enumerate(order)}
        model = self._model()
        device = next(model.parameters()).device
        video_feats = torch.stack([videos[v]['video_feat']
                                   for v in order]).to(device)
        text_feats = torch.stack([r['text_feat'] for r in records])
        dual = torch.cat([
            model.similarity(chunk.to(device), video_feats).cpu()
            for chunk in text_feats.split(1024)
        ]).numpy()
        mode = self.scoring['mode']
        protocol = dict(
            split=self._split_name(),
            scoring=mode,
            frames=int(video_feats.shape[1]),
            texts=len(records),
            videos=len(order))
        result = dict(
            scores=dual,
            text_video_ids=[column[r['video_index']] for r in records])
        if mode != 'dual':
            start = time.perf_counter()
            fused = self._fusion_scores(model, device, dual, records,
                                        [videos[v] for v in order])
            protocol.update(
                head=self.scoring['head'],
                fusion_pairs=fused['fusion_pairs'],
                fusion_seconds=round(time.perf_counter() - start, 3))
            if mode == 'rerank':
                protocol['k'] = int(self.scoring['k'])
            if self.scoring.get('dual_weight'):
                protocol['dual_weight'] = float(self.scoring['dual_weight'])
            result.update(scores=fused['t2v'], v2t_scores=fused['v2t'])
        dsl = self.scoring.get('dual_softmax')
        if dsl is not None:
            temperature = float(dsl['temperature'])
            v2t = result.get('v2t_scores')
            result['variants'] = dict(
                dsl=dict(
                    scores=dual_softmax(result['scores'], temperature),
                    v2t_scores=dual_softmax(
                        result['scores'].T if v2t is None else v2t,
                        temperature)))
            protocol['dsl_temperature'] = temperature
        result['protocol'] = protocol
        return result

    def _split_name(self) -> str:
        """The file that defines the evaluated split, e.g. the 1k-A list."""
        dataset = self.dataloader.dataset
        path = getattr(dataset, 'split_file', None) or getattr(
            dataset, 'ann_file', '')
        return osp.basename(str(path))

    def _fusion_scores(self, model, device, dual, texts, videos) -> Dict:
        ids = torch.stack([r['input_ids'] for r in texts])
        mask = torch.stack([r['attention_mask'] for r in texts])
        tokens = torch.stack([r['frame_tokens'] for r in videos])

        def scorer(text_index, video_index):
            with autocast(enabled=self.fp16):
                return model.pair_scores(ids[text_index].to(device),
                                         mask[text_index].to(device),
                                         tokens[video_index].to(device),
                                         self.scoring['head'])

        batch_size = int(self.scoring.get('batch_size', 256))
        dual_weight = float(self.scoring.get('dual_weight', 0.0))
        if self.scoring['mode'] == 'rerank':
            return rerank(
                dual,
                scorer,
                int(self.scoring['k']),
                batch_size,
                dual_weight=dual_weight)
        return exhaustive(dual, scorer, batch_size, dual_weight=dual_weight)

    def run(self) -> dict:
        self.runner.call_hook(f'before_{self.stage}')
        self.runner.call_hook(f'before_{self.stage}_epoch')
        self.runner.model.eval()
        records = self._collect_features()
        # Every rank holds all features now; each scores them and feeds the
        # metric one identical result, which keeps MMEngine's per-rank
        # result collection consistent (size 1).
        self.evaluator.process(
            data_samples=[self.score(records)], data_batch=None)
        metrics = self.evaluator.evaluate(1)
        self.runner.call_hook(f'after_{self.stage}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{self.stage}')
        return metrics


@LOOPS.register_module()
class RetrievalValLoop(_RetrievalEvalMixin, ValLoop):
    """Validation loop that scores the whole split for retrieval."""

    stage = 'val'

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 fp16: bool = False,
                 scoring: Optional[dict] = None) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self._init_scoring(scoring)


@LOOPS.register_module()
class RetrievalTestLoop(_RetrievalEvalMixin, TestLoop):
    """Test loop that scores the whole split for retrieval."""

    stage = 'test'

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 fp16: bool = False,
                 scoring: Optional[dict] = None) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        self._init_scoring(scoring)
