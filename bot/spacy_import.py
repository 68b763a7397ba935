"""Import spaCy without dragging TensorFlow in.

spaCy's maths library (thinc) probes for TensorFlow at import time. Rasa installs TensorFlow, so in a process
that only needs spaCy's tokenizer and Matcher (the web app, the action server, the CLI) that probe costs 10-30
seconds and a few hundred megabytes. Where TensorFlow is not loaded yet, hide it while spaCy loads; a later
`import tensorflow` (Rasa's) still works, and nothing here uses thinc's TensorFlow wrappers.
"""

from __future__ import annotations

import sys
from types import ModuleType


def import_spacy() -> ModuleType:
    """`import spacy`, without TensorFlow when the process has not loaded it already."""
    if "spacy" in sys.modules or "tensorflow" in sys.modules:
        import spacy

        return spacy
    # None in sys.modules makes `import tensorflow` raise ImportError (documented for importlib); typeshed
    # types the dict as str -> ModuleType only.
    sys.modules["tensorflow"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        if sys.modules.get("tensorflow") is None:
            del sys.modules["tensorflow"]
    return spacy
