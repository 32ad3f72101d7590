"""Customer-experience domain knowledge: the journey stages and touchpoints findings are mapped to."""
from .taxonomy import Stage, Taxonomy, Touchpoint

__all__ = ["Taxonomy", "Touchpoint", "Stage"]
