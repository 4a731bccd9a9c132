from booking.db import metadata
from eventbus.migrations import run_env

run_env(metadata)
