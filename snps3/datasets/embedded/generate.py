# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Writing the embedded corpus to disk.

:func:`generate_corpus` plans every video (scenes and captions, a pure
function of ``size`` and ``seed``), renders the videos in a process pool and
writes the annotations in the formats of the real datasets, so the project's
WebVid and MSR-VTT loaders read the corpus unchanged::

    OUT/
      corpus_meta.json                 # settings, counts, held-out pairs,
                                       # vocabulary, generator version
      videos/
        000001_000050/1000001.mp4      # pre-training videos, WebVid layout
        ...                            # (page_dir/videoid.mp4, 50 per page)
        msrvtt/video0.mp4              # retrieval fine-tuning videos
        msrvtt/video7000.mp4           # retrieval test videos
      annotations/
        webvid_train.csv               # WebVid CSV: videoid,contentUrl,
                                       # duration,page_dir,name
        pretrain_train.jsonl           # every pre-training caption
        MSRVTT_data.json               # MSR-VTT: info, videos, sentences
        MSRVTT_train.9k.csv            # fine-tuning list (column video_id)
        MSRVTT_JSFUSION_test.csv       # 1k-A style test list
        embedded_scenes.json           # attributes of every video's objects
        qa_train.json                  # MSRVTT-QA format, fine-tuning videos
        qa_test.json                   # MSRVTT-QA format, test videos
        mc_test.json                   # MSRVTT-MC format, test videos

Captions. A pre-training video has 3 to 5 paraphrases, but WebVid has one
caption per video, so ``webvid_train.csv`` holds the first paraphrase of each
video and ``pretrain_train.jsonl`` holds all of them, one JSON object a line:
``{"caption": ..., "clip_name": "<page_dir>/<videoid>", "type": "video"}``.
Fine-tuning videos (``split: "train"`` in ``MSRVTT_data.json``, ids from
``video0``) have five sentences each. Test videos (``split: "test"``, ids
from ``video7000``) have five sentences in ``MSRVTT_data.json`` too; the
first is the one in ``MSRVTT_JSFUSION_test.csv``.

Held-out combinations. About 15% of the (colour, shape) pairs, drawn from the
seed, never occur in pre-training or fine-tuning videos; up to half of the
test videos have one as their primary (first) object, the rest are made of
held-in pairs only. ``embedded_scenes.json`` marks which is which.

Unique test captions. Each test video's primary attribute tuple (colour,
shape, size, motion, speed) occurs in no other test video, and every caption
names every attribute of every object, so each test caption fits exactly one
test video. This is checked after planning (and a video is re-drawn if the
check fails).

QA and MC. ``qa_train.json`` (on the fine-tuning videos) and
``qa_test.json`` (on the test videos) are lists of
``{"video_id": "video7000", "question": ..., "answer": "red", "id": 0,
"answer_type": "colour"}``: per video one ``count`` question and, per
object, a ``colour``, a ``shape`` and a ``motion`` question whose answer the
scene fixes (see :mod:`.questions`). ``mc_test.json`` has one question per
test video, ``{"clip_name": "video7000", "options": [5 captions],
"answer": k}``: its first caption and four distractors that each change one
significant word so they no longer fit; ``k`` is balanced over the five
positions. Held-out pairs stay out of ``qa_train.json`` like the videos.

Determinism. Everything is drawn from random streams keyed by ``(seed,
split, index)``, so the annotations are byte-identical for equal settings,
and a video's scene does not depend on the corpus size (``tiny`` is a prefix
of ``default`` for each split except the test split, whose primaries are
drawn together). Videos are encoded with x264 set up for repeatable output
(see :mod:`.render`), so decoded frames are identical too, whatever the
number of workers (and, in every run we have made, the mp4 bytes).
"""
import csv
import io
import json
import os
import os.path as osp
import shutil
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .captions import FILLER_WORDS, make_captions
from .questions import MC_OPTIONS, make_distractors, make_questions
from .scenes import (
    BACKGROUND_STYLES,
    BACKGROUNDS,
    COLOURS,
    MOTIONS,
    SHAPES,
    SIZES,
    SPEEDS,
    Attributes,
    SceneSpec,
    all_attribute_tuples,
    choose_held_out_pairs,
    sample_scene,
)

GENERATOR = 'snps3.datasets.embedded'
# Bump whenever the output of a given (size, seed) changes, so that stale
# corpora are regenerated instead of reported up to date.
GENERATOR_VERSION = '1.2.0'

#: Number of videos per split for each named size.
CORPUS_SIZES: Dict[str, Dict[str, int]] = {
    'tiny': dict(pretrain=24, finetune=8, test=8),
    'small': dict(pretrain=200, finetune=40, test=50),
    'default': dict(pretrain=800, finetune=100, test=100),
    'large': dict(pretrain=5000, finetune=500, test=1000),
}
DEFAULT_RESOLUTION = 112
DEFAULT_NUM_FRAMES = 16
DEFAULT_FPS = 8

PRETRAIN_CAPTIONS = (3, 5)  # inclusive range of paraphrases per video
FINETUNE_SENTENCES = 5
TEST_SENTENCES = 5
HELD_OUT_FRACTION = 0.15
TEST_HELD_OUT_SHARE = 0.5
WEBVID_PAGE = 50  # videos per WebVid page_dir
WEBVID_FIRST_ID = 1000001
MSRVTT_FIRST_TEST_ID = 7000  # MSR-VTT's test videos are video7000..9999

WEBVID_HEADER = ('videoid', 'contentUrl', 'duration', 'page_dir', 'name')
JSFUSION_HEADER = ('', 'key', 'vid_key', 'video_id', 'sentence')

# Random-stream keys of the splits.
_STREAMS = {'pretrain': 1, 'finetune': 2, 'test': 3}
_CAPTION_STREAM = 0xCA9
_QA_STREAM = 0x0A
_MC_STREAM = 0x3C


@dataclass
class VideoRecord:
    """One planned video.

    Attributes:
        split: 'pretrain', 'finetune' or 'test'.
        video_id: WebVid ``videoid`` or MSR-VTT ``video_id``.
        rel_path: Path of the mp4 under ``OUT/videos``.
        scene: What to draw.
        captions: Its paraphrases, first one first.
        held_out: Whether the primary object uses a held-out pair.
        page_dir: WebVid page directory (pre-training only).
    """

    split: str
    video_id: str
    rel_path: str
    scene: SceneSpec
    captions: List[str]
    held_out: bool = False
    page_dir: str = ''


@dataclass
class CorpusPlan:
    """Everything about a corpus except the pixels."""

    size: str
    seed: int
    held_out_pairs: List[Tuple[str, str]]
    pretrain: List[VideoRecord] = field(default_factory=list)
    finetune: List[VideoRecord] = field(default_factory=list)
    test: List[VideoRecord] = field(default_factory=list)

    @property
    def videos(self) -> List[VideoRecord]:
        """All videos, pre-training first."""
        return self.pretrain + self.finetune + self.test


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


def _page_dir(index: int) -> str:
    first = index // WEBVID_PAGE * WEBVID_PAGE + 1
    return f'{first:06d}_{first + WEBVID_PAGE - 1:06d}'


def find_ambiguous(scenes: Sequence[Sequence[Attributes]]) -> List[int]:
    """Indices of videos whose full description also fits another video.

    A caption names every object of its video, so it fits video ``j`` when
    every object it names is also in ``j``.

    Args:
        scenes: Each video's object attributes.

    Returns:
        Sorted indices ``i`` with such a ``j != i``.
    """
    holders: Dict[Attributes, set] = {}
    for j, objs in enumerate(scenes):
        for a in objs:
            holders.setdefault(a, set()).add(j)
    bad = []
    for i, objs in enumerate(scenes):
        fits = set.intersection(*(holders[a] for a in objs))
        if fits - {i}:
            bad.append(i)
    return bad


def plan_corpus(size: str = 'default', seed: int = 0) -> CorpusPlan:
    """Plans every video and caption of a corpus without rendering.

    Args:
        size: A key of :data:`CORPUS_SIZES`.
        seed: Corpus seed.

    Returns:
        The plan.

    Raises:
        KeyError: On an unknown size.
        RuntimeError: If the test captions cannot be made unique.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f'seed must be a non-negative integer, got {seed!r}')
    if size not in CORPUS_SIZES:
        raise KeyError(f"unknown corpus size '{size}'; choose one of "
                       f'{sorted(CORPUS_SIZES)}')
    counts = CORPUS_SIZES[size]
    held_out = choose_held_out_pairs(seed, HELD_OUT_FRACTION)
    held_in = [(c, s) for c in COLOURS for s in SHAPES
               if (c, s) not in set(held_out)]
    plan = CorpusPlan(size, seed, held_out)

    lo, hi = PRETRAIN_CAPTIONS
    for i in range(counts['pretrain']):
        scene = sample_scene(_rng(seed, _STREAMS['pretrain'], i), held_in)
        crng = _rng(seed, _STREAMS['pretrain'], i, _CAPTION_STREAM)
        caps = make_captions(scene.attributes, crng,
                             int(crng.integers(lo, hi + 1)))
        page, vid = _page_dir(i), str(WEBVID_FIRST_ID + i)
        plan.pretrain.append(
            VideoRecord(
                'pretrain',
                vid,
                f'{page}/{vid}.mp4',
                scene,
                caps,
                page_dir=page))

    for i in range(counts['finetune']):
        scene = sample_scene(_rng(seed, _STREAMS['finetune'], i), held_in)
        caps = make_captions(
            scene.attributes,
            _rng(seed, _STREAMS['finetune'], i, _CAPTION_STREAM),
            FINETUNE_SENTENCES)
        plan.finetune.append(
            VideoRecord('finetune', f'video{i}', f'msrvtt/video{i}.mp4', scene,
                        caps))

    plan.test = _plan_test(seed, counts['test'], held_out, held_in)
    return plan


def _plan_test(seed: int, n: int, held_out: List[Tuple[str, str]],
               held_in: List[Tuple[str, str]]) -> List[VideoRecord]:
    """Test videos with unique primaries and uniquely fitting captions."""
    out_tuples = all_attribute_tuples(held_out)
    in_tuples = all_attribute_tuples(held_in)
    n_out = min(int(n * TEST_HELD_OUT_SHARE), len(out_tuples))
    if n - n_out > len(in_tuples):
        raise RuntimeError(f'{n} test videos need more distinct attribute '
                           'tuples than the vocabulary has.')
    rng = _rng(seed, _STREAMS['test'])
    # Drawing primaries without replacement makes them unique by
    # construction; secondaries come from tuples no primary uses, so a
    # primary tuple occurs in exactly one test video. Held-out primaries are
    # dealt round-robin over the held-out pairs, so every pair is tested as
    # soon as there are enough test videos, and all about equally often.
    groups = [[a for a in out_tuples if a.pair == p] for p in held_out]
    groups = [[g[j] for j in rng.permutation(len(g))] for g in groups]
    dealt = [
        g[k] for k in range(max(map(len, groups))) for g in groups
        if k < len(g)
    ]
    primaries = dealt[:n_out]
    primaries += [
        in_tuples[j]
        for j in rng.choice(len(in_tuples), n - n_out, replace=False)
    ]
    primaries = [primaries[j] for j in rng.permutation(n)]
    taken = set(primaries)
    secondary = [a for a in in_tuples if a not in taken]

    records: List[VideoRecord] = []
    held = set(held_out)
    for i, primary in enumerate(primaries):
        for attempt in range(100):
            key = (seed, _STREAMS['test'], i, attempt)
            scene = sample_scene(
                _rng(*key), held_in, primary=primary, secondary=secondary)
            caps = make_captions(scene.attributes, _rng(*key, _CAPTION_STREAM),
                                 TEST_SENTENCES)
            # Cannot happen by construction; re-draw if it ever does.
            new = set(scene.attributes)
            if any(new <= set(r.scene.attributes)
                   or set(r.scene.attributes) <= new for r in records):
                continue
            if caps[0] in {r.captions[0] for r in records}:
                continue
            break
        else:
            raise RuntimeError(f'could not make test caption {i} unique')
        vid = f'video{MSRVTT_FIRST_TEST_ID + i}'
        records.append(
            VideoRecord(
                'test',
                vid,
                f'msrvtt/{vid}.mp4',
                scene,
                caps,
                held_out=primary.pair in held))
    if find_ambiguous([r.scene.attributes for r in records]):
        raise RuntimeError('test captions are not unique')
    return records


# --------------------------------------------------------------------------
# Annotation files
# --------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    """WebVid's duration format, e.g. 'PT00H00M02S'."""
    s = int(round(seconds))
    return f'PT{s // 3600:02d}H{s // 60 % 60:02d}M{s % 60:02d}S'


def _csv_text(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator='\n')
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def annotation_files(plan: CorpusPlan, duration: float) -> Dict[str, str]:
    """The text of every annotation file, keyed by path under ``OUT``.

    Args:
        plan: The corpus plan.
        duration: Clip length in seconds.

    Returns:
        ``{relative path: file content}``.
    """
    files: Dict[str, str] = {}
    rows = []
    for r in plan.pretrain:
        # Like WebVid's preview URLs: the caption's first words as a slug.
        slug = '-'.join(r.captions[0].replace(',', '').split()[:8])
        url = (f'https://stock.example.com/videos/{r.video_id}/preview/'
               f'stock-footage-{slug}.mp4')
        rows.append(
            (r.video_id, url, _duration(duration), r.page_dir, r.captions[0]))
    files['annotations/webvid_train.csv'] = _csv_text(WEBVID_HEADER, rows)
    files['annotations/pretrain_train.jsonl'] = ''.join(
        json.dumps(
            dict(
                caption=c,
                clip_name=f'{r.page_dir}/{r.video_id}',
                type='video')) + '\n' for r in plan.pretrain
        for c in r.captions)

    # The corpus's own stop-words, as a user of WebVid would drop 'stock',
    # 'footage' or 'video': the template words that are nouns, verbs or
    # adjectives in form ('clip', 'shows', 'scene') but say nothing about a
    # clip. Significant-word mining takes the file with --stop-words.
    files['annotations/domain_stopwords.txt'] = ''.join(
        f'{w}\n' for w in sorted(FILLER_WORDS))

    videos, sentences = [], []
    for r in plan.finetune + plan.test:
        n = int(r.video_id[len('video'):])
        videos.append({
            'category':
            MOTIONS.index(r.scene.objects[0].attributes.motion),
            'url':
            f'https://videos.example.com/embedded/{r.video_id}',
            'video_id':
            r.video_id,
            'start time':
            0.0,
            'end time':
            float(duration),
            'split':
            'train' if r.split == 'finetune' else 'test',
            'id':
            n,
        })
        for c in r.captions:
            sentences.append(
                dict(caption=c, video_id=r.video_id, sen_id=len(sentences)))
    info = {
        'year': '2016',
        'version': '1.0',
        'description': 'embedded synthetic corpus of snps3 in the format of '
        'MSR-VTT 1.0 (category = index of the primary motion)',
        'contributor': 'snps3 contributors',
        'data_created': '2016-04-01 12:00:00',
    }
    files['annotations/MSRVTT_data.json'] = json.dumps(
        dict(info=info, videos=videos, sentences=sentences)) + '\n'
    files['annotations/MSRVTT_train.9k.csv'] = _csv_text(
        ('video_id', ), [(r.video_id, ) for r in plan.finetune])
    files['annotations/MSRVTT_JSFUSION_test.csv'] = _csv_text(
        JSFUSION_HEADER, [(k, f'ret{k}', f"msr{r.video_id[len('video'):]}",
                           r.video_id, r.captions[0])
                          for k, r in enumerate(plan.test)])

    files['annotations/qa_train.json'] = _qa_text(plan.seed, plan.finetune)
    files['annotations/qa_test.json'] = _qa_text(plan.seed, plan.test)
    files['annotations/mc_test.json'] = _mc_text(plan.seed, plan.test)

    scenes = [
        dict(
            split=r.split,
            video_id=r.video_id,
            path=f'videos/{r.rel_path}',
            held_out=r.held_out,
            captions=r.captions,
            **r.scene.to_dict()) for r in plan.videos
    ]
    files['annotations/embedded_scenes.json'] = json.dumps(
        scenes, indent=1) + '\n'
    return files


def qa_rows(seed: int, records: Sequence[VideoRecord]) -> List[dict]:
    """MSRVTT-QA rows about ``records``, ids numbered from 0."""
    rows = []
    for r in records:
        n = int(r.video_id[len('video'):])
        rng = _rng(seed, _STREAMS[r.split], n, _QA_STREAM)
        for q in make_questions(r.scene.attributes, rng):
            rows.append(
                dict(
                    video_id=r.video_id,
                    question=q['question'],
                    answer=q['answer'],
                    id=len(rows),
                    answer_type=q['answer_type']))
    return rows


def mc_rows(seed: int, records: Sequence[VideoRecord]) -> List[dict]:
    """MSRVTT-MC rows, one per record: its first caption among four
    distractors, the right position balanced over the options."""
    rng = _rng(seed, _STREAMS['test'], _MC_STREAM)
    answers = rng.permutation(np.arange(len(records)) % MC_OPTIONS)
    rows = []
    for r, k in zip(records, answers):
        n = int(r.video_id[len('video'):])
        options = make_distractors(r.captions[0], r.scene.attributes,
                                   _rng(seed, _STREAMS['test'], n, _MC_STREAM),
                                   MC_OPTIONS - 1)
        options.insert(int(k), r.captions[0])
        rows.append(dict(clip_name=r.video_id, options=options, answer=int(k)))
    return rows


def _qa_text(seed: int, records: Sequence[VideoRecord]) -> str:
    return json.dumps(qa_rows(seed, records), indent=1) + '\n'


def _mc_text(seed: int, records: Sequence[VideoRecord]) -> str:
    return json.dumps(mc_rows(seed, records), indent=1) + '\n'


def _settings(size: str, seed: int, width: int, height: int, num_frames: int,
              fps: int) -> dict:
    return dict(
        generator=GENERATOR,
        version=GENERATOR_VERSION,
        size=size,
        seed=seed,
        width=width,
        height=height,
        num_frames=num_frames,
        fps=fps)


def _meta(plan: CorpusPlan, settings: dict, files: Sequence[str]) -> dict:
    meta = dict(settings)
    meta['duration'] = settings['num_frames'] / settings['fps']
    meta['counts'] = dict(
        pretrain_videos=len(plan.pretrain),
        pretrain_captions=sum(len(r.captions) for r in plan.pretrain),
        finetune_videos=len(plan.finetune),
        finetune_sentences=sum(len(r.captions) for r in plan.finetune),
        test_videos=len(plan.test),
        test_held_out_videos=sum(r.held_out for r in plan.test),
        qa_train_questions=len(qa_rows(plan.seed, plan.finetune)),
        qa_test_questions=len(qa_rows(plan.seed, plan.test)),
        mc_test_questions=len(plan.test))
    meta['held_out_pairs'] = [list(p) for p in plan.held_out_pairs]
    meta['vocabulary'] = dict(
        colours=list(COLOURS),
        shapes=list(SHAPES),
        sizes=list(SIZES),
        motions=list(MOTIONS),
        speeds=list(SPEEDS),
        backgrounds=list(BACKGROUNDS),
        background_styles=list(BACKGROUND_STYLES))
    meta['annotations'] = sorted(files)
    meta['videos'] = [f'videos/{r.rel_path}' for r in plan.videos]
    return meta


META_FILE = 'corpus_meta.json'


def check_corpus(out_dir: str,
                 size: str = 'default',
                 seed: int = 0,
                 resolution: int = DEFAULT_RESOLUTION,
                 num_frames: int = DEFAULT_NUM_FRAMES,
                 fps: int = DEFAULT_FPS) -> Optional[dict]:
    """The metadata of a complete corpus with these settings, or None.

    A corpus is complete when its ``corpus_meta.json`` (written last) has the
    same settings and generator version and every file it lists exists.
    """
    path = osp.join(out_dir, META_FILE)
    try:
        with open(path, encoding='utf-8') as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    want = _settings(size, seed, resolution, resolution, num_frames, fps)
    if any(meta.get(k) != v for k, v in want.items()):
        return None
    listed = meta.get('annotations', []) + meta.get('videos', [])
    if not all(osp.isfile(osp.join(out_dir, p)) for p in listed):
        return None
    return meta


def _init_worker() -> None:
    # Two processes already fill two cores; OpenCV's own thread pool would
    # only oversubscribe them.
    import cv2
    cv2.setNumThreads(1)


def generate_corpus(out_dir: str,
                    size: str = 'default',
                    seed: int = 0,
                    workers: int = 2,
                    force: bool = False,
                    *,
                    resolution: int = DEFAULT_RESOLUTION,
                    num_frames: int = DEFAULT_NUM_FRAMES,
                    fps: int = DEFAULT_FPS,
                    progress: bool = False,
                    log: Callable[[str], None] = print) -> dict:
    """Generates the embedded corpus under ``out_dir`` (see module doc).

    Does nothing when ``out_dir`` already holds a complete corpus with the
    same settings, unless ``force``.

    Args:
        out_dir: Output directory; created if missing.
        size: A key of :data:`CORPUS_SIZES`.
        seed: Corpus seed.
        workers: Rendering processes; 1 renders in this process.
        force: Regenerate even if up to date.
        resolution: Frame width and height in pixels (even).
        num_frames: Frames per video.
        fps: Frame rate.
        progress: Report rendering progress (tqdm if available).
        log: Where progress lines go when tqdm is not available.

    Returns:
        The corpus metadata, as written to ``corpus_meta.json``.
    """
    if resolution % 2 or resolution < 16:
        raise ValueError('resolution must be even and at least 16 (H.264 '
                         f'yuv420p), got {resolution}')
    if num_frames < 1 or fps < 1:
        raise ValueError('num_frames and fps must be positive')
    if not force:
        meta = check_corpus(out_dir, size, seed, resolution, num_frames, fps)
        if meta is not None:
            return meta
    settings = _settings(size, seed, resolution, resolution, num_frames, fps)
    plan = plan_corpus(size, seed)

    meta_path = osp.join(out_dir, META_FILE)
    if osp.isfile(meta_path):
        # An earlier corpus lives here. Drop its meta first, so that an
        # interrupted run is never taken for a complete one, and its videos,
        # so that none of another size or seed are left behind.
        os.remove(meta_path)
        shutil.rmtree(osp.join(out_dir, 'videos'), ignore_errors=True)
    for d in {osp.dirname(r.rel_path) for r in plan.videos}:
        os.makedirs(osp.join(out_dir, 'videos', d), exist_ok=True)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)

    files = annotation_files(plan, num_frames / fps)
    for rel, text in files.items():
        with open(
                osp.join(out_dir, rel), 'w', encoding='utf-8',
                newline='') as f:
            f.write(text)

    tasks = [(r.scene, osp.join(out_dir, 'videos', r.rel_path), resolution,
              resolution, num_frames, fps) for r in plan.videos]
    _render_all(tasks, workers, progress, log)

    meta = _meta(plan, settings, files)
    tmp = meta_path + '.part'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    os.replace(tmp, meta_path)
    return meta


def _render_all(tasks: list, workers: int, progress: bool,
                log: Callable[[str], None]) -> None:
    from .render import render_video
    bar, every, start = None, max(1, len(tasks) // 10), time.time()
    if progress:
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(tasks), unit='video', desc='rendering')
        except ImportError:
            pass

    def report(done: int) -> None:
        if bar is not None:
            bar.update(1)
        elif progress and (done % every == 0 or done == len(tasks)):
            log(f'rendered {done}/{len(tasks)} videos '
                f'({time.time() - start:.1f}s)')

    if workers <= 1:
        for k, task in enumerate(tasks):
            render_video(task)
            report(k + 1)
    else:
        import multiprocessing as mp

        # fork where there is one: the children inherit the imported
        # modules instead of importing the whole package again.
        methods = mp.get_all_start_methods()
        ctx = mp.get_context('fork' if 'fork' in methods else None)
        with ctx.Pool(workers, initializer=_init_worker) as pool:
            for k, _ in enumerate(
                    pool.imap_unordered(render_video, tasks, chunksize=4)):
                report(k + 1)
    if bar is not None:
        bar.close()
