"""Light heads on top of the shared encoder pass: sentiment, emotions (and later touchpoints)."""
from .base import Head, HeadConfig

SENTIMENT_LABELS = ["negative", "neutral", "positive"]
EMOTION_LABELS = ["anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust"]

__all__ = ["Head", "HeadConfig", "SENTIMENT_LABELS", "EMOTION_LABELS"]
