# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .shared_bert import SharedBertEncoder

__all__ = ['SharedBertEncoder']
