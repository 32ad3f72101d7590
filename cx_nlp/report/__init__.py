"""The CX report: aggregates of a scored table rendered as one self-contained HTML file (+ PNG charts)."""
from .build import build_report

__all__ = ["build_report"]
