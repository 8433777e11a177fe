"""Deploy a stage into the local endpoint the way Zappa and `ops usage-plan` leave it (a function,
a REST API with the stage, a usage plan and keys), and call it over HTTP with a timeout."""

import contextlib
import io
import itertools
import subprocess
import textwrap
import zipfile

import boto3
import requests
from zappa.core import Zappa

import project
from rehearsal.local_aws import local_client

TIMEOUT = 30  # seconds, for every HTTP call a test makes


@contextlib.contextmanager
def serving(command: list[str], **popen):
    """A serving CLI (`python -m rehearsal ...`) in a subprocess, killed if the test fails first."""
    process = subprocess.Popen(
        command, cwd=project.ROOT, stdout=subprocess.PIPE, text=True, **popen
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=TIMEOUT)


def stopped(process: subprocess.Popen, signum: int) -> str:
    """Signal a serving CLI; it must exit 0 within TIMEOUT. Returns the rest of its output."""
    process.send_signal(signum)
    output, _ = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, output
    return output


numbers = itertools.count(1)

# A small function that shows what it received, and misbehaves on request.
ECHO_HANDLER = textwrap.dedent(
    """
    import base64, json, os, sys, time

    VERSION = "{version}"


    def lambda_handler(event, context):
        path = event["path"]
        query = event["queryStringParameters"] or {{}}
        if path == "/sleep":
            time.sleep(float(query.get("seconds", "1")))
        elif path == "/raise":
            raise RuntimeError("boom")
        elif path == "/exit":
            os._exit(3)
        elif path == "/malformed":
            return {{"body": "no statusCode"}}
        elif path == "/binary":
            body = base64.b64encode(bytes(range(256))).decode()
            return {{"statusCode": 200, "isBase64Encoded": True, "body": body,
                    "headers": {{"Content-Type": "application/octet-stream"}}}}
        elif path == "/cookies":
            return {{"statusCode": 201, "body": "",
                    "headers": {{"X-Single": "one", "Set-Cookie": "hidden=1"}},
                    "multiValueHeaders": {{"Set-Cookie": ["a=1", "b=2"]}}}}
        elif path == "/boto3":
            import boto3
            return {{"statusCode": 200, "body": boto3.__file__}}
        answer = {{
            "version": VERSION,
            "pid": os.getpid(),
            "event": event,
            "env": {{name: os.environ.get(name) for name in
                    ("GREETING", "AWS_LAMBDA_FUNCTION_NAME", "AWS_ENDPOINT_URL", "HOME")}},
            "context": {{
                "function_name": context.function_name,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "remaining_ms": context.get_remaining_time_in_millis(),
                "aws_request_id": context.aws_request_id,
            }},
            "sys_path": sys.path,
            "flags": {{"isolated": sys.flags.isolated, "no_site": sys.flags.no_site}},
        }}
        return {{"statusCode": 200, "headers": {{"Content-Type": "application/json"}},
                "body": json.dumps(answer)}}
    """
)


def echo_zip(version: str = "v1") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", ECHO_HANDLER.format(version=version))
    return buffer.getvalue()


class Stage:
    """One stage deployed into the endpoint: function, REST API + stage, usage plan, keys."""

    def __init__(self, endpoint: str, role_arn: str, name: str):
        self.endpoint, self.name = endpoint, name
        self.function = project.function_name(name)
        self.lam = local_client("lambda", endpoint)
        self.apigw = local_client("apigateway", endpoint)
        self.role_arn = role_arn
        self.api_id: str | None = None
        self.plan_id: str | None = None

    def deploy(self, code: bytes, environment=None, timeout: int = 10, memory: int = 256):
        self.lam.create_function(
            FunctionName=self.function,
            Runtime="python3.13",
            Role=self.role_arn,
            Handler="handler.lambda_handler",
            Code={"ZipFile": code},
            Timeout=timeout,
            MemorySize=memory,
            Environment={"Variables": environment or {}},
            Publish=True,
        )
        self.api_id = self.rest_api(self.function, self.name)
        return self

    def rest_api(self, api_name: str, stage: str) -> str:
        """A REST API with an ANY method and a deployed stage (what Zappa's stack holds)."""
        api_id = self.apigw.create_rest_api(name=api_name)["id"]
        root = self.apigw.get_resources(restApiId=api_id)["items"][0]["id"]
        self.apigw.put_method(
            restApiId=api_id,
            resourceId=root,
            httpMethod="ANY",
            authorizationType="NONE",
            apiKeyRequired=True,
        )
        self.apigw.put_integration(
            restApiId=api_id,
            resourceId=root,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{api_name}/invocations",
        )
        self.apigw.create_deployment(restApiId=api_id, stageName=stage)
        return api_id

    def plan(self, rate=None, burst=None, quota=None, period="DAY", api_stages=None) -> str:
        kwargs = {}
        if rate is not None:
            kwargs["throttle"] = {"rateLimit": rate, "burstLimit": burst}
        if quota is not None:
            kwargs["quota"] = {"limit": quota, "period": period}
        stages = api_stages or [{"apiId": self.api_id, "stage": self.name}]
        plan = self.apigw.create_usage_plan(name=self.function, apiStages=stages, **kwargs)
        self.plan_id = plan["id"]
        return plan["id"]

    def key(self, plan_id: str | None = None, enabled: bool = True) -> tuple[str, str]:
        """(key id, value), in plan_id (default: the stage's plan) unless plan_id is ''."""
        key = self.apigw.create_api_key(name=f"{self.function}-{next(numbers)}", enabled=enabled)
        plan_id = self.plan_id if plan_id is None else plan_id
        if plan_id:
            self.apigw.create_usage_plan_key(
                usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY"
            )
        return key["id"], key["value"]


def call(method: str, url: str, key: str | None = None, **kwargs) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["x-api-key"] = key
    return requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)


def stats(base_url: str) -> dict:
    return requests.get(base_url.rsplit("/", 1)[0] + "/_local/stats", timeout=TIMEOUT).json()


def zappa_core(endpoint: str) -> Zappa:
    """Zappa's own core, bound to the local endpoint (what `zappa rollback` runs)."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return Zappa(
        boto_session=session,
        aws_region="us-east-1",
        runtime="python3.13",
        endpoint_urls={"lambda": endpoint},
    )
