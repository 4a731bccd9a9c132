"""The notifications HTTP API."""

from eventbus.http import Api

api = Api("notifications")
