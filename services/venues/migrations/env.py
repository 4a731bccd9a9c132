from eventbus.migrations import run_env
from venues.db import metadata

run_env(metadata)
