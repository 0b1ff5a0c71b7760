"""Full CodePipeline state (what real AWS answers and moto lacks), from a local HTTP double.

``PipelineDouble`` is a tiny HTTP server on 127.0.0.1 that speaks the CodePipeline JSON
protocol for one pipeline ("checkout") with a failed Deploy stage and a waiting manual
approval, answers STS GetCallerIdentity and an empty CodeBuild, and records every
mutating request. botocore talks real HTTP to it; nothing is monkeypatched.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from console.backends.aws import AwsBackend
from console.config import AwsConfig, Config

NOW = time.time()
STS_OK = ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
          "<Arn>arn:aws:iam::111122223333:user/ops</Arn><UserId>AID</UserId><Account>111122223333</Account>"
          "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
          "</GetCallerIdentityResponse>")


def _action(name, category, provider):
    return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
            "runOrder": 1, "configuration": {}, "inputArtifacts": [], "outputArtifacts": []}


PIPELINE = {"name": "checkout", "roleArn": "arn:aws:iam::111122223333:role/cp", "version": 3,
            "artifactStore": {"type": "S3", "location": "artifacts"},
            "stages": [{"name": "Source", "actions": [_action("Src", "Source", "CodeStarSourceConnection")]},
                       {"name": "Approve", "actions": [_action("Gate", "Approval", "Manual")]},
                       {"name": "Deploy", "actions": [_action("Ecs", "Deploy", "ECS")]}]}
EXECUTION = "11111111-2222-3333-4444-555555555555"
STATE = {"pipelineName": "checkout", "pipelineVersion": 3, "stageStates": [
    {"stageName": "Source", "latestExecution": {"pipelineExecutionId": EXECUTION, "status": "Succeeded"},
     "actionStates": [{"actionName": "Src", "latestExecution": {"status": "Succeeded"}}]},
    {"stageName": "Approve", "latestExecution": {"pipelineExecutionId": EXECUTION, "status": "InProgress"},
     "actionStates": [{"actionName": "Gate", "latestExecution": {"status": "InProgress", "token": "tok-123"}}]},
    {"stageName": "Deploy", "latestExecution": {"pipelineExecutionId": EXECUTION, "status": "Failed"},
     "actionStates": [{"actionName": "Ecs", "latestExecution": {
         "status": "Failed", "errorDetails": {"code": "JobFailed", "message": "service checkout did not stabilize"},
         "externalExecutionUrl": "https://console.aws.amazon.com/ecs/checkout"}}]},
]}
SUMMARIES = [{"pipelineExecutionId": EXECUTION, "status": "Failed", "startTime": NOW - 900, "lastUpdateTime": NOW - 300,
              "trigger": {"triggerType": "Webhook", "triggerDetail": "push"},
              "sourceRevisions": [{"actionName": "Src", "revisionId": "a1b2c3d4e5f6a7b8",
                                   "revisionSummary": json.dumps({"ProviderType": "GitHub",
                                                                  "CommitMessage": "Fix cart totals"})}]}]
ANSWERS = {
    "ListPipelines": {"pipelines": [{"name": "checkout", "version": 3}]},
    "GetPipeline": {"pipeline": PIPELINE},
    "ListPipelineExecutions": {"pipelineExecutionSummaries": SUMMARIES},
    "GetPipelineState": STATE,
    "PutApprovalResult": {"approvedAt": NOW},
    "RetryStageExecution": {"pipelineExecutionId": EXECUTION},
    "StopPipelineExecution": {"pipelineExecutionId": EXECUTION},
    "StartPipelineExecution": {"pipelineExecutionId": "99999999-0000-0000-0000-000000000000"},
    "ListProjects": {"projects": []},
}


class PipelineDouble:
    """Stateful for the mutations the console verifies: a retry resumes the execution, a
    stop makes it Stopping (abandon: Stopped), an approval answer stops the approval waiting."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.answers = copy.deepcopy(ANSWERS)
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                target = self.headers.get("X-Amz-Target", "")
                if not target:  # query protocol (STS)
                    action = parse_qs(raw).get("Action", [""])[0]
                    double.requests.append((action, {}))
                    self._send(200, STS_OK.encode(), "text/xml")
                    return
                op = target.rpartition(".")[2]
                body = json.loads(raw or "{}")
                double.requests.append((op, body))
                double.apply(op, body)
                if op in double.answers:
                    self._send(200, json.dumps(double.answers[op]).encode(), "application/x-amz-json-1.1")
                else:
                    body = json.dumps({"__type": "UnknownOperationException", "message": op}).encode()
                    self._send(400, body, "application/x-amz-json-1.1")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def apply(self, op: str, body: dict) -> None:
        summary = self.answers["ListPipelineExecutions"]["pipelineExecutionSummaries"][0]
        stages = {st["stageName"]: st for st in self.answers["GetPipelineState"]["stageStates"]}
        if op == "RetryStageExecution":
            summary["status"] = "InProgress"
            stages[body.get("stageName", "")]["latestExecution"]["status"] = "InProgress"
        elif op == "StopPipelineExecution":
            summary["status"] = "Stopped" if body.get("abandon") else "Stopping"
        elif op == "PutApprovalResult":
            approved = (body.get("result") or {}).get("status") == "Approved"
            for action in stages[body.get("stageName", "")]["actionStates"]:
                if action["actionName"] == body.get("actionName"):
                    action["latestExecution"] = {"status": "Succeeded" if approved else "Failed"}

    def calls(self, op: str) -> list[dict]:
        return [body for name, body in self.requests if name == op]

    def __enter__(self) -> PipelineDouble:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def double(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with PipelineDouble() as d:
        yield d


def test_stage_states_failed_action_and_approval(double):
    backend = AwsBackend(Config(aws=AwsConfig(region="eu-west-1", endpoint_url=double.url)))
    assert backend.connect().identity.startswith("111122223333")
    view = backend.pipelines_view()
    assert view.degraded == ""
    p = view.pipelines[0]
    assert p.state_source == "state"
    assert [(s.name, s.status) for s in p.stages] == [("Source", "Succeeded"), ("Approve", "InProgress"),
                                                      ("Deploy", "Failed")]
    assert p.failed_stage.name == "Deploy"
    failed = p.failed_stage.failed_action
    assert failed.error == "service checkout did not stabilize"
    assert failed.external_url == "https://console.aws.amazon.com/ecs/checkout"
    gate = p.stages[1].pending_approval
    assert gate.name == "Gate" and gate.approval_token == "tok-123"
    last = p.last_execution
    assert last.trigger == "Webhook" and last.source_revision == "a1b2c3d4e5f6"
    assert last.commit_message == "Fix cart totals"
    assert last.duration.total_seconds() == pytest.approx(600, abs=1)


def test_approval_and_retry_send_what_the_operator_said(double):
    backend = AwsBackend(Config(aws=AwsConfig(region="eu-west-1", endpoint_url=double.url)))
    backend.put_approval_result("checkout", "Approve", "Gate", "tok-123", approved=False,
                                summary="INC-7 rollback first", timeout=5)
    sent = double.calls("PutApprovalResult")[0]
    assert sent["result"] == {"summary": "INC-7 rollback first", "status": "Rejected"}
    assert sent["token"] == "tok-123"
    backend.retry_stage_execution("checkout", "Deploy", EXECUTION, timeout=5)
    assert double.calls("RetryStageExecution")[0]["retryMode"] == "FAILED_ACTIONS"
    backend.stop_pipeline_execution("checkout", EXECUTION, abandon=True, reason="INC-7", timeout=5)
    assert double.calls("StopPipelineExecution")[0]["abandon"] is True
