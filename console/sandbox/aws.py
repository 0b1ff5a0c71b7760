"""The AWS sandbox: moto in server mode on 127.0.0.1, seeded with a small, realistic estate.

``start_aws_emulator(seed=True)`` is what ``opsconsole --sandbox`` uses; the tests seed the
session's moto server with ``seed_aws(url)``. The estate: EC2 instances (one stopped) with
volumes, unattached volumes, an unassociated Elastic IP, old snapshots, an ECS cluster,
CodePipeline pipelines with histories (one failing), CodeBuild projects with builds and
their CloudWatch log streams, and ~45 days of daily Cost Explorer results.

moto cannot age resources or fail a pipeline through its API, so the seed adjusts the
emulator's own records in-process afterwards (timestamps and execution outcomes only).
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3

from console.backends.aws_costs import DEFAULT_TAG_KEY, cost_queries

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
MOTO_IMAGE = "ami-12c6146b"  # one of the images moto ships (listing them all is slow)
COST_DAYS = 45
SERVICES = {  # service -> (daily base USD, tag value)
    "Amazon Elastic Compute Cloud - Compute": (41.0, "web"),
    "Amazon Relational Database Service": (23.5, "data"),
    "Amazon Simple Storage Service": (6.2, "data"),
    "Amazon Elastic Container Service": (9.8, "web"),
    "AWS Lambda": (1.4, "api"),
    "Amazon CloudWatch": (2.1, "platform"),
}
LINKED_ACCOUNTS = {"123456789012": 0.7, "210987654321": 0.3}


def _trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


@dataclass
class AwsEmulator:
    url: str
    region: str
    _server: Any

    def stop(self) -> None:
        self._server.stop()


def start_aws_emulator(seed: bool = True, now: datetime | None = None) -> AwsEmulator:
    """A moto server on a free loopback port, seeded when ``seed`` (ages relative to ``now``)."""
    from moto.server import ThreadedMotoServer

    # moto answers unimplemented operations with HTTP 500 and logs a traceback each time;
    # the adapter handles those answers, so keep the terminal clean.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    emulator = AwsEmulator(url=f"http://{host}:{port}", region=REGION, _server=server)
    if seed:
        try:
            seed_aws(emulator.url, now=now)
        except BaseException:
            server.stop()
            raise
    return emulator


def _client(url: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=url, region_name=REGION,
                        aws_access_key_id="sandbox", aws_secret_access_key="sandbox")


def seed_aws(url: str, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    seed_ec2(url, now)
    _client(url, "ecs").create_cluster(clusterName="shop-prod")
    seed_pipelines(url, now)
    seed_builds(url, now)
    inject_costs(url, now.date())


def _moto_time(now: datetime | None) -> datetime:
    """moto keeps naive UTC datetimes."""
    return (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)


# -- EC2 ------------------------------------------------------------------------------------
def seed_ec2(url: str, now: datetime | None = None) -> None:
    ec2 = _client(url, "ec2")
    image = MOTO_IMAGE

    def tags(kind: str, name: str, **extra: str) -> list[dict]:
        pairs = [{"Key": "Name", "Value": name}, *({"Key": k, "Value": v} for k, v in extra.items())]
        return [{"ResourceType": kind, "Tags": pairs}]

    running = []
    for name in ("web-1", "web-2"):
        inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.medium",
                                 TagSpecifications=tags("instance", name, team="web"))["Instances"][0]
        running.append(inst["InstanceId"])
    batch = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large",
                              TagSpecifications=tags("instance", "batch-worker", team="data"))["Instances"][0]
    ec2.stop_instances(InstanceIds=[batch["InstanceId"]])
    extra = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=200, VolumeType="gp3",
                              TagSpecifications=tags("volume", "batch-scratch"))
    ec2.attach_volume(VolumeId=extra["VolumeId"], InstanceId=batch["InstanceId"], Device="/dev/sdf")
    for name, size, kind in (("old-data", 100, "gp2"), ("logs-archive", 500, "st1"), ("tmp-build", 20, "gp3")):
        ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=size, VolumeType=kind,
                          TagSpecifications=tags("volume", name))
    ec2.allocate_address(Domain="vpc", TagSpecifications=tags("elastic-ip", "legacy-nat"))
    used = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=used["AllocationId"], InstanceId=running[0])
    source = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=50, VolumeType="gp2",
                               TagSpecifications=tags("volume", "db-backup-source"))
    ages = {"db-2023-backup": 400, "db-weekly": 120, "db-yesterday": 1}
    for name in ages:
        ec2.create_snapshot(VolumeId=source["VolumeId"], TagSpecifications=tags("snapshot", name))
    ec2.attach_volume(VolumeId=source["VolumeId"], InstanceId=running[1], Device="/dev/sdg")
    ages.update({"old-data": 210, "logs-archive": 95, "tmp-build": 3, "batch-scratch": 60, "db-backup-source": 400})
    _set_ages(ages, _moto_time(now))


def _set_ages(ages: dict[str, int], now: datetime) -> None:
    """Backdate snapshots and volumes by their Name tag (moto stamps them with the wall clock)."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[ACCOUNT][REGION]

    def name_of(resource_id: str) -> str:
        return next((t["value"] for t in backend.describe_tags(filters={"resource-id": [resource_id]})
                     if t["key"] == "Name"), "")

    for snap in backend.snapshots.values():
        if name_of(snap.id) in ages:
            snap.start_time = now - timedelta(days=ages[name_of(snap.id)])
    for volume in backend.volumes.values():
        if name_of(volume.id) in ages:
            volume.create_time = now - timedelta(days=ages[name_of(volume.id)])


# -- CodePipeline ----------------------------------------------------------------------------
def _action(name: str, category: str, provider: str, config: dict, inputs=(), outputs=()) -> dict:
    owner = "ThirdParty" if provider == "GitHub" else "AWS"
    return {"name": name, "actionTypeId": {"category": category, "owner": owner, "provider": provider, "version": "1"},
            "configuration": config, "inputArtifacts": [{"name": i} for i in inputs],
            "outputArtifacts": [{"name": o} for o in outputs]}


PIPELINES = {  # name -> (has approval, outcomes oldest → newest)
    "web-deploy": (True, "SSSFSSSSF"),
    "api-deploy": (False, "SSSSSSSS"),
    "nightly-etl": (False, "SFSSS"),
}


def seed_pipelines(url: str, now: datetime | None = None) -> None:
    iam, cp = _client(url, "iam"), _client(url, "codepipeline")
    role = iam.create_role(RoleName="sandbox-pipelines", AssumeRolePolicyDocument=_trust("codepipeline.amazonaws.com"))["Role"]["Arn"]
    for name, (approval, _) in PIPELINES.items():
        stages = [
            {"name": "Source", "actions": [_action("Source", "Source", "S3",
                                                   {"S3Bucket": "sandbox-src", "S3ObjectKey": f"{name}.zip"},
                                                   outputs=["src"])]},
            {"name": "Build", "actions": [_action("Build", "Build", "CodeBuild", {"ProjectName": name.split("-")[0] + "-build"},
                                                  inputs=["src"], outputs=["out"])]},
        ]
        if approval:
            stages.append({"name": "Approve", "actions": [_action("ManualApproval", "Approval", "Manual", {})]})
        stages.append({"name": "Deploy", "actions": [_action("Deploy", "Deploy", "ECS",
                                                             {"ClusterName": "shop-prod", "ServiceName": name},
                                                             inputs=["out"])]})
        cp.create_pipeline(pipeline={"name": name, "roleArn": role, "stages": stages,
                                     "artifactStore": {"type": "S3", "location": "sandbox-artifacts"}})
        for _ in PIPELINES[name][1]:
            cp.start_pipeline_execution(name=name)
    _shape_executions(_moto_time(now))


def _shape_executions(now: datetime) -> None:
    """Spread executions over the past days and fail some (moto succeeds every one)."""
    from moto.codepipeline.models import codepipeline_backends

    backend = codepipeline_backends[ACCOUNT][REGION]
    rng = random.Random(7)
    for p_index, (name, (_, outcomes)) in enumerate(PIPELINES.items()):
        executions = list(backend.pipelines[name].executions.values())  # oldest first
        for i, (execution, outcome) in enumerate(zip(executions, outcomes, strict=True)):
            # each pipeline on its own rhythm: a believable history, not identical columns
            minutes_ago = (len(executions) - 1 - i) * (17 + 5 * p_index) * 60 + 25 + 41 * p_index + rng.randint(0, 30)
            execution.start_time = now - timedelta(minutes=minutes_ago)
            execution.last_update_time = execution.start_time + timedelta(seconds=rng.randint(170, 840))
            if outcome == "F":
                execution.status = "Failed"
                execution.status_summary = "Deploy: ECS service web-deploy did not stabilize (2/3 tasks unhealthy)"
            _answer_with_source(execution, rng)


COMMITS = ("fix: retry payment webhook on 502", "feat: cart totals in the header", "chore: bump base image",
           "perf: cache product lookups", "fix: checkout timeout under load", "docs: runbook for rollbacks")
AUTHORS = ("ana", "bo", "chen", "dmitri", "eve")


def _answer_with_source(execution, rng: random.Random) -> None:
    """moto answers every execution as "StartPipelineExecution" with no source revision;
    real pipelines mostly run on a push: give each a commit and a trigger."""
    commit = "".join(rng.choice("0123456789abcdef") for _ in range(40))
    message = rng.choice(COMMITS)
    webhook = rng.random() < 0.8
    extra = {
        "sourceRevisions": [{"actionName": "Source", "revisionId": commit, "revisionSummary": message}],
        "trigger": {"triggerType": "Webhook" if webhook else "StartPipelineExecution",
                    "triggerDetail": f"push by {rng.choice(AUTHORS)}" if webhook else rng.choice(AUTHORS)},
    }
    plain_summary, plain_dict = execution.to_summary_dict, execution.to_dict
    execution.to_summary_dict = lambda: {**plain_summary(), **extra}
    execution.to_dict = lambda: {**plain_dict(), **extra,
                                 "artifactRevisions": [{"name": "src", "revisionId": commit,
                                                        "revisionSummary": message}]}


# -- CodeBuild and its logs ---------------------------------------------------------------------
BUILD_LOG = [
    "[Container] Entering phase INSTALL", "[Container] Running command pip install -r requirements.txt",
    "Successfully installed 42 packages", "[Container] Entering phase BUILD", "[Container] Running command make test",
    "collected 318 items", "318 passed in 41.2s", "[Container] Entering phase POST_BUILD",
    "[Container] Running command docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/{project}:latest",
    "latest: digest: sha256:4f3c… size: 2204", "[Container] Phase complete: POST_BUILD State: SUCCEEDED",
]


def seed_builds(url: str, now: datetime | None = None) -> None:
    iam, cb, logs = _client(url, "iam"), _client(url, "codebuild"), _client(url, "logs")
    role = iam.create_role(RoleName="sandbox-builds", AssumeRolePolicyDocument=_trust("codebuild.amazonaws.com"))["Role"]["Arn"]
    for project, runs in (("web-build", 4), ("api-build", 3), ("nightly-build", 2)):
        cb.create_project(name=project, description=f"builds {project.split('-')[0]}",
                          source={"type": "GITHUB", "location": f"https://github.com/example/{project}.git"},
                          artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role,
                          environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                                       "computeType": "BUILD_GENERAL1_SMALL"})
        group = f"/aws/codebuild/{project}"
        logs.create_log_group(logGroupName=group)
        for _ in range(runs):
            build_id = cb.start_build(projectName=project)["build"]["id"]
            stream = build_id.partition(":")[2]
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            base = int(datetime.now(UTC).timestamp() * 1000)  # CloudWatch refuses events older than 14 days
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
                {"timestamp": base + i * 1000, "message": line.format(project=project)}
                for i, line in enumerate(BUILD_LOG)])
    _shape_builds(_moto_time(now))


BUILD_PHASES = ("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD",
                "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED")


def build_phases(started: datetime, seed: str) -> tuple[list[dict], datetime]:
    """Finished phases back to back from ``started``; their durations sum to the build's."""
    from moto.core.utils import iso_8601_datetime_with_milliseconds as iso

    rng = random.Random(seed)
    phases, at = [], started
    for name in BUILD_PHASES:
        seconds = 0 if name in ("SUBMITTED", "COMPLETED") else rng.randint(2, 20) if name != "BUILD" else rng.randint(60, 150)
        end = at + timedelta(seconds=seconds)
        phase = {"phaseType": name, "phaseStatus": "SUCCEEDED", "startTime": iso(at)}
        if name != "COMPLETED":
            phase.update(endTime=iso(end), durationInSeconds=seconds)
        phases.append(phase)
        at = end
    return phases, at


def commit_of(seed: str) -> str:
    """A believable 40-hex commit, the same for the same seed (one generator for the whole id)."""
    rng = random.Random(seed)
    return "".join(rng.choice("0123456789abcdef") for _ in range(40))


def _shape_builds(now: datetime) -> None:
    """Spread builds over the past hours (moto stamps them with the wall clock) as finished
    builds whose phases add up to the build's duration, and answer them as seeded: moto
    invents new phase durations and end times on every batch_get_builds, which no real
    CodeBuild does for a finished build."""
    from moto.codebuild.models import codebuild_backends
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    backend = codebuild_backends[ACCOUNT][REGION]
    finished: dict[str, dict] = {}
    for builds in backend.build_metadata_history.values():
        for i, build in enumerate(builds):
            started = now - timedelta(hours=6 * (len(builds) - i), minutes=7)
            phases, ended = build_phases(started, build["id"])
            build.update(startTime=iso_8601_datetime_with_milliseconds(started), phases=phases,
                         endTime=iso_8601_datetime_with_milliseconds(ended), currentPhase="COMPLETED",
                         buildStatus="SUCCEEDED", initiator=f"codepipeline/{build['projectName'].split('-')[0]}-deploy",
                         sourceVersion=commit_of(build["id"]))
            finished[build["id"]] = build
    answer_live = getattr(backend, "_sandbox_live_batch_get_builds", backend.batch_get_builds)

    def batch_get_builds(ids: list[str]) -> list[dict]:
        live = answer_live([i for i in ids if i not in finished]) if any(i not in finished for i in ids) else []
        return [finished[i] for i in ids if i in finished] + live

    backend._sandbox_live_batch_get_builds = answer_live
    backend.batch_get_builds = batch_get_builds


# -- Cost Explorer ---------------------------------------------------------------------------
def _money(amount: float) -> dict:
    return {"UnblendedCost": {"Amount": f"{amount:.4f}", "Unit": "USD"}}


def daily_amount(service: str, day: date) -> float:
    """Deterministic daily spend: weekday rhythm, slow growth, and a recent EC2 jump."""
    base, _ = SERVICES[service]
    rng = random.Random(f"{service}{day.isoformat()}")
    weekday = 0.8 if day.weekday() >= 5 else 1.0
    growth = 1 + (day.toordinal() % 97) / 400
    spike = 1.6 if service.endswith("Compute") and day.day % 9 in (0, 1) else 1.0
    return round(base * weekday * growth * spike * rng.uniform(0.92, 1.08), 4)


def cost_results(today: date, days: int = COST_DAYS, tag_key: str = DEFAULT_TAG_KEY) -> list[dict]:
    """One get_cost_and_usage answer per query of ``cost_queries``, in the same order."""
    results = []
    for name, params in cost_queries(today, days, tag_key):
        start = date.fromisoformat(params["TimePeriod"]["Start"])
        end = date.fromisoformat(params["TimePeriod"]["End"])
        periods = _periods(start, end, params["Granularity"])
        by_time = []
        for p_start, p_end in periods:
            days_in = [p_start + timedelta(days=i) for i in range((p_end - p_start).days)]
            per_service = {s: sum(daily_amount(s, d) for d in days_in) for s in SERVICES}
            groups = _groups(name, per_service, tag_key)
            by_time.append({"TimePeriod": {"Start": p_start.isoformat(), "End": p_end.isoformat()},
                            "Total": {}, "Groups": groups, "Estimated": p_end > today})
        results.append({"ResultsByTime": by_time, "DimensionValueAttributes": [],
                        "GroupDefinitions": params["GroupBy"]})
    return results


def _periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    if granularity == "DAILY":
        return [(start + timedelta(days=i), start + timedelta(days=i + 1)) for i in range((end - start).days)]
    out, cur = [], start
    while cur < end:
        nxt = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append((cur, min(nxt, end)))
        cur = nxt
    return out


def _groups(query: str, per_service: dict[str, float], tag_key: str) -> list[dict]:
    total = sum(per_service.values())
    if query.endswith("by_service"):
        return [{"Keys": [s], "Metrics": _money(a)} for s, a in per_service.items()]
    if query == "mtd_by_record_type":
        return [{"Keys": ["Usage"], "Metrics": _money(total)},
                {"Keys": ["Credit"], "Metrics": _money(-round(total * 0.1, 2))},
                {"Keys": ["Tax"], "Metrics": _money(round(total * 0.08, 2))},
                {"Keys": ["Refund"], "Metrics": _money(-12.5)}]
    if query == "mtd_by_account":
        return [{"Keys": [acct], "Metrics": _money(total * share)} for acct, share in LINKED_ACCOUNTS.items()]
    teams: dict[str, float] = {}
    for service, amount in per_service.items():
        team = SERVICES[service][1] if service != "Amazon CloudWatch" else ""
        teams[team] = teams.get(team, 0.0) + amount
    return [{"Keys": [f"{tag_key}${team}"], "Metrics": _money(a)} for team, a in teams.items()]


def inject_costs(url: str, today: date, days: int = COST_DAYS, tag_key: str = DEFAULT_TAG_KEY) -> None:
    import urllib.request

    payload = json.dumps({"results": cost_results(today, days, tag_key)}).encode()
    req = urllib.request.Request(url + "/moto-api/static/ce/cost-and-usage-results", data=payload, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - the loopback emulator (may be busy)
        resp.read()
