"""Keeps the identity service's signing keys current: `python -m identity.worker`."""

import logging
import threading

from eventbus.process import run_until_signalled
from eventbus.runtime import Runtime
from identity.bootstrap import bootstrap
from identity.config import key_encryption_key
from identity.rotation import now, rotate

log = logging.getLogger(__name__)
EVERY, AFTER_FAILURE = 60.0, 5.0


def keep_keys(runtime: Runtime, kek: bytes, stop: threading.Event) -> None:
    """A key made when one is due, looked at every minute (sooner again after a failure)."""
    while not stop.is_set():
        try:
            made = rotate(runtime, kek, now())
            if made is not None:
                log.info("signing key %s made, signs from %s", made.kid, made.signs_from.isoformat())
            wait = EVERY
        except Exception:  # the database may be restarting: the next round tries again
            log.exception("signing key round failed")
            wait = AFTER_FAILURE
        stop.wait(wait)


if __name__ == "__main__":
    runtime, kek = bootstrap(), key_encryption_key()  # a missing secret stops the start
    run_until_signalled(runtime.settings, lambda stop: keep_keys(runtime, kek, stop))
