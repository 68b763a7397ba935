"""Here to Help: a chat assistant that signposts UK council residents and staff to the right service."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository root: paths in settings are resolved against it, so commands work from any directory."""
