"""What the team pieces cost per action, against the local emulators (kmock, moto server).

Prints, as medians over N rounds: a Kubernetes Lease taken + released, a DynamoDB lock
taken + released, an Event posted, one audit record delivered to the S3 sink, and the
time to read back a sink of M records cold (every object fetched) and warm (only listed).

    python benchmarks/team.py [--rounds N] [--records M]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.actions.records import Operator, make_record  # noqa: E402
from console.actions.sink_s3 import S3Sink  # noqa: E402
from console.actions.spec import ActionSpec, Outcome, Risk, Target  # noqa: E402
from console.config import AwsConfig, Config  # noqa: E402

SPEC = ActionSpec(verb="scale", targets=(), risk=Risk.HIGH, execute=lambda t, timeout: None, summary="scale")


def median_ms(fn, rounds: int) -> float:
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def kube_figures(rounds: int, tmp: Path) -> list[tuple[str, float]]:
    from console.backends.kube_client import make_api_client
    from console.backends.kube_events import record_action
    from console.backends.kube_http import KubeHttp
    from console.backends.kube_lease import KubeLeaseLocks
    from console.config import KubernetesConfig
    from console.sandbox.kube import start_kube_emulator

    emu = start_kube_emulator(seed=False)
    try:
        kubeconfig = emu.write_kubeconfig(tmp / "kubeconfig")
        config = Config(kubernetes=KubernetesConfig(kubeconfig=str(kubeconfig), context="sandbox-dev"))
        http = KubeHttp(make_api_client(config), 10.0)
        locks = KubeLeaseLocks(lambda: http)

        def lease(i: int) -> None:
            target = Target("deployment", f"web-{i}", "kubernetes", "sandbox-dev", "shop")
            locks.release(locks.acquire(target, "bench@host", "bench", str(uuid.uuid4()), 30, verb="scale"))

        def event(i: int) -> None:
            target = Target("deployment", "web", "kubernetes", "sandbox-dev", "shop")
            record_action(http, target, "scale", True, "bench", "host", timeout=10.0)

        return [("kubernetes lease take+release", median_ms(lease, rounds)), ("kubernetes event", median_ms(event, rounds))]
    finally:
        emu.stop()


def aws_figures(rounds: int, records: int) -> list[tuple[str, float]]:
    import boto3
    from moto.server import ThreadedMotoServer

    from console.backends.aws import AwsBackend
    from console.backends.aws_locks import DynamoDbLocks

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")  # moto accepts any credentials
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x")
        ddb.create_table(TableName="locks", KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                     aws_secret_access_key="x").create_bucket(Bucket="team")
        backend = AwsBackend(Config(aws=AwsConfig(endpoint_url=url, region="us-east-1")))
        locks = DynamoDbLocks(lambda: backend.client("dynamodb"), "locks")
        sink = S3Sink(backend, "team", "audit/")
        operator = Operator("bench", "host")

        def dynamo(i: int) -> None:
            target = Target("ecs service", f"svc-{i}", "aws", "acct", "us-east-1")
            locks.release(locks.acquire(target, "bench@host", "bench", str(uuid.uuid4()), 30, verb="scale"))

        def deliver(i: int) -> None:
            target = Target("deployment", f"svc-{i}", "kubernetes", "prod", "shop")
            sink.deliver(make_record(SPEC, target, Outcome.SUCCEEDED, operator=operator, action_id=str(uuid.uuid4())))

        figures = [("dynamodb lock take+release", median_ms(dynamo, rounds)),
                   ("s3 sink deliver one record", median_ms(deliver, rounds))]
        for i in range(rounds, records):
            deliver(i)
        started = time.perf_counter()
        got, _ = sink.read()
        cold = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        sink.read()
        warm = (time.perf_counter() - started) * 1000
        figures += [(f"s3 sink read {len(got)} records cold", cold), (f"s3 sink read {len(got)} records warm", warm)]
        return figures
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--records", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = kube_figures(args.rounds, Path(tmp)) + aws_figures(args.rounds, max(args.records, args.rounds))
    for name, ms in figures:
        print(f"{name:<40} {ms:9.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
