"""Secrets Manager in moto, authorizing reads the way AWS does (issue 13, defect 3).

AWS checks a request for an existing secret against its ARN, which ends in `-` and six random
characters; for a secret that does not exist yet it checks the ARN without that suffix. A role
allowed only `secret:NAME-??????` therefore gets AccessDeniedException where a role allowed the
bare name too gets ResourceNotFoundException. moto's own IAM checks use the resource `*` for Secrets
Manager, so this wraps its backend and matches the ARN AWS would use against the allowed resources
with IAM's wildcards (`*` any run, `?` one character: fnmatch's; moto's evaluator can't parse `?`).
"""

from fnmatch import fnmatchcase

from moto.core.exceptions import JsonRESTError
from moto.secretsmanager.models import SecretsManagerBackend

import project

SECRET = project.api_key_secret_name("dev")
SECRET_ARN = f"arn:aws:secretsmanager:*:*:secret:{SECRET}"
# Only the suffixed ARN (the deploy roles before the fix): the first read is denied.
SUFFIX_ONLY = [f"{SECRET_ARN}-??????"]
# The suffixed ARN and the bare name: the first read answers ResourceNotFoundException.
WITH_NAME = [f"{SECRET_ARN}-??????", SECRET_ARN]
GUARDED = {"get_secret_value": "GetSecretValue", "describe_secret": "DescribeSecret"}


def enforce(monkeypatch, resources: list[str]) -> None:
    """Every GetSecretValue and DescribeSecret is authorized against `resources` first."""

    def guard(method: str, action: str):
        original = getattr(SecretsManagerBackend, method)

        def checked(self, secret_id, *args, **kwargs):
            known = self.secrets.get(secret_id)
            base = f"arn:aws:secretsmanager:{self.region_name}:{self.account_id}:secret:"
            arn = known.arn if known is not None else f"{base}{secret_id}"
            if not any(fnmatchcase(arn, pattern) for pattern in resources):
                raise JsonRESTError(
                    "AccessDeniedException",
                    f"User: arn:aws:sts::{self.account_id}:assumed-role/deploy/ci is not "
                    f"authorized to perform: secretsmanager:{action} on resource: {secret_id} "
                    f"because no identity-based policy allows the secretsmanager:{action} action",
                )
            return original(self, secret_id, *args, **kwargs)

        monkeypatch.setattr(SecretsManagerBackend, method, checked)

    for method, action in GUARDED.items():
        guard(method, action)
