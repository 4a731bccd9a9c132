"""Fixtures of the cross-service tests beyond the stack itself."""

from tests.e2e.receiver import receiver, silent_receiver

__all__ = ["receiver", "silent_receiver"]
