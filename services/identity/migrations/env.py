from eventbus.migrations import run_env
from identity.db import metadata

run_env(metadata)
