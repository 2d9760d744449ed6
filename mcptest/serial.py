"""One process-wide lock for work that must not run in two threads at once: Hypothesis.

Hypothesis itself is thread-safe (6.136+), but on CPython before 3.11.8/3.12.1 ``ast.parse`` is not
(gh-106905: "AST constructor recursion depth mismatch"), and Hypothesis parses source while it runs.
Fuzzing therefore runs one property at a time (the scheduler's serial lane), and every other use of
Hypothesis in the engine takes the same lock.
"""

from __future__ import annotations

import threading

HYPOTHESIS = threading.RLock()
