# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Errors in what the user gave us: configs, files, data.

They carry a message that names the thing at fault and what to do; the
command-line tools print that message instead of a traceback (set
``SNPS3_DEBUG=1`` to get the traceback too). They also subclass the
built-in error a caller would expect (``KeyError``, ``FileNotFoundError``,
``ValueError``), so ``except`` clauses written for those keep working.
"""
import os
import sys
from contextlib import contextmanager


class UserError(Exception):
    """An error in the user's input, with an actionable message."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ''


class ConfigError(UserError, KeyError):
    """A config names something that does not exist or is misspelt."""


class MissingFileError(UserError, FileNotFoundError):
    """A file the config points to is not there."""


class DataError(UserError, ValueError):
    """An annotation file or a sample that cannot be used."""


@contextmanager
def report_user_errors():
    """Print a :class:`UserError` as ``error: <message>`` and exit(2)."""
    try:
        yield
    except UserError as err:
        if os.environ.get('SNPS3_DEBUG') == '1':
            raise
        print(
            f'error: {err}\n(set SNPS3_DEBUG=1 for the traceback)',
            file=sys.stderr)
        sys.exit(2)
