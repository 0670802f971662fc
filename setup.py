# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
# Metadata lives in setup.cfg; this file lets `pip install -e .` work with
# older setuptools too.
from setuptools import setup

setup()
