"""Every AWS client is made here, so tests run under moto and a local endpoint is one variable.

boto3 reads AWS_ENDPOINT_URL itself: the rehearsal points it at the moto server on 127.0.0.1.
"""

import boto3

# Names are defined once, in ops.paths (Zappa's naming, the secret ops writes).
from ops.paths import api_key_secret_name as api_key_secret_id
from ops.paths import function_name

__all__ = ["api_key_secret_id", "function_name", "make_client"]


def make_client(service: str):
    return boto3.client(service)
