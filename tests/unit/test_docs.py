"""The README's catalogue stays in step with the code."""
from pathlib import Path

from cx_nlp.errors import ERRORS, STATUSES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_error_code_and_status_is_documented():
    missing = [c for c in ERRORS if f"| {c} |" not in README] + [s for s in STATUSES if f"`{s}`" not in README]
    assert not missing, f"run scripts/readme_tables.py: {missing}"


def test_readme_starts_with_the_two_commands():
    head = README[:1500]
    assert "make demo" in head and "make test" in head
