"""Schemathesis's seed: the same cases every run unless XUDONG_FUZZ_SEED says otherwise. A number
replays that run; `random` (what CI sets) draws a new seed, printed at the end of the run
(tests/fuzz/conftest.py) for a failure to be replayed."""

import os
import random

_ASKED = os.environ.get("XUDONG_FUZZ_SEED", "20261127")
SEED = random.SystemRandom().randrange(2**32) if _ASKED == "random" else int(_ASKED)
