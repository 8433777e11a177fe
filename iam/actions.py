"""Map a recorded AWS API call to the IAM requests AWS authorizes for it.

Most calls are one request, `service:Operation` on the resource the parameters name. The
exceptions are the point of this module: API Gateway authorizes HTTP verbs on resource paths; S3
has its own action names (HeadBucket is s3:ListBucket, multipart parts are s3:PutObject);
some calls are authorized more than once (CreateFunction also needs iam:PassRole and, for code in
S3, s3:GetObject as the caller; an API Gateway create with tags also needs apigateway:PUT on the
new resource's /tags path); and CloudFormation creates Zappa's REST API with the caller's
credentials, which no recorder sees, so those requests come from iam.cfn_calls (CloudFormation's
resource schemas applied to Zappa's own stack template).

Every request's context is finally cut down to the condition keys AWS's Service Authorization
Reference lists for its action and the resource types its ARN matches (iam.sar). Keys are only
offered where the request really carries them: aws:ResourceTag for an existing, tagged resource;
aws:RequestTag and aws:TagKeys for a request that sends tags.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore.session

from iam import cfn_calls
from iam.sar import key_supported, load_sar

SECRET_ARN_SUFFIX = "AbCdEf"  # noqa: S105 - not a secret: Secrets Manager appends 6 random characters to a secret's ARN
# A request for a secret that does not exist (yet) is authorized against the ARN without the random
# suffix: the first read on a new stage answers ResourceNotFoundException only if the policy also
# names that ARN (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html;
# SecretId: "you receive either a ResourceNotFoundException or an AccessDeniedException error,
# depending on your permissions").
NOT_FOUND_ERROR = "ResourceNotFoundException"
NEW_ID = "NEW_ID"  # the id of a resource being created, when the response did not record it
APIGW_COLLECTIONS = {"RestApi": "restapis", "UsagePlan": "usageplans", "ApiKey": "apikeys"}
S3_ACTIONS = {
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "HeadObject": "GetObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "ListParts": "ListMultipartUploadParts",
    "DeleteObjects": "DeleteObject",
}
NO_AUTHORIZATION = {("sts", "GetCallerIdentity")}  # always allowed, even under an explicit deny
ROLE_SETTERS = ("CreateFunction", "UpdateFunctionConfiguration")
STAR_RESOURCE = {
    ("cloudwatch", "GetMetricStatistics"),
    ("cloudwatch", "GetMetricData"),
    ("events", "ListRuleNamesByTarget"),
    ("logs", "DescribeLogGroups"),
}


@dataclass(frozen=True)
class Request:
    """One authorization AWS performs: action on resource with condition-key values."""

    action: str
    resource: str
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    implied_by: str | None = None


@dataclass
class State:
    """What earlier calls taught about resources: tags, stack REST APIs, execution roles."""

    account_id: str
    partition: str = "aws"
    stack_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    stack_api: dict[str, str] = field(default_factory=dict)
    api_names: dict[str, str] = field(default_factory=dict)
    apigw_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # "/restapis/ID" -> tags
    function_roles: dict[str, str] = field(default_factory=dict)

    def resource_tags(self, owner: str) -> dict[str, str]:
        """Tags of an API Gateway resource; a REST API without its own carries its stack's."""
        tags = self.apigw_tags.get(owner)
        if tags:
            return tags
        if owner.startswith("/restapis/"):
            api_id = owner.split("/")[2]
            for stack, known_id in self.stack_api.items():
                if known_id == api_id and stack in self.stack_tags:
                    return self.stack_tags[stack]
            name = self.api_names.get(api_id)
            if name in self.stack_tags:
                return self.stack_tags[name]
        return {}


def _tags(value: Any) -> dict[str, str]:
    """Tags as a dict, from either {"k": "v"} or [{"Key": k, "Value": v}]."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(t["Key"]): str(t["Value"]) for t in value if "Key" in t}
    return {}


def _tag_context(prefix: str, tags: dict[str, str]) -> dict[str, tuple[str, ...]]:
    context = {f"{prefix}/{k}": (v,) for k, v in tags.items()}
    if prefix == "aws:RequestTag" and tags:
        context["aws:TagKeys"] = tuple(tags)
    return context


@cache
def _apigateway_model() -> Any:
    return botocore.session.get_session().get_service_model("apigateway")


def apigateway_path(operation: str, params: dict[str, Any]) -> tuple[str, str]:
    """HTTP method and resource path of an API Gateway operation, from botocore's model."""
    model = _apigateway_model().operation_model(operation)
    values = {}
    for name, member in model.input_shape.members.items() if model.input_shape else ():
        if member.serialization.get("location") == "uri" and name in params:
            values[member.serialization.get("name", name)] = str(params[name])
    template = model.http["requestUri"].split("?", 1)[0]

    def fill(match: re.Match[str]) -> str:
        label = match.group(1)
        key = label.rstrip("+")
        if key not in values:
            raise KeyError(f"{operation} needs parameter for {{{key}}} (not recorded)")
        # As on the wire: a plain label is percent-encoded whole (/tags/{resource_arn} names the
        # url-encoded ARN, as the SAR's Tags resource does); a greedy label keeps its slashes.
        return urllib.parse.quote(values[key], safe="/~" if label.endswith("+") else "~")

    return model.http["method"], re.sub(r"\{([^}]+)\}", fill, template)


def _owner(path: str) -> str | None:
    """The taggable resource whose tags govern a path (children inherit them). A /tags/... path
    has none: the SAR's Tags resource carries no aws:ResourceTag."""
    parts = path.strip("/").split("/")
    if parts[0] in APIGW_COLLECTIONS.values() and len(parts) >= 2:
        return f"/{parts[0]}/{parts[1]}"
    return None


def restrict(request: Request) -> Request:
    """The request with only the condition keys the SAR lists for its action and resource."""
    listed = load_sar().request_keys(request.action, request.resource)
    context = {k: v for k, v in request.context.items() if key_supported(k, listed)}
    if context == request.context:
        return request
    return Request(request.action, request.resource, context, request.implied_by)


class Mapper:
    """Turns records into requests, learning tags and ids from the records as it goes."""

    def __init__(self, account_id: str, partition: str = "aws"):
        self.state = State(account_id=account_id, partition=partition)

    def arn(self, service: str, region: str, rest: str) -> str:
        return f"arn:{self.state.partition}:{service}:{region}:{self.state.account_id}:{rest}"

    def requests(self, record: dict[str, Any]) -> list[Request]:
        """IAM requests for one record (empty for calls no policy governs)."""
        service, op = record["service"], record["operation"]
        params, region = record.get("params", {}), record.get("region") or "us-east-1"
        if (service, op) in NO_AUTHORIZATION:
            return []
        handler = getattr(self, f"_map_{service.replace('-', '_')}", None)
        if handler is not None:
            found = handler(op, params, region, record)
        elif (service, op) in STAR_RESOURCE:
            found = [Request(f"{service}:{op}", "*")]
        else:
            found = [Request(f"{service}:{op}", "*")]  # unknown resource: only a "*" grant passes
        return [restrict(r) for r in found]

    def learn(self, record: dict[str, Any]) -> None:
        """Update the state from a record (after its requests were evaluated)."""
        if record.get("error"):
            return
        service, op = record["service"], record["operation"]
        params, response = record.get("params", {}), record.get("response", {})
        state = self.state
        if service == "cloudformation":
            if op in ("CreateStack", "UpdateStack") and "Tags" in params:
                state.stack_tags[params["StackName"]] = _tags(params["Tags"])
            for stack in response.get("Stacks", []):
                if "Tags" in stack:
                    state.stack_tags[stack["StackName"]] = _tags(stack["Tags"])
            detail = response.get("StackResourceDetail", {})
            if detail.get("ResourceType") == "AWS::ApiGateway::RestApi":
                state.stack_api[detail["StackName"]] = detail["PhysicalResourceId"]
        elif service == "apigateway":
            kind = APIGW_COLLECTIONS
            items = response.get("items", [response] if "id" in response else [])
            collection = next((v for k, v in kind.items() if k in op), None)
            for item in items:
                if collection is None or "id" not in item:
                    continue
                tags = _tags(item.get("tags")) or (
                    _tags(params.get("tags")) if "Create" in op else {}
                )
                if tags:
                    state.apigw_tags[f"/{collection}/{item['id']}"] = tags
                if collection == "restapis" and "name" in item:
                    state.api_names[item["id"]] = item["name"]
            if op == "TagResource":
                owner = _owner(urllib.parse.unquote(params["resourceArn"]).split("::", 1)[-1])
                if owner:
                    state.apigw_tags.setdefault(owner, {}).update(_tags(params.get("tags")))
        elif service == "lambda" and "Role" in params and op in ROLE_SETTERS:
            state.function_roles[params["FunctionName"].split(":")[-1]] = params["Role"]

    # -- per service --------------------------------------------------------------------------

    def _function_arn(self, name: str, region: str, qualifier: str | None = None) -> str:
        if name.startswith("arn:"):
            base = name
        else:
            parts = name.split(":")
            if parts[0] == "function":  # partial ARN, as Zappa's rollback passes it
                parts = parts[1:]
            base = self.arn("lambda", region, "function:" + ":".join(parts))
        return f"{base}:{qualifier}" if qualifier else base

    def _pass_role(self, role: str, service: str, implied_by: str) -> Request:
        return Request(
            "iam:PassRole",
            role,
            {"iam:PassedToService": (f"{service}.amazonaws.com",)},
            implied_by=implied_by,
        )

    def _s3_object(self, bucket: str, key: str, implied_by: str) -> Request:
        return Request(
            "s3:GetObject", f"arn:{self.state.partition}:s3:::{bucket}/{key}", {}, implied_by
        )

    def _map_lambda(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        if "Resource" in params and op in ("TagResource", "UntagResource", "ListTags"):
            return [Request(f"lambda:{op}", params["Resource"])]
        if "FunctionName" not in params:
            return [Request(f"lambda:{op}", "*")]
        arn = self._function_arn(params["FunctionName"], region, params.get("Qualifier"))
        context = {}
        if op == "AddPermission" and "Principal" in params:
            context["lambda:Principal"] = (params["Principal"],)
        found = [Request(f"lambda:{op}", arn, context)]
        via = f"lambda:{op}"
        if op in ("CreateFunction", "UpdateFunctionConfiguration") and "Role" in params:
            found.append(self._pass_role(params["Role"], "lambda", via))
        code = params.get("Code", params) if op in ("CreateFunction", "UpdateFunctionCode") else {}
        if "S3Bucket" in code and "S3Key" in code:
            found.append(self._s3_object(code["S3Bucket"], code["S3Key"], via))
        return found

    def _map_s3(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        action = "s3:" + S3_ACTIONS.get(op, op)
        bucket = f"arn:{self.state.partition}:s3:::{params.get('Bucket', '*')}"
        if "Key" not in params:
            return [Request(action, bucket)]
        found = [Request(action, f"{bucket}/{params['Key']}")]
        source = params.get("CopySource")
        if op in ("CopyObject", "UploadPartCopy") and source:
            if isinstance(source, dict):
                source = f"{source['Bucket']}/{source['Key']}"
            found.append(self._s3_object(*str(source).lstrip("/").split("/", 1), f"s3:{op}"))
        return found

    def _map_cloudformation(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        name = params.get("StackName", "*")
        arn = (
            name
            if name.startswith("arn:")
            else self.arn("cloudformation", region, f"stack/{name}/*")
        )
        found = [Request(f"cloudformation:{op}", arn)]
        url = params.get("TemplateURL")
        if url:
            path = urllib.parse.urlparse(url).path.lstrip("/")
            found.append(self._s3_object(*path.split("/", 1), f"cloudformation:{op}"))
        if op in ("CreateStack", "UpdateStack", "DeleteStack"):
            found.extend(self._zappa_stack(op, name, params, region))
        return found

    def _zappa_stack(
        self, op: str, stack: str, params: dict[str, Any], region: str
    ) -> list[Request]:
        """What CloudFormation does with the caller's credentials for Zappa's API template."""
        via = f"cloudformation:{op} (Zappa's API Gateway template)"
        tags = _tags(params["Tags"]) if "Tags" in params else self.state.stack_tags.get(stack, {})
        api = self.state.stack_api.get(stack, NEW_ID)
        base = f"arn:{self.state.partition}:apigateway:{region}::"
        # The REST API exists (and carries the stack's tags) except for its own creation.
        old = self.state.stack_tags.get(stack, tags)
        held = _tag_context("aws:ResourceTag", old)
        sent = _tag_context("aws:RequestTag", tags)
        # An update untags only the keys the stack dropped (aws:TagKeys: those keys); when the
        # stack kept its tags, CloudFormation sends no DELETE on the tags path.
        dropped = tuple(sorted(set(old) - set(tags))) if op == "UpdateStack" else ()
        role = self.state.function_roles.get(stack) or (
            f"arn:{self.state.partition}:iam::{self.state.account_id}:role/{stack}-lambda"
        )
        found = []
        for _, action, path in cfn_calls.stack_paths(op):
            if path == "PassRole":
                found.append(self._pass_role(role, "apigateway", via))
                continue
            path = path.format(
                api=api,
                root="ROOT_ID",
                resource="RESOURCE_ID",
                tags=urllib.parse.quote(f"{base}/restapis/{api}", safe=""),
            )
            if path.startswith("/tags/") and action == "apigateway:DELETE":
                if dropped:
                    found.append(Request(action, f"{base}{path}", {"aws:TagKeys": dropped}, via))
                continue
            context = sent if path.startswith("/tags/") or path == "/restapis" else held
            found.append(Request(action, f"{base}{path}", context, via))
        return found

    def _map_apigateway(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        method, path = apigateway_path(op, params)
        context: dict[str, tuple[str, ...]] = {}
        owner = _owner(path)
        if owner is not None:
            context.update(_tag_context("aws:ResourceTag", self.state.resource_tags(owner)))
        sent = _tags(params.get("tags")) if isinstance(params.get("tags"), dict) else {}
        if sent:
            context.update(_tag_context("aws:RequestTag", sent))
        if op == "UntagResource" and params.get("tagKeys"):
            context["aws:TagKeys"] = tuple(params["tagKeys"])
        base = f"arn:{self.state.partition}:apigateway:{region}::"
        found = [Request(f"apigateway:{method}", f"{base}{path}", context)]
        collection = path.strip("/")
        if method == "POST" and sent and collection in APIGW_COLLECTIONS.values():
            # Creating with tags also tags the new resource: apigateway:PUT on its /tags path.
            new_id = (record.get("response") or {}).get("id") or NEW_ID
            arn = urllib.parse.quote(f"{base}/{collection}/{new_id}", safe="")
            found.append(
                Request(
                    "apigateway:PUT",
                    f"{base}/tags/{arn}",
                    _tag_context("aws:RequestTag", sent),
                    implied_by=f"apigateway:{op} (tags on create)",
                )
            )
        return found

    def _map_events(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        if op == "ListRuleNamesByTarget":
            return [Request("events:ListRuleNamesByTarget", "*")]
        rule = params.get("Rule") or params.get("Name") or "*"
        context = {}
        if op == "PutTargets":
            context["events:TargetArn"] = tuple(t["Arn"] for t in params.get("Targets", []))
        found = [Request(f"events:{op}", self.arn("events", region, f"rule/{rule}"), context)]
        if op == "PutRule" and "RoleArn" in params:
            found.append(self._pass_role(params["RoleArn"], "events", "events:PutRule"))
        return found

    def _map_secretsmanager(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        name = params.get("SecretId") or params.get("Name") or "*"
        missing = op == "CreateSecret" or record.get("error") == NOT_FOUND_ERROR
        if not name.startswith("arn:"):
            suffix = "" if missing else f"-{SECRET_ARN_SUFFIX}"
            name = self.arn("secretsmanager", region, f"secret:{name}{suffix}")
        context = {}
        if op == "CreateSecret" and "Tags" in params:
            context = _tag_context("aws:RequestTag", _tags(params["Tags"]))
        return [Request(f"secretsmanager:{op}", name, context)]

    def _map_cloudwatch(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        return [Request(f"cloudwatch:{op}", "*")]

    def _map_iam(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        if "RoleName" in params:
            role = (
                f"arn:{self.state.partition}:iam::{self.state.account_id}:role/{params['RoleName']}"
            )
            return [Request(f"iam:{op}", role)]
        return [Request(f"iam:{op}", "*")]

    def _map_logs(
        self, op: str, params: dict[str, Any], region: str, record: dict[str, Any]
    ) -> list[Request]:
        if "logGroupName" in params:
            return [
                Request(
                    f"logs:{op}", self.arn("logs", region, f"log-group:{params['logGroupName']}:*")
                )
            ]
        return [Request(f"logs:{op}", "*")]
