"""Render iam/bootstrap.yaml with concrete parameters, the way CloudFormation would.

Only the intrinsic functions and resource types the template uses are supported, so a new one fails
loudly here instead of being silently mis-rendered into a policy that tests then trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

from project import BOOTSTRAP_STACK

TEMPLATE_PATH = Path(__file__).with_name("bootstrap.yaml")
_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateError(ValueError):
    """The template or the parameters cannot be rendered."""


@dataclass(frozen=True)
class Role:
    """One IAM role as CloudFormation would create it."""

    logical_id: str
    name: str
    arn: str
    trust: dict[str, Any]
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse the template with cfn-lint's loader, which understands !Sub, !Ref, !If and friends."""
    return _plain(cfn_yaml.load(str(path)))


def _plain(node: Any) -> Any:
    """Turn cfn-lint's node classes into plain dicts, lists and strings."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


class Renderer:
    """Evaluates intrinsic functions for one set of parameters, account and region."""

    def __init__(
        self,
        template: dict[str, Any],
        parameters: dict[str, str],
        account_id: str = "123456789012",
        region: str = "us-east-1",
        partition: str = "aws",
    ):
        self.template = template
        self.pseudo = {
            "AWS::AccountId": account_id,
            "AWS::Region": region,
            "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": BOOTSTRAP_STACK,
        }
        self.parameters = self._resolve_parameters(parameters)
        self.conditions: dict[str, bool] = {}
        for name in template.get("Conditions", {}):
            self.conditions[name] = self._condition(name)

    def check_rules(self) -> None:
        """The template's Rules, as CloudFormation checks them before creating anything."""
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.render(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self.render(assertion["Assert"]):
                    raise TemplateError(assertion.get("AssertDescription", "a rule failed"))

    def _resolve_parameters(self, given: dict[str, str]) -> dict[str, str]:
        declared = self.template.get("Parameters", {})
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise TemplateError(f"unknown parameters: {', '.join(unknown)}")
        values = {}
        for name, spec in declared.items():
            if name in given:
                value = str(given[name])
            elif "Default" in spec:
                value = str(spec["Default"])
            else:
                raise TemplateError(f"parameter {name} has no default and was not given")
            allowed = spec.get("AllowedValues")
            if allowed is not None and value not in [str(a) for a in allowed]:
                raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
            pattern = spec.get("AllowedPattern")
            if pattern is not None and not re.fullmatch(pattern, value):
                raise TemplateError(f"parameter {name}={value!r} does not match {pattern}")
            values[name] = value
        return values

    def _condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.render(self.template["Conditions"][name]))
        return self.conditions[name]

    def resource_exists(self, logical_id: str) -> bool:
        """Whether the resource's Condition (if any) holds."""
        condition = self.template["Resources"][logical_id].get("Condition")
        return condition is None or self._condition(condition)

    def render(self, node: Any) -> Any:
        """Evaluate every intrinsic function inside node."""
        if isinstance(node, list):
            return [v for v in (self.render(item) for item in node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, arg)
            if key.startswith("Fn::"):
                raise TemplateError(f"unsupported intrinsic function {key}")
        out = {}
        for key, value in node.items():
            rendered = self.render(value)
            if rendered is not _NO_VALUE:
                out[key] = rendered
        return out

    def ref(self, name: str) -> Any:
        """Value of !Ref NAME: a parameter, a pseudo parameter or a resource's physical id."""
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self._resource(name)
        kind = resource["Type"]
        props = resource.get("Properties", {})
        if kind == "AWS::IAM::Role":
            return self.render(props["RoleName"])
        if kind == "AWS::S3::Bucket":
            return self.render(props["BucketName"])
        if kind == "AWS::Logs::LogGroup":
            return self.render(props["LogGroupName"])
        if kind == "AWS::IAM::OIDCProvider":
            host = self.render(props["Url"]).removeprefix("https://")
            partition, account = self.pseudo["AWS::Partition"], self.pseudo["AWS::AccountId"]
            return f"arn:{partition}:iam::{account}:oidc-provider/{host}"
        raise TemplateError(f"!Ref of a {kind} is not supported")

    def get_att(self, name: str, attribute: str) -> str:
        """Value of !GetAtt NAME.ATTRIBUTE for the attributes the template uses."""
        kind = self._resource(name)["Type"]
        partition, account, region = (
            self.pseudo["AWS::Partition"],
            self.pseudo["AWS::AccountId"],
            self.pseudo["AWS::Region"],
        )
        physical = self.ref(name)
        if attribute == "Arn" and kind == "AWS::IAM::Role":
            return f"arn:{partition}:iam::{account}:role/{physical}"
        if attribute == "Arn" and kind == "AWS::S3::Bucket":
            return f"arn:{partition}:s3:::{physical}"
        if attribute == "Arn" and kind == "AWS::Logs::LogGroup":
            return f"arn:{partition}:logs:{region}:{account}:log-group:{physical}:*"
        if attribute == "Arn" and kind == "AWS::IAM::OIDCProvider":
            return physical
        raise TemplateError(f"!GetAtt {name}.{attribute} ({kind}) is not supported")

    def _resource(self, name: str) -> dict[str, Any]:
        try:
            resource = self.template["Resources"][name]
        except KeyError:
            raise TemplateError(f"unknown reference {name}") from None
        if not self.resource_exists(name):
            raise TemplateError(f"{name} is referenced but its condition is false")
        return resource

    def sub(self, arg: Any) -> str:
        """!Sub with ${Param}, ${AWS::Pseudo}, ${Resource} and ${Resource.Attribute}."""
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        variables = {k: self.render(v) for k, v in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            return str(self.ref(name))

        return _SUB_VAR.sub(replace, text).replace("${!", "${")


def _fn_if(r: Renderer, arg: list[Any]) -> Any:
    name, when_true, when_false = arg
    return r.render(when_true if r._condition(name) else when_false)


def _fn_get_att(r: Renderer, arg: Any) -> str:
    name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
    return r.get_att(name, attribute)


_FUNCTIONS = {
    "Ref": lambda r, arg: r.ref(arg),
    "Fn::Sub": lambda r, arg: r.sub(arg),
    "Fn::GetAtt": _fn_get_att,
    "Fn::If": _fn_if,
    "Fn::Equals": lambda r, arg: str(r.render(arg[0])) == str(r.render(arg[1])),
    "Fn::Not": lambda r, arg: not r.render(arg[0]),
    "Fn::And": lambda r, arg: all(r.render(a) for a in arg),
    "Fn::Or": lambda r, arg: any(r.render(a) for a in arg),
    "Condition": lambda r, arg: r._condition(arg),
    "Fn::Join": lambda r, arg: str(arg[0]).join(str(v) for v in r.render(arg[1])),
}


def check_rules(parameters: dict[str, str], template: dict[str, Any] | None = None) -> None:
    """Raise TemplateError where CloudFormation's Rules would refuse these parameters."""
    template = template if template is not None else load_template()
    Renderer(template, parameters).check_rules()


def render_roles(
    parameters: dict[str, str],
    account_id: str = "123456789012",
    region: str = "us-east-1",
    template: dict[str, Any] | None = None,
) -> dict[str, Role]:
    """Every IAM role of the template, rendered, keyed by role name (Rules are not applied:
    policy tests may render the default subject format without ids; see check_rules)."""
    template = template if template is not None else load_template()
    renderer = Renderer(template, parameters, account_id=account_id, region=region)
    roles = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role" or not renderer.resource_exists(logical_id):
            continue
        props = renderer.render(resource["Properties"])
        name = props["RoleName"]
        roles[name] = Role(
            logical_id=logical_id,
            name=name,
            arn=renderer.get_att(logical_id, "Arn"),
            trust=props["AssumeRolePolicyDocument"],
            policies={p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies", [])},
        )
    return roles
