# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Streaming caption readers for vocabulary mining.

Pre-training annotation files are large (WebVid-2M's CSV has 2.5M rows), so
the CSV and JSON-lines readers yield one caption at a time and never hold
the rows in memory. MSR-VTT's ``MSRVTT_data.json`` is a single JSON object
and is read whole (it has 200k captions).

Formats:

* ``webvid``: CSV with a ``name`` column (the caption);
* ``jsonl``: one JSON object per line with a ``caption`` (a string or a list
  of strings), the public SNP-S3 code's format;
* ``msrvtt``: ``{"sentences": [{"caption": ...}, ...]}``.
"""
import csv
import json
import os.path as osp
from typing import Iterator, Optional

from snps3.utils.errors import DataError, MissingFileError

FORMATS = ('auto', 'webvid', 'jsonl', 'msrvtt')


def detect_format(path: str) -> str:
    """Guess the format of an annotation file from its name and first line.

    ``.csv`` is WebVid; ``.jsonl`` is JSON lines; ``.json`` is JSON lines
    when its first line alone is an object with a ``caption``, else MSR-VTT.

    Raises:
        DataError: The extension is none of these.
    """
    ext = osp.splitext(path)[1].lower()
    if ext == '.csv':
        return 'webvid'
    if ext == '.jsonl':
        return 'jsonl'
    if ext == '.json':
        with open(path, encoding='utf-8') as f:
            first = f.readline()
        try:
            obj = json.loads(first)
        except json.JSONDecodeError:
            return 'msrvtt'
        return 'jsonl' if isinstance(obj, dict) and 'caption' in obj \
            else 'msrvtt'
    raise DataError(f"cannot tell the format of '{path}' from its extension; "
                    f"give --format ({', '.join(FORMATS[1:])}).")


def count_records(path: str, fmt: str) -> Optional[int]:
    """Rough number of captions, for a progress bar (None if unknown).

    Counts lines, which is fast even for millions of rows; a CSV caption
    with a line break inside quotes makes it a slight overestimate.
    """
    if fmt not in ('webvid', 'jsonl'):
        return None
    lines = 0
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            lines += block.count(b'\n')
    return max(lines - (fmt == 'webvid'), 0)  # the CSV header


def iter_captions(path: str, fmt: str = 'auto') -> Iterator[str]:
    """Yield the captions of an annotation file, one at a time.

    Args:
        path: The annotation file.
        fmt: One of :data:`FORMATS`.

    Raises:
        MissingFileError: The file does not exist.
        DataError: The file lacks the caption field of its format.
    """
    if not osp.isfile(path):
        raise MissingFileError(f"annotation file '{path}' does not exist.")
    if fmt == 'auto':
        fmt = detect_format(path)
    if fmt == 'webvid':
        yield from _iter_webvid(path)
    elif fmt == 'jsonl':
        yield from _iter_jsonl(path)
    elif fmt == 'msrvtt':
        yield from _iter_msrvtt(path)
    else:
        raise ValueError(f'format must be one of {FORMATS}, got {fmt!r}')


def _iter_webvid(path: str) -> Iterator[str]:
    with open(path, encoding='utf-8', newline='') as f:
        reader = csv.DictReader(f)
        if 'name' not in (reader.fieldnames or ()):
            raise DataError(
                f"'{path}' has no 'name' column (WebVid's caption); its "
                f'columns are {reader.fieldnames}.')
        for row in reader:
            yield row['name'] or ''


def _iter_jsonl(path: str) -> Iterator[str]:
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"'{path}' line {lineno} is not JSON "
                                f'({err}).') from err
            if not isinstance(record, dict) or 'caption' not in record:
                raise DataError(
                    f"'{path}' line {lineno} has no 'caption' field.")
            caption = record['caption']
            if isinstance(caption, list):  # several captions per clip
                yield from (c for c in caption if isinstance(c, str))
            elif isinstance(caption, str):
                yield caption


def _iter_msrvtt(path: str) -> Iterator[str]:
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    if not isinstance(data, dict) or 'sentences' not in data:
        raise DataError(f"'{path}' has no 'sentences' list (MSR-VTT's "
                        'MSRVTT_data.json format).')
    for sentence in data['sentences']:
        yield sentence.get('caption', '')


__all__ = ['FORMATS', 'detect_format', 'count_records', 'iter_captions']
