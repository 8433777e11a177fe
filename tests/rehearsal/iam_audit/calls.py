"""Recorded AWS calls in the shape rehearsal.iam_audit.recorder writes them, for tests that judge
made-up calls (the audit's and the IAM template's)."""

DEV_DEPLOY = "sklearn-zappa-ml-dev-deploy"


def call(operation, service, role=DEV_DEPLOY, step="s", error=None, **params):
    """One record; `response=` among params is the call's projected answer."""
    return {
        "step": step,
        "role": role,
        "service": service,
        "operation": operation,
        "region": "us-east-1",
        "params": params,
        "response": params.pop("response", {}),
        "error": error,
    }
