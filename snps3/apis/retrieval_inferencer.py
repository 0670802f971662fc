# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Search a gallery of videos with sentences, and videos with captions.

Modelled on mmpretrain's ``TextToImageRetrievalInferencer``: build once
from a config and a checkpoint, index a gallery (its features are cached),
then answer each query with one call::

    inferencer = VideoTextRetrievalInferencer('work_dirs/my_run')
    inferencer.index('~/Videos', cache='~/Videos.snps3-cache.pth')
    inferencer.search('a dog catches a frisbee', topk=5)

Everything model-specific is the model's own: the config's test pipeline
decodes and tokenises, the model's data preprocessor normalises,
``model.extract_feats`` embeds, ``model.similarity`` scores, and fusion
re-ranking goes through ``model.pair_scores`` with the cross-matching head,
via :func:`snps3.evaluation.scoring.rerank`.
"""
import hashlib
import json
import logging
import os
import os.path as osp
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import ProgressBar

from snps3.datasets.video_io import VideoDecodeError
from snps3.evaluation.scoring import rerank as rerank_scores
from snps3.registry import MODELS, TRANSFORMS
from snps3.utils.errors import ConfigError, DataError, MissingFileError
from snps3.utils.paths import check_exists, resolve_path

from .gallery import FeatureCache, GalleryItem, GallerySource, resolve_gallery

#: Transforms of these modules read or write the caption; the others the
#: frames, except formatting, which packs both.
_TEXT_MODULES = ('snps3.datasets.transforms.text',
                 'snps3.datasets.transforms.significance')
_PACK_MODULE = 'snps3.datasets.transforms.formatting'


@dataclass
class IndexReport:
    """What :meth:`VideoTextRetrievalInferencer.index` did.

    Attributes:
        indexed (list[str]): Files in the index now, in gallery order.
        encoded (list[str]): Files decoded and encoded in this call.
        reused (list[str]): Files whose features came from the cache.
        dropped (list[str]): Cached files no longer in the gallery.
        failed (list[tuple[str, str]]): ``(path, reason)`` of the files
            that could not be read; they are not in the index.
        seconds (float): Wall time of the call.
    """

    indexed: List[str] = field(default_factory=list)
    encoded: List[str] = field(default_factory=list)
    reused: List[str] = field(default_factory=list)
    dropped: List[str] = field(default_factory=list)
    failed: List[Tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f'{len(self.indexed)} files indexed ({len(self.encoded)} '
                f'encoded, {len(self.reused)} from the cache, '
                f'{len(self.dropped)} dropped, {len(self.failed)} unreadable)'
                f' in {self.seconds:.1f} s')


def resolve_model_files(model: Union[str, Config],
                        checkpoint: Optional[str]) -> Tuple[Config, str]:
    """The config and checkpoint of a config file or a work dir.

    A work dir (what ``tools/train.py`` writes) holds the config it ran as
    ``<name>.py`` and names its newest checkpoint in ``last_checkpoint``.

    Returns:
        tuple: the loaded config and the checkpoint path (``None`` when
        neither given nor found).
    """
    if isinstance(model, Config):
        return model, checkpoint
    path = check_exists(str(model), 'model config or work dir')
    if not osp.isdir(path):
        return Config.fromfile(path), checkpoint
    configs = sorted(f for f in os.listdir(path) if f.endswith('.py'))
    if len(configs) != 1:
        raise ConfigError(
            f"work dir '{path}' should hold exactly one config (.py), found "
            f'{configs or "none"}; pass the config file instead.')
    if checkpoint is None:
        checkpoint = _last_checkpoint(path)
    return Config.fromfile(osp.join(path, configs[0])), checkpoint


def _last_checkpoint(work_dir: str) -> str:
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        # The pointer holds the path as the run saw it; the run may have
        # been moved since.
        for candidate in (named, osp.join(work_dir, osp.basename(named))):
            if osp.isfile(candidate):
                return candidate
    found = [
        osp.join(work_dir, f) for f in os.listdir(work_dir)
        if f.endswith('.pth')
    ]
    if not found:
        raise MissingFileError(
            f"work dir '{work_dir}' has no checkpoint (*.pth); train first "
            'or pass a checkpoint.')
    return max(found, key=osp.getmtime)


def _test_pipeline(cfg: Config) -> List[dict]:
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    dataset = (loader or {}).get('dataset', {})
    if 'pipeline' not in dataset and dataset.get('datasets'):
        dataset = dataset['datasets'][0]
    if 'pipeline' not in dataset:
        raise ConfigError(
            f"config '{cfg.filename}' has no test_dataloader.dataset."
            'pipeline, which decodes videos and tokenises captions for '
            'retrieval; add one (see configs/_base_/datasets/).')
    return [dict(t) for t in dataset['pipeline']]


def _split_pipeline(
        pipeline: List[dict]) -> Tuple[Compose, Compose, List[dict]]:
    """The video and the text part of a test pipeline.

    Returns:
        tuple: the video pipeline, the text pipeline, and the configs of
        the video pipeline's transforms (what its features depend on).
    """
    video, text, video_cfgs = [], [], []
    for cfg in pipeline:
        transform = TRANSFORMS.build(cfg)
        module = type(transform).__module__
        if module in _TEXT_MODULES or module == _PACK_MODULE:
            text.append(transform)
        if module not in _TEXT_MODULES:
            video.append(transform)
            video_cfgs.append(cfg)
    return Compose(video), Compose(text), video_cfgs


def _reason(err: Exception) -> str:
    """Why a file could not be used, in one line."""
    if isinstance(err, VideoDecodeError):
        return err.reason
    if isinstance(err, FileNotFoundError):
        return 'file not found'
    lines = str(err).strip().splitlines()
    return f'{type(err).__name__}: {lines[0]}' if lines else type(err).__name__


class _ClipSource(torch.utils.data.Dataset):
    """Gallery files through the video pipeline; failures as reasons."""

    def __init__(self, items: Sequence[GalleryItem], pipeline: Compose):
        self.items = list(items)
        self.pipeline = pipeline

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, idx: int):
        item = self.items[idx]
        try:
            packed = self.pipeline(
                dict(
                    video_path=item.path,
                    is_image=item.is_image,
                    video_id=osp.splitext(osp.basename(item.path))[0]))
            if packed is None:
                return idx, None, 'the pipeline dropped it'
            return idx, packed['inputs']['frames'], None
        # A user's folder holds anything; no file may stop the indexing.
        except Exception as err:  # noqa: BLE001
            return idx, None, _reason(err)


def _as_list(batch):
    return batch


class VideoTextRetrievalInferencer:
    """Text-to-video and video-to-text retrieval with a trained model.

    Args:
        model (str | Config): A config file, a loaded config, or a work dir
            of ``tools/train.py`` (its config and last checkpoint).
        checkpoint (str, optional): Weights; taken from the work dir when
            ``model`` is one. Without any, the model keeps its initial
            weights (a warning says so) and features are never cached.
        device (str, optional): ``'cuda'`` when a GPU is present, else
            ``'cpu'``.
        batch_size (int): Clips and captions encoded per forward pass.
        num_workers (int): DataLoader processes that decode the gallery;
            0 decodes in this process.
        cfg_options (dict, optional): Overrides merged into the config.
        dual_weight (float, optional): A re-ranked candidate's score is its
            fusion score plus this multiple of its dual score (see
            :mod:`snps3.evaluation.scoring`). By default the config's
            ``test_cfg.scoring.dual_weight``, else 0.
    """

    def __init__(self,
                 model: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: Optional[str] = None,
                 batch_size: int = 8,
                 num_workers: int = 0,
                 cfg_options: Optional[dict] = None,
                 dual_weight: Optional[float] = None) -> None:
        cfg, checkpoint = resolve_model_files(model, checkpoint)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        init_default_scope(cfg.get('default_scope', 'snps3'))
        self.cfg = cfg
        self.checkpoint = checkpoint
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.device = torch.device(
            device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        self.model = MODELS.build(cfg.model)
        if checkpoint is None:
            print_log(
                'no checkpoint given: the model keeps its initial weights',
                logger='current',
                level=logging.WARNING)
            self.model.init_weights()
        else:
            self._load_weights(checkpoint)
        self.model.to(self.device).eval()
        self.video_pipeline, self.text_pipeline, video_cfgs = \
            _split_pipeline(_test_pipeline(cfg))
        self.fingerprint = self._fingerprint(video_cfgs)
        self.rerank_head = self._find_rerank_head()
        if dual_weight is None:
            scoring = cfg.get('test_cfg', {}).get('scoring', {})
            dual_weight = scoring.get('dual_weight', 0.0)
        self.dual_weight = float(dual_weight)
        # The features of the last index() call, for the next one.
        self._cache = FeatureCache(self.fingerprint)
        self._paths: List[str] = []
        self._video_feats = torch.empty(0)
        self._frame_tokens = torch.empty(0)

    # -- model ---------------------------------------------------------

    def _load_weights(self, checkpoint: str) -> None:
        path = check_exists(checkpoint, 'checkpoint')
        state = CheckpointLoader.load_checkpoint(path, map_location='cpu')
        state = state.get('state_dict', state)
        state = {
            (k[len('module.'):] if k.startswith('module.') else k): v
            for k, v in state.items()
        }
        result = self.model.load_state_dict(state, strict=False)
        if result.missing_keys:
            raise DataError(
                f"checkpoint '{path}' does not fit config "
                f"'{self.cfg.filename}': {len(result.missing_keys)} weights "
                f'are missing (e.g. {result.missing_keys[:3]}). Pass the '
                'config the checkpoint was trained with.')
        if result.unexpected_keys:
            print_log(
                f"checkpoint '{path}' has {len(result.unexpected_keys)} "
                f'weights the config does not use (e.g. '
                f'{result.unexpected_keys[:3]}); ignored',
                logger='current',
                level=logging.WARNING)

    def _fingerprint(self, video_pipeline: List[dict]) -> str:
        """What gallery features depend on: model, weights, video pipeline."""
        if self.checkpoint is None:
            # Initial weights are random: never reuse their features.
            weights = uuid.uuid4().hex
        else:
            path = osp.abspath(resolve_path(self.checkpoint))
            stat = os.stat(path)
            weights = f'{path}:{stat.st_size}:{stat.st_mtime_ns}'
        text = json.dumps(
            dict(
                model=self.cfg.model.to_dict(),
                pipeline=video_pipeline,
                weights=weights),
            sort_keys=True,
            default=str)
        return hashlib.sha1(text.encode()).hexdigest()

    def _find_rerank_head(self) -> Optional[str]:
        """A head that scores fused pairs (cross matching), if any."""
        heads = getattr(self.model, 'heads', {})
        names = [n for n, h in heads.items() if hasattr(h, 'score_pairs')]
        return 'xm' if 'xm' in names else (names[0] if names else None)

    # -- encoding ------------------------------------------------------

    @torch.no_grad()
    def _embed(self, inputs: Dict[str, torch.Tensor]) -> dict:
        data = self.model.data_preprocessor(dict(inputs=inputs), False)
        return self.model.extract_feats(data['inputs'])

    @torch.no_grad()
    def encode_texts(self, texts: Sequence[str]) -> Dict[str, torch.Tensor]:
        """Caption features.

        Returns:
            dict: ``text_feat`` (N, E) on the model's device, and
            ``input_ids``, ``attention_mask`` (N, L) on the CPU.
        """
        ids, masks = [], []
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                raise DataError(f'query {text!r} is empty: give a sentence')
            packed = self.text_pipeline(dict(caption=text))
            ids.append(packed['inputs']['input_ids'])
            masks.append(packed['inputs']['attention_mask'])
        ids, masks = torch.stack(ids), torch.stack(masks)
        feats = [
            self._embed(dict(input_ids=i, attention_mask=m))['text_feat']
            for i, m in zip(
                ids.split(self.batch_size * 8), masks.split(self.batch_size *
                                                            8))
        ]
        return dict(
            text_feat=torch.cat(feats), input_ids=ids, attention_mask=masks)

    def _encode_clips(self,
                      items: Sequence[GalleryItem],
                      progress: bool = False) -> Dict[str, dict]:
        """Decode and embed files; path -> feature entry or error entry."""
        out: Dict[str, dict] = {}
        if not items:
            return out
        loader = torch.utils.data.DataLoader(
            _ClipSource(items, self.video_pipeline),
            batch_size=self.batch_size,
            num_workers=self.num_workers,
            collate_fn=_as_list)
        bar = ProgressBar(len(items)) if progress else None
        for batch in loader:
            good = []
            for idx, frames, reason in batch:
                if frames is None:
                    out[items[idx].path] = dict(error=reason)
                    # INFO: callers get every failure in IndexReport.failed
                    # and decide how loudly to show it.
                    print_log(
                        f"'{items[idx].path}' could not be read: {reason}; "
                        'skipped',
                        logger='current',
                        level=logging.INFO)
                else:
                    good.append((idx, frames))
            # Clips of one shape go through the model together (a pipeline
            # without a fixed crop gives several shapes).
            by_shape: Dict[tuple, list] = {}
            for idx, frames in good:
                by_shape.setdefault(tuple(frames.shape), []).append(
                    (idx, frames))
            for group in by_shape.values():
                feats = self._embed(
                    dict(frames=torch.stack([f for _, f in group])))
                for row, (idx, _) in enumerate(group):
                    # clone(): a view would save the whole batch's storage.
                    out[items[idx].path] = dict(
                        video_feat=feats['video_feat']
                        [row].float().cpu().clone(),
                        frame_tokens=feats['frame_tokens']
                        [row].float().cpu().clone())
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.file.write('\n')
        return out

    # -- gallery -------------------------------------------------------

    def index(self,
              gallery: GallerySource,
              cache: Optional[str] = None,
              progress: bool = False) -> IndexReport:
        """Make ``gallery`` the set of videos that searches rank.

        Files whose path, size and modification time match the cache are
        not decoded again; cached files that are no longer in the gallery
        are dropped from it (and from the cache file).

        Args:
            gallery: A folder (searched recursively), a file, a list of
                files, or a dataset config (a dict with ``type``).
            cache (str, optional): Feature cache file, created when absent.
                Without one, the features of the previous call in this
                process are reused.
            progress (bool): Show a progress bar while encoding.

        Returns:
            IndexReport: what was encoded, reused, dropped and skipped.
        """
        start = time.perf_counter()
        items, problems = resolve_gallery(gallery)
        store = (
            FeatureCache.load(cache, self.fingerprint)
            if cache is not None and osp.isfile(cache) else self._cache)
        report = IndexReport(failed=list(problems))
        keys, todo = {}, []
        for item in items:
            try:
                keys[item.path] = FeatureCache.file_key(item.path)
            except OSError as err:
                report.failed.append((item.path, _reason(err)))
                continue
            entry = store.lookup(item.path, keys[item.path])
            if entry is None:
                todo.append(item)
            elif 'error' in entry:
                report.failed.append((item.path, entry['error']))
            else:
                report.reused.append(item.path)
        for path, entry in self._encode_clips(todo, progress).items():
            size, mtime_ns = keys[path]
            store.entries[path] = dict(entry, size=size, mtime_ns=mtime_ns)
            if 'error' in entry:
                report.failed.append((path, entry['error']))
            else:
                report.encoded.append(path)
        report.dropped = [p for p in store.entries if p not in keys]
        for path in report.dropped:
            del store.entries[path]
        if cache is not None:
            store.save(cache)
        self._cache = store
        self._set_gallery([
            i.path for i in items
            if i.path in store.entries and 'error' not in store.entries[i.path]
        ])
        report.indexed = list(self._paths)
        report.seconds = time.perf_counter() - start
        return report

    def _set_gallery(self, paths: List[str]) -> None:
        self._paths = paths
        entries = [self._cache.entries[p] for p in paths]
        if entries:
            self._video_feats = torch.stack([e['video_feat']
                                             for e in entries]).to(self.device)
            self._frame_tokens = torch.stack(
                [e['frame_tokens'] for e in entries])

    @property
    def gallery(self) -> List[str]:
        """Paths of the indexed files, in the order searches refer to."""
        return list(self._paths)

    # -- queries -------------------------------------------------------

    def _check_rerank(self, rerank: int) -> bool:
        if rerank <= 0:
            return False
        if self.rerank_head is None:
            print_log(
                f'--rerank {rerank} asked for, but the model has no '
                'cross-matching head to re-rank with; using the dual-encoder'
                ' ranking',
                logger='current',
                level=logging.WARNING)
            return False
        return True

    @torch.no_grad()
    def search(self,
               queries: Union[str, Sequence[str]],
               topk: int = 5,
               rerank: int = 0) -> Union[dict, List[dict]]:
        """The videos of the gallery that best match each sentence.

        Args:
            queries (str | Sequence[str]): One sentence or several.
            topk (int): Hits per query.
            rerank (int): Re-rank each query's top ``rerank`` dual-encoder
                candidates with the fusion encoder and cross-matching head
                (0: dual encoder only; ignored, with a warning, when the
                model has no such head).

        Returns:
            dict | list[dict]: Per query ``query``, ``reranked`` and
            ``hits``, a list of ``rank``, ``path``, ``score`` (the score
            that ranked it), ``dual_score`` and, for re-ranked
            candidates, ``fusion_score`` (their ``score`` is it plus
            ``dual_weight`` times ``dual_score``). One dict for one
            sentence.
        """
        single = isinstance(queries, str)
        queries = [queries] if single else list(queries)
        if not self._paths:
            raise DataError('the gallery is empty: call index() with a '
                            'folder or files that can be read first')
        texts = self.encode_texts(queries)
        dual = self.model.similarity(texts['text_feat'],
                                     self._video_feats).float().cpu().numpy()
        use_rerank = self._check_rerank(rerank)
        results = []
        for q, query in enumerate(queries):
            fused = {}
            if use_rerank:
                ids = texts['input_ids'][q][None]
                mask = texts['attention_mask'][q][None]
                fused = self._rerank_row(
                    dual[q], rerank, lambda cand: self._fuse(
                        ids, mask, self._frame_tokens[cand]))
            hits = _hits(dual[q], fused, topk, self.dual_weight)
            for hit in hits:
                hit['path'] = self._paths[hit['index']]
            results.append(dict(query=query, reranked=use_rerank, hits=hits))
        return results[0] if single else results

    __call__ = search

    @torch.no_grad()
    def caption(self,
                videos: Union[str, Sequence[str]],
                captions: Sequence[str],
                topk: int = 5,
                rerank: int = 0) -> Union[dict, List[dict]]:
        """The captions of ``captions`` that best describe each video.

        Args:
            videos (str | Sequence[str]): Video (or image) files. One that
                cannot be read gets an ``error`` and no hits.
            captions (Sequence[str]): The candidate captions.
            topk (int): Hits per video.
            rerank (int): As in :meth:`search`, over the top captions.

        Returns:
            dict | list[dict]: Per video ``query`` (its path), ``reranked``,
            ``hits`` (``rank``, ``caption``, ``index`` in ``captions``,
            ``score``, ``dual_score`` [, ``fusion_score``]) and ``error``
            (None when it was read).
        """
        single = isinstance(videos, (str, os.PathLike))
        videos = [videos] if single else list(videos)
        captions = list(captions)
        if not captions:
            raise DataError('caption() needs at least one candidate caption')
        texts = self.encode_texts(captions)
        use_rerank = self._check_rerank(rerank)
        items = [GalleryItem.from_path(v) for v in videos]
        encoded = self._video_entries(items)
        results = []
        for item in items:
            entry = encoded[item.path]
            result = dict(
                query=item.path,
                reranked=use_rerank,
                hits=[],
                error=entry.get('error'))
            if result['error'] is None:
                feat = entry['video_feat'][None].to(self.device)
                dual = self.model.similarity(texts['text_feat'],
                                             feat)[:, 0].float().cpu().numpy()
                tokens = entry['frame_tokens'][None]
                fused = {}
                if use_rerank:
                    fused = self._rerank_row(
                        dual, rerank,
                        lambda cand: self._fuse(texts['input_ids'][
                            cand], texts['attention_mask'][cand], tokens))
                hits = _hits(dual, fused, topk, self.dual_weight)
                for hit in hits:
                    hit['caption'] = captions[hit['index']]
                result['hits'] = hits
            results.append(result)
        return results[0] if single else results

    def _video_entries(self, items: List[GalleryItem]) -> Dict[str, dict]:
        """Features of query videos: from the index when it has them."""
        out, todo = {}, []
        for item in items:
            try:
                key = FeatureCache.file_key(item.path)
                entry = self._cache.lookup(item.path, key)
            except OSError as err:
                entry = dict(error=_reason(err))
            if entry is None:
                todo.append(item)
            else:
                out[item.path] = entry
        out.update(self._encode_clips(todo))
        return out

    def _fuse(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
              frame_tokens: torch.Tensor) -> torch.Tensor:
        """Cross-matching scores of N pairs; a side of size 1 is shared.

        Args:
            input_ids, attention_mask (Tensor): (N or 1, L) captions.
            frame_tokens (Tensor): (N or 1, T, D) videos.

        Returns:
            Tensor: (N, ) scores.
        """
        num = max(len(input_ids), len(frame_tokens))
        return self.model.pair_scores(
            input_ids.expand(num, -1).to(self.device),
            attention_mask.expand(num, -1).to(self.device),
            frame_tokens.expand(num, -1, -1).to(self.device), self.rerank_head)

    def _rerank_row(self, dual: np.ndarray, k: int, score_pairs) -> dict:
        """Fusion scores of one query's top-k candidates.

        ``score_pairs(candidates)`` scores the query with the candidates
        (a LongTensor of indices into ``dual``). Goes through
        :func:`~snps3.evaluation.scoring.rerank` with the (1, k) sub-matrix
        of the candidates, which fuses each pair once.

        Returns:
            dict: candidate index -> fusion score.
        """
        k = min(k, len(dual))
        cand = np.argsort(-dual, kind='stable')[:k]
        fused = np.empty(k)

        def scorer(_, columns: torch.Tensor) -> torch.Tensor:
            scores = score_pairs(torch.as_tensor(cand)[columns])
            fused[columns.numpy()] = scores.float().cpu().numpy()
            return scores

        rerank_scores(
            dual[cand][None], scorer, k, batch_size=self.batch_size * 8)
        return {int(c): float(s) for c, s in zip(cand, fused)}


def _hits(dual: np.ndarray,
          fused: Dict[int, float],
          topk: int,
          dual_weight: float = 0.0) -> List[dict]:
    """Ranked hits: fused candidates first, by their fusion score plus
    ``dual_weight`` times their dual score, then the rest by dual.

    Returns:
        list[dict]: ``rank``, ``index`` (into ``dual``), ``score``,
        ``dual_score`` and, for fused candidates, ``fusion_score``.
    """
    score = {i: f + dual_weight * float(dual[i]) for i, f in fused.items()}
    order = sorted(
        range(len(dual)),
        key=lambda i: (i not in score, -score.get(i, 0.0), -dual[i], i))
    hits = []
    for rank, i in enumerate(order[:topk], 1):
        hit = dict(
            rank=rank,
            index=i,
            score=score.get(i, float(dual[i])),
            dual_score=float(dual[i]))
        if i in fused:
            hit['fusion_score'] = fused[i]
        hits.append(hit)
    return hits


__all__ = [
    'VideoTextRetrievalInferencer', 'IndexReport', 'resolve_model_files'
]
