"""Checks a reader runs on their own answer to a coding exercise.

Each ``check_*`` function calls the reader's function on cases with known answers
(computed by `lib`'s reference implementation), prints a one-line verdict when
everything agrees, and raises ``AssertionError`` saying what differs otherwise.
"""

import numpy as np  # noqa: F401  (used by the checks below)
