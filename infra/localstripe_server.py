"""Starts localstripe on 127.0.0.1 only (its own command listens on every interface)."""

import argparse
import logging

from aiohttp import web
from localstripe.resources import Store
from localstripe.server import app

# localstripe pickles its whole store to one shared /tmp file on every write, which grows
# slower with every object and mixes instances; ours keeps its state in memory only.
Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=8420)
args = parser.parse_args()
logging.basicConfig(level=logging.INFO)
web.run_app(app, host="127.0.0.1", port=args.port, print=None)
