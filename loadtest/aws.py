"""Every AWS client is made here, so tests run under moto and a local endpoint is one variable.

boto3 reads AWS_ENDPOINT_URL itself: the rehearsal points it at the moto server on 127.0.0.1.
"""

import boto3

PROJECT = "sklearn-zappa-ml"


def make_client(service: str):
    return boto3.client(service)


def function_name(stage: str) -> str:
    """Zappa names the Lambda function PROJECT-STAGE."""
    return f"{PROJECT}-{stage}"


def api_key_secret_id(stage: str) -> str:
    return f"{PROJECT}/{stage}/api-key"
