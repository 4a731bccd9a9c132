"""The booking HTTP API."""

from eventbus.http import Api

api = Api("booking")
