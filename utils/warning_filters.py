"""The one place where the course silences warnings: each by its message text, with the reason, never by category
alone, so a new warning (often the first sign of a real bug) still shows.
"""

from __future__ import annotations

import warnings

KNOWN_HARMLESS: tuple[tuple[str, type[Warning], str], ...] = (
    # (regular expression matched against the start of the message, category, why it is harmless)
    (r"`shuffle=True` was passed, but will be ignored", UserWarning,
     "Keras cannot shuffle a generator or tf.data input; the course shuffles those itself"),
)


def silence_known_warnings() -> None:
    """Install the filters of :data:`KNOWN_HARMLESS` (idempotent: ``filterwarnings`` de-duplicates)."""
    for message, category, _why in KNOWN_HARMLESS:
        warnings.filterwarnings("ignore", message=message, category=category)
