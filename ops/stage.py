"""A stage, resolved once: its name, settings, region, the names of what it owns, and its clients.

Each command resolves its STAGE argument once (`Stage.resolve`) and hands the value down, so no
module re-reads zappa_settings.json, works out the region again, or makes boto3 clients of its
own. Clients come from ops.aws.make_client (the one factory tests patch) and are made once per
service: a command's steps share them.
"""

import os
from dataclasses import dataclass, field

import click

import project
from ops import aws, zappa_settings


@dataclass(frozen=True)
class Stage:
    name: str
    settings: dict = field(repr=False)  # zappa_settings.json's stage, resolved, not rendered
    region: str
    _clients: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def resolve(cls, name: str) -> "Stage":
        """The committed stage; AWS_REGION (set by the workflows' credentials step) wins over its
        aws_region. An unknown stage is one line (SettingsError), not a traceback."""
        if name not in project.STAGES:
            raise zappa_settings.SettingsError(
                f"unknown stage {name!r}; choose one of {', '.join(project.STAGES)}"
            )
        settings = zappa_settings.resolve(zappa_settings.load(), name)
        return cls(name, settings, os.environ.get("AWS_REGION") or settings["aws_region"])

    def client(self, service: str):
        """The stage's boto3 client for `service`, made on first use."""
        if service not in self._clients:
            self._clients[service] = aws.make_client(service, self.region)
        return self._clients[service]

    @property
    def function_name(self) -> str:
        """The Lambda function, and the CloudFormation stack and REST API Zappa names after it."""
        return project.function_name(self.name)

    @property
    def usage_plan_name(self) -> str:
        return project.usage_plan_name(self.name)

    @property
    def api_key_secret_name(self) -> str:
        return project.api_key_secret_name(self.name)

    @property
    def resource_tags(self) -> dict[str, str]:
        """Tags on what ops creates in API Gateway: the deploy role only allows creating tagged
        ones. CloudFormation puts the same tag on Zappa's REST API (Zappa tags its stack with it),
        so one tag scopes a stage's API, usage plan and keys (see iam/bootstrap.yaml)."""
        return {"ZappaProject": self.function_name}


def argument(command):
    """A command's STAGE argument, resolved once: the command receives a Stage."""
    return click.argument(
        "stage",
        type=click.Choice(project.STAGES),
        callback=lambda context, parameter, name: Stage.resolve(name),
    )(command)
