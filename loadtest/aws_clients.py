"""Every AWS client of the load test is made here, so tests run under moto and a local endpoint is
one variable (boto3 reads AWS_ENDPOINT_URL itself: the rehearsal points it at 127.0.0.1).

Plain clients on purpose: the load test reads a few things once (its key, CloudWatch, the plan);
ops.aws is the ops commands' client factory, with their retry budget and error wording.
"""

import boto3


def make_client(service: str):
    return boto3.client(service)
