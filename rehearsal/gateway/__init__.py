"""The local stage: a deployed stage served on loopback the way API Gateway and Lambda serve it.

with start_gateway("dev", endpoint) as base_url:   # http://127.0.0.1:PORT/dev
    ...
"""

from rehearsal.gateway.server import start_gateway

__all__ = ["start_gateway"]
