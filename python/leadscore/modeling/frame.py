"""Kept so model files pickled before the coercer moved to `leadscore.feature_frame` still load."""

from leadscore.feature_frame import FeatureFrameCoercer

__all__ = ["FeatureFrameCoercer"]
