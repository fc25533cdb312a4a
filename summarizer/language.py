"""One py3langid model per process, shared by the loader and the checks.

Loading it costs about 1 s of CPU and ~100 MB; the checks want it restricted to a few languages.
`set_languages` reassigns the identifier's arrays (it never edits the full model in place), so a
shallow copy restricted to a subset shares the big feature tables with the full identifier.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_lock = threading.Lock()
_full: Any = None
_restricted: dict[tuple[str, ...], Any] = {}


def identifier(languages: tuple[str, ...] | None = None) -> Any:
    """The py3langid identifier (normalised probabilities), optionally restricted to `languages`."""
    global _full
    with _lock:  # batch workers load sources in threads: build the model once, not once per thread
        if _full is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if not languages:
            return _full
        key = tuple(sorted(set(languages)))
        if key not in _restricted:
            restricted = copy.copy(_full)
            restricted.set_languages(list(key))
            _restricted[key] = restricted
        return _restricted[key]
