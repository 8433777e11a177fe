"""A local AWS endpoint for the rehearsal: moto's server on loopback with a few documented shims.

with local_aws() as endpoint:      # http://127.0.0.1:PORT, exported as AWS_ENDPOINT_URL
    provision(endpoint)            # what iam/bootstrap.yaml creates in a real account
"""

from rehearsal.local_aws.clients import DUMMY_CREDENTIALS, aws_env, local_client
from rehearsal.local_aws.provision import Provisioned, provision
from rehearsal.local_aws.server import LocalAwsServer, local_aws

__all__ = [
    "DUMMY_CREDENTIALS",
    "LocalAwsServer",
    "Provisioned",
    "aws_env",
    "local_aws",
    "local_client",
    "provision",
]
