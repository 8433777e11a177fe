"""API Gateway REST proxy integration (payload v1): an HTTP request becomes the event Lambda gets,
and the function's answer becomes the HTTP response, with API Gateway's rules for both."""

import base64
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path and query, as on the request line
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class MalformedResponse(Exception):
    """The function's answer is not a proxy response (API Gateway: 502)."""


def split_stage(target: str, stage: str) -> tuple[str, str] | None:
    """(path inside the stage, query) for /STAGE or /STAGE/..., else None."""
    parts = urlsplit(target)
    prefix = f"/{stage}"
    if parts.path == prefix:
        return "/", parts.query
    if parts.path.startswith(prefix + "/"):
        return parts.path[len(prefix) :], parts.query
    return None


def _single_and_multi(pairs: list[tuple[str, str]]) -> tuple[dict | None, dict | None]:
    """API Gateway's two views: the last value per name, and every value in order."""
    if not pairs:
        return None, None
    single, multi = {}, {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def request_event(
    request: HttpRequest, stage: str, path: str, query: str, identity: dict, context: dict
) -> dict:
    """The proxy event for the `/` or `/{proxy+}` resource Zappa creates (ANY method).

    identity: apiKey and apiKeyId; context: apiId, accountId, requestId, domainName.
    """
    resource = "/" if path == "/" else "/{proxy+}"
    host = context["domainName"]
    port = host.rsplit(":", 1)[1] if ":" in host else "80"
    pairs = [*request.headers]
    pairs += [("X-Forwarded-For", request.source_ip), ("X-Forwarded-Proto", "http")]
    pairs += [("X-Forwarded-Port", port)]
    headers, multi_headers = _single_and_multi(pairs)
    query_single, query_multi = _single_and_multi(parse_qsl(query, keep_blank_values=True))
    body, encoded = None, False
    if request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(request.body).decode(), True
    now = time.time()
    user_agent = headers.get("User-Agent") if headers else None
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query_single,
        "multiValueQueryStringParameters": query_multi,
        "pathParameters": None if path == "/" else {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": context["accountId"],
            "apiId": context["apiId"],
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": context["requestId"],
            "requestId": context["requestId"],
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": user_agent,
                "apiKey": identity["apiKey"],
                "apiKeyId": identity["apiKeyId"],
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "user": None,
                "userArn": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "principalOrgId": None,
            },
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def new_request_id() -> str:
    return str(uuid.uuid4())


def proxy_response(result) -> HttpResponse:
    """statusCode, headers and multiValueHeaders (merged; multi wins per name), body (base64
    decoded when isBase64Encoded), as API Gateway maps a proxy integration's answer."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int | str):
        raise MalformedResponse("the answer has no statusCode")
    try:
        status = int(result["statusCode"])
    except ValueError:
        raise MalformedResponse(f"statusCode {result['statusCode']!r} is not a number") from None
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers and multiValueHeaders must be objects")
    overridden = {str(name).lower() for name in multi}
    headers = [(str(k), str(v)) for k, v in single.items() if str(k).lower() not in overridden]
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders[{name!r}] is not a list")
        headers += [(str(name), str(value)) for value in values]
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except ValueError:
            raise MalformedResponse("isBase64Encoded but the body is not base64") from None
    else:
        data = body.encode("utf-8")
    return HttpResponse(status=status, headers=headers, body=data)
