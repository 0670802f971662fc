# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import init_default_scope

from snps3.registry import MODELS, TRANSFORMS, UnknownTypeError


def test_registered_names_resolve():
    assert MODELS.get('SharedBertEncoder').__name__ == 'SharedBertEncoder'
    assert TRANSFORMS.get('TokenizeCaption').__name__ == 'TokenizeCaption'
    # Parent (MMEngine) names are reachable from the child.
    assert MODELS.get('BaseDataPreprocessor') is not None


def test_unknown_type_names_closest():
    with pytest.raises(UnknownTypeError) as err:
        MODELS.build(dict(type='SharedBertEncodr'))
    message = str(err.value)
    assert "'SharedBertEncodr'" in message
    assert "'SharedBertEncoder'" in message
    assert 'custom_imports' in message


def test_unknown_type_through_root_registry():
    # The Runner builds through MMEngine's root registries with the default
    # scope; the suggestion must survive that path too.
    init_default_scope('snps3')
    with pytest.raises(KeyError, match="Did you mean 'VTCHead'"):
        MMENGINE_MODELS.build(dict(type='VTCHaed', hidden_size=8))


def test_contains_does_not_raise():
    assert 'MLMHead' in MODELS
    assert 'NoSuchHead' not in MODELS
