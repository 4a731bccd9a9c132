from eventbus.migrations import run_env
from notifications.db import metadata

run_env(metadata)
