# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Validation and test loops for retrieval.

Retrieval cannot be scored one batch at a time: every caption is compared
with every video of the split. These loops compute the features once per
sample (sharded across ranks by the sampler), gather them, score the whole
split with the model's similarity, and hand the score matrix to the metric.
"""
from typing import Dict, List

import torch
from mmengine.dist import all_gather_object
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop, autocast

from snps3.registry import LOOPS


class _RetrievalEvalMixin:
    """Shared body of the val and test loops; ``stage`` is val or test."""

    stage = 'val'

    def _model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    @torch.no_grad()
    def _collect_features(self) -> List[Dict]:
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
                records.append(
                    dict(
                        text_id=sample.text_id,
                        video_index=sample.video_index,
                        text_feat=sample.text_feat.float().cpu(),
                        video_feat=sample.video_feat.float().cpu()))
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
            videos.setdefault(rec['video_index'], rec['video_feat'])
        order = sorted(videos)
        column = {v: i for i, v in enumerate(order)}
        video_feats = torch.stack([videos[v] for v in order])
        text_feats = torch.stack([r['text_feat'] for r in records])
        model = self._model()
        device = next(model.parameters()).device
        video_feats = video_feats.to(device)
        scores = torch.cat([
            model.similarity(chunk.to(device), video_feats).cpu()
            for chunk in text_feats.split(1024)
        ])
        return dict(
            scores=scores.numpy(),
            text_video_ids=[column[r['video_index']] for r in records],
            protocol=dict(
                scoring='dual',
                frames=int(video_feats.shape[1]),
                texts=len(records),
                videos=len(order)))

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


@LOOPS.register_module()
class RetrievalTestLoop(_RetrievalEvalMixin, TestLoop):
    """Test loop that scores the whole split for retrieval."""

    stage = 'test'
