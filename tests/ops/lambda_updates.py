"""Make moto's Lambda report an update in progress, as AWS does for a while after
UpdateFunctionCode (moto always answers LastUpdateStatus Successful)."""

from moto.awslambda import models as lambda_models


def report_statuses(monkeypatch, statuses: list[dict], seen: list[str]) -> None:
    """The next GetFunction answers take their LastUpdateStatus (and reason) from `statuses`,
    in order; each status answered is appended to `seen`. Afterwards moto's own answer."""
    original = lambda_models.LambdaFunction.get_configuration

    def configuration(function, on_create=False):
        config = original(function, on_create)
        if statuses and not on_create:
            config.update(statuses.pop(0))
            seen.append(config["LastUpdateStatus"])
        return config

    monkeypatch.setattr(lambda_models.LambdaFunction, "get_configuration", configuration)


def zappa_update_fails(monkeypatch, zappa) -> list[str]:
    """Each Zappa run (the real one, against moto) is followed by Lambda reporting the update in
    progress, then failed; returns the statuses answered so far."""
    statuses, seen = [], []
    report_statuses(monkeypatch, statuses, seen)
    original = zappa.run
    monkeypatch.setattr(
        zappa,
        "run",
        lambda argv, watch=None: (original(argv), statuses.extend([IN_PROGRESS, FAILED])),
    )
    return seen


IN_PROGRESS = {"LastUpdateStatus": "InProgress", "LastUpdateStatusReason": "Updating"}
SUCCESSFUL = {"LastUpdateStatus": "Successful"}
FAILED = {
    "LastUpdateStatus": "Failed",
    "LastUpdateStatusReasonCode": "EniLimitExceeded",
    "LastUpdateStatusReason": "The function could not be updated",
}
