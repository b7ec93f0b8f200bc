"""retirelink — 退休档案协同共享平台."""

__version__ = "0.1.0"
