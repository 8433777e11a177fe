"""WSGI shims in front of moto's server for the gaps that Zappa's own commands and the load test's
capacity check hit (moto 5.2.5).

Each shim is named after the moto gap it closes. tests/rehearsal/local/test_shims.py checks,
against a plain moto app, that every gap still exists, and that the shimmed app closes it: when a
`test_gap_*` test fails after a moto upgrade, moto has caught up, so delete that shim and its
tests.
"""

import io
import json
import re
from urllib.parse import quote, unquote

from moto.apigateway.models import apigateway_backends
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import lambda_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from

# A plain GET of the returned Code.Location downloads that version's zip, like S3's presigned URL.
CODE_ROUTE = "/_local/lambda-code/"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_URL_CONFIGS = re.compile(r"^/2021-10-31/functions/(?P<name>[^/]+)/urls/?$")
_GET_FUNCTION = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/?$")
_QUALIFIED = re.compile(r"^function:(?P<name>[\w-]+):(?P<qualifier>[\w$-]+)$")
_ACCOUNT_SETTINGS = re.compile(r"^/2016-08-19/account-settings/?$")
_PROVISIONED = re.compile(r"^/2019-09-30/functions/(?P<name>[^/]+)/provisioned-concurrency/?$")
# The local account's concurrent executions (AWS's default quota is 1,000 per Region). Every
# local execution is a process on this machine, so the local account is small: the stage
# gateways of one process share this pool (rehearsal/gateway/account.py).
LOCAL_ACCOUNT_CONCURRENCY = 10
_API_KEY = re.compile(r"^/apikeys/(?P<key>[^/]+)/?$")
_CODE = re.compile(r"^/(?P<account>\d{12})/(?P<region>[\w-]+)/(?P<name>[\w-]+)/(?P<version>[^/]+)$")


def signature(environ: dict) -> tuple[str, str, str] | None:
    """(access key, region, service) from the SigV4 Authorization header, if signed."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.groups() if match else None


def account_of(environ: dict, access_key: str) -> str:
    """The account moto serves this request from (its own precedence: header, then access key)."""
    return environ.get("HTTP_X_MOTO_ACCOUNT_ID") or get_account_id_from(access_key)


def _json(start_response, status: str, body: dict, error_type: str | None = None):
    data = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(status, headers)
    return [data]


def _function_not_found(start_response, name: str):
    """Lambda's answer for a function that does not exist."""
    message = f"Function not found: {name}"
    return _json(
        start_response,
        "404 Not Found",
        {"Type": "User", "Message": message},
        "ResourceNotFoundException",
    )


def list_function_url_configs(environ, start_response, name: str, region: str, account: str):
    """Gap: moto has no route for ListFunctionUrlConfigs (404), which `zappa update` calls.

    Drop when moto routes GET /2021-10-31/functions/NAME/urls (test_gap_list_function_url_configs).
    """
    try:
        function = lambda_backends[account][region].get_function(name)
    except LambdaClientError:
        return _function_not_found(start_response, name)
    configs = [function.url_config.to_dict()] if function.url_config else []
    return _json(start_response, "200 OK", {"FunctionUrlConfigs": configs})


def account_settings(environ, start_response, region: str, account: str, limit: int):
    """Gap: moto has no GetAccountSettings (404). Answers the local account's concurrency limit
    and, as Lambda computes it, the unreserved pool: the limit minus every reservation.

    Drop when moto answers GetAccountSettings (test_gap_get_account_settings).
    """
    functions = lambda_backends[account][region].list_functions()
    reserved = sum(int(f.reserved_concurrency or 0) for f in functions)
    body = {
        "AccountLimit": {
            "TotalCodeSize": 80530636800,
            "CodeSizeUnzipped": 262144000,
            "CodeSizeZipped": 52428800,
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": max(0, limit - reserved),
        },
        "AccountUsage": {
            "TotalCodeSize": sum(len(f.code_bytes or b"") for f in functions),
            "FunctionCount": len(functions),
        },
    }
    return _json(start_response, "200 OK", body)


def provisioned_concurrency_configs(environ, start_response, name: str, region: str, account):
    """Gap: moto has no ListProvisionedConcurrencyConfigs (404). moto cannot configure
    provisioned concurrency either, so a function it has has none: an empty list.

    Drop when moto routes GET .../functions/NAME/provisioned-concurrency (test_gap_provisioned_...).
    """
    try:
        lambda_backends[account][region].get_function(name)
    except LambdaClientError:
        return _function_not_found(start_response, name)
    return _json(start_response, "200 OK", {"ProvisionedConcurrencyConfigs": []})


def qualified_function_name(environ: dict, name: str) -> None:
    """Gap: get_function with the partial ARN `function:NAME:VERSION` answers 500 (moto splits it
    into two parts, not three); `zappa rollback` sends exactly that. Rewrites it to NAME with a
    Qualifier, which is what Lambda means by it.

    Drop when moto answers get_function(FunctionName="function:NAME:1") (test_gap_qualified_...).
    """
    match = _QUALIFIED.match(unquote(name))
    if match:
        environ["PATH_INFO"] = f"/2015-03-31/functions/{match['name']}"
        environ["QUERY_STRING"] = f"Qualifier={quote(match['qualifier'])}"
        for key in ("REQUEST_URI", "RAW_URI"):
            if key in environ:
                environ[key] = f"{environ['PATH_INFO']}?{environ['QUERY_STRING']}"


def loopback_code_location(app, environ, start_response):
    """Gap: get_function's Code.Location names a real S3 host (awslambda-REGION-tasks.s3...), the
    same for every version, and `zappa rollback` downloads the old code with a plain GET of it.
    Points it at this server's CODE_ROUTE for the exact version asked for.

    Drop when moto serves a version's code at Code.Location (test_gap_code_location_...).
    """
    captured = {}

    def capture(status, headers, exc_info=None):
        captured.update(status=status, headers=headers)
        return lambda _data: None

    body = b"".join(app(environ, capture))
    if captured["status"].startswith("200"):
        answer = json.loads(body)
        code, config = answer.get("Code"), answer.get("Configuration", {})
        if code and code.get("RepositoryType") == "S3":
            code["Location"] = code_url(environ, config)
            body = json.dumps(answer).encode()
    headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
    start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
    return [body]


def code_url(environ: dict, config: dict) -> str:
    """The loopback URL of one version's zip, from the function ARN in the answer."""
    _arn, _aws, _lambda, region, account, _function, name, *_ = config["FunctionArn"].split(":")
    version = quote(config.get("Version", "$LATEST"), safe="")
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ['wsgi.url_scheme']}://{host}{CODE_ROUTE}{account}/{region}/{name}/{version}"


def serve_code(environ, start_response):
    """GET CODE_ROUTE/ACCOUNT/REGION/NAME/VERSION: that version's zip, as moto stored it."""
    match = _CODE.match(environ["PATH_INFO"][len(CODE_ROUTE) - 1 :])
    function = None
    if match and environ["REQUEST_METHOD"] in {"GET", "HEAD"}:
        version = unquote(match["version"])
        qualifier = None if version == "$LATEST" else version
        try:
            function = lambda_backends[match["account"]][match["region"]].get_function(
                match["name"], qualifier
            )
        except LambdaClientError:
            function = None
    if function is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return [b"not found"]
    data = function.code_bytes
    headers = [("Content-Type", "application/zip"), ("Content-Length", str(len(data)))]
    start_response("200 OK", headers)
    return [b"" if environ["REQUEST_METHOD"] == "HEAD" else data]


def api_key_stages(environ, start_response, app, key_id: str, region: str, account: str):
    """Gap: update_api_key supports only `replace` (moto's ApiKey.update_operations raises on
    anything else: 500), and `zappa deploy` with `api_key` set sends `add /stages` with
    "apiId/stage" to put its API stage on that key. Applies `add`/`remove` of /stages to the key's
    stageKeys and hands the other operations to moto.

    Drop when moto accepts op add on /stages (test_gap_update_api_key_add_stages).
    """
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size) if size else b""
    try:
        operations = json.loads(body or b"{}").get("patchOperations", [])
    except ValueError:
        operations = []
    staged = [op for op in operations if op.get("path") == "/stages" and op.get("op") != "replace"]
    if not staged:
        environ["wsgi.input"] = io.BytesIO(body)
        return app(environ, start_response)
    key = apigateway_backends[account][region].keys.get(key_id)
    if key is None:
        message = "Invalid API Key identifier specified"
        return _json(start_response, "404 Not Found", {"message": message}, "NotFoundException")
    for op in staged:
        if op["op"] == "add" and op["value"] not in key.stage_keys:
            key.stage_keys.append(op["value"])
        elif op["op"] == "remove" and op["value"] in key.stage_keys:
            key.stage_keys.remove(op["value"])
    key.update_operations([op for op in operations if op not in staged])
    answer = {name: value for name, value in key.to_json().items() if name != "value"}
    return _json(start_response, "200 OK", answer)


class ShimmedMoto:
    """moto's WSGI app, with the shims above in front of the few requests they concern."""

    def __init__(self, app, account_concurrency: int = LOCAL_ACCOUNT_CONCURRENCY):
        self.app = app
        self.account_concurrency = account_concurrency

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(CODE_ROUTE):
            return serve_code(environ, start_response)
        signed = signature(environ)
        if signed and signed[2] == "lambda" and environ["REQUEST_METHOD"] == "GET":
            access_key, region, _service = signed
            if match := _URL_CONFIGS.match(path):
                account = account_of(environ, access_key) or DEFAULT_ACCOUNT_ID
                name = unquote(match["name"])
                return list_function_url_configs(environ, start_response, name, region, account)
            if _ACCOUNT_SETTINGS.match(path):
                account = account_of(environ, access_key) or DEFAULT_ACCOUNT_ID
                return account_settings(
                    environ, start_response, region, account, self.account_concurrency
                )
            if match := _PROVISIONED.match(path):
                account = account_of(environ, access_key) or DEFAULT_ACCOUNT_ID
                name = unquote(match["name"])
                return provisioned_concurrency_configs(
                    environ, start_response, name, region, account
                )
            if match := _GET_FUNCTION.match(path):
                qualified_function_name(environ, match["name"])
                return loopback_code_location(self.app, environ, start_response)
        if signed and signed[2] == "apigateway" and environ["REQUEST_METHOD"] == "PATCH":
            access_key, region, _service = signed
            if match := _API_KEY.match(path):
                account = account_of(environ, access_key) or DEFAULT_ACCOUNT_ID
                key_id = unquote(match["key"])
                return api_key_stages(environ, start_response, self.app, key_id, region, account)
        return self.app(environ, start_response)
