"""AWS adapter: one boto3 session (profile, region, optional endpoint), typed errors.

The services live in mixins (aws_pipelines, aws_costs, aws_waste); they reach AWS only
through ``self.call`` / ``self.pages``, so every SDK error is translated here, once, by
error code and HTTP status (never by message text).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from console import clock as wall_clock
from console.backends.aws_costs import CostsMixin
from console.backends.aws_credentials import bounded_session
from console.backends.aws_pipelines import PipelinesMixin
from console.backends.aws_waste import WasteMixin
from console.backends.base import BackendInfo
from console.config import Config
from console.errors import (
    Conflict,
    Denied,
    InvalidInput,
    LoginRequired,
    NotFound,
    OpsError,
    Throttled,
    TimedOut,
    Unavailable,
    Unconfigured,
)

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.ecs_deploy import EcsDeployBackend

DENIED_CODES = frozenset({
    "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "AccessDenied",
    "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnauthorizedOperation",
    "AuthFailure", "InvalidAccessKeyId", "RequestExpired",
})
THROTTLED_CODES = frozenset({
    "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
    "LimitExceededException", "ProvisionedThroughputExceededException",
})
CONFLICT_CODES = frozenset({
    "IncorrectState", "InvalidStateException", "ConflictException", "StageNotRetryableException",
    "VolumeInUse", "InvalidVolume.InUse", "InvalidAddress.Locked", "InvalidSnapshot.InUse",
    "PipelineExecutionNotStoppableException", "ApprovalAlreadyCompletedException",
    "InvalidApprovalTokenException", "StageNotFoundException", "InvalidIPAddress.InUse",
    "PreconditionFailed", "ConditionalRequestConflict",  # S3 conditional writes (IfNoneMatch='*')
    "ResourceAlreadyExistsException",  # CloudWatch Logs: the stream exists already
})
NOT_IMPLEMENTED_CODES = frozenset({"NotImplemented", "NotImplementedException", "UnsupportedOperation", "501"})


def is_not_implemented(exc: BaseException) -> bool:
    """The endpoint does not implement the operation (e.g. moto's get_pipeline_state).

    Decided on the answer's code and HTTP status: 501, a "NotImplemented" code, or an
    HTTP 500 whose body was not an AWS error document (botocore then reports the status
    itself as the code). A real AWS ``InternalFailure`` carries its own code and is not
    taken for "not implemented".
    """
    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in NOT_IMPLEMENTED_CODES or status == 501 or (status == 500 and code == "500")


def translate(exc: BaseException, call: str, profile: str | None = None) -> OpsError:
    """One SDK exception → one typed error naming the call (and the profile, for SSO)."""
    if isinstance(exc, OpsError):
        return exc
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        body = f"{code}: {err.get('Message') or 'no message'}" if code else str(exc)
        if code in DENIED_CODES:
            hint = " (credentials expired: refresh them, e.g. `aws sso login`)" if "Expired" in code else ""
            return Denied(body + hint, source=call)
        if code in THROTTLED_CODES:
            return Throttled(body + " (AWS is rate-limiting; retrying with backoff)", source=call)
        if code in CONFLICT_CODES:
            return Conflict(body, source=call)
        if code.endswith(("NotFound", "NotFoundException")) or code.startswith("ResourceNotFound") \
                or code.endswith(".NotFound") or status == 404:
            return NotFound(body, source=call)
        if is_not_implemented(exc):
            return Unavailable(f"this endpoint does not implement {call} (HTTP {status})",
                               title="Not supported", source=call)
        if code in ("ValidationException", "InvalidParameterValue", "InvalidParameterCombination") \
                or (status is not None and 400 <= status < 500):
            return InvalidInput(body, source=call)
        return Unavailable(f"{body} (HTTP {status})", source=call)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return Unconfigured("no AWS credentials found (profile, environment or SSO)", source=call)
    if isinstance(exc, NoRegionError):
        return Unconfigured("no AWS region set (config aws.region, --region or AWS_REGION)", source=call)
    if isinstance(exc, ProfileNotFound):
        return Unconfigured(f"AWS profile not found: {exc.kwargs.get('profile', '?')}", source=call)
    if isinstance(exc, (TokenRetrievalError, SSOTokenLoadError, UnauthorizedSSOTokenError)):
        where = f"AWS profile {profile!r}" if profile else "the AWS SSO profile"
        login = f"aws sso login --profile {profile}" if profile else "aws sso login"
        return LoginRequired(f"{where} has no valid SSO login (never logged in, or the session expired): "
                             f"run `{login}`, then r to retry", source=call)
    if isinstance(exc, ReadTimeoutError):
        return TimedOut(f"no answer in time from {exc.kwargs.get('endpoint_url', 'AWS')}", source=call)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError)):
        return Unavailable(f"cannot reach {exc.kwargs.get('endpoint_url', 'the AWS endpoint')}", source=call)
    if isinstance(exc, ParamValidationError):
        return InvalidInput(str(exc), source=call)
    if isinstance(exc, BotoCoreError):
        return Unavailable(f"{type(exc).__name__}: {exc}", source=call)
    return Unavailable(f"{type(exc).__name__}: {exc}", source=call)


class AwsBackend(PipelinesMixin, CostsMixin, WasteMixin):
    """Sync adapter; call from worker threads. Clients are cached per service and timeout."""

    MUTATIONS = frozenset({
        "start_pipeline_execution", "retry_stage_execution", "stop_pipeline_execution",
        "put_approval_result", "start_build", "stop_build",
        "snapshot_and_delete_volume", "release_address", "delete_snapshot",
    })

    generation = 0  # Services' switch count when this was created (see console.services)

    def __init__(self, config: Config, clock: Callable[[], datetime] | None = None, parallel: int = 6) -> None:
        self.config = config
        self._ecs: EcsDeployBackend | None = None
        self.parallel = max(1, parallel)  # concurrent reads per refresh (boto3 clients are thread-safe)
        self.profile = config.aws.profile
        self.clock = clock or (lambda: datetime.fromtimestamp(wall_clock.now(), UTC))
        self._session: Any = None
        self._clients: dict[tuple[str, float], Any] = {}
        self._lock = threading.Lock()
        self.unsupported: set[str] = set()  # "service.operation" the endpoint does not implement
        self.account = ""
        CostsMixin.__init__(self)
        PipelinesMixin.__init__(self)

    # -- parts on the same session (profile, region, account) ----------------------------
    @property
    def ecs(self) -> EcsDeployBackend:
        """ECS services, deploys and rollbacks through this session."""
        from console.backends.ecs_deploy import EcsDeployBackend

        with self._lock:
            if self._ecs is None:
                self._ecs = EcsDeployBackend(self.config, aws=self)
            return self._ecs

    @property
    def pipelines(self) -> PipelinesMixin:
        return self

    @property
    def costs(self) -> CostsMixin:
        return self

    @property
    def waste(self) -> WasteMixin:
        return self

    # -- session and clients -------------------------------------------------------------
    @property
    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                try:  # credentials resolved now, with a deadline (a helper may wait for a prompt)
                    self._session = bounded_session(self.profile, self.config.aws.region,
                                                    float(self.config.aws.timeout))
                except Exception as exc:  # noqa: BLE001 - ProfileNotFound and friends, translated
                    raise translate(exc, "aws.session") from exc
            return self._session

    @property
    def region(self) -> str:
        return self.session.region_name or ""

    def client(self, service: str, timeout: float | None = None) -> Any:
        timeout = float(timeout or self.config.aws.timeout)
        key = (service, timeout)
        session = self.session
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                cfg = BotoConfig(connect_timeout=min(5.0, timeout), read_timeout=timeout,
                                 retries={"max_attempts": 2, "mode": "standard"})
                try:
                    client = session.client(service, endpoint_url=self.config.aws.endpoint_url, config=cfg)
                except Exception as exc:  # noqa: BLE001 - translated once
                    raise translate(exc, f"{service}.client", self.profile or "default") from exc
                self._clients[key] = client
            return client

    def call(self, service: str, operation: str, *, timeout: float | None = None, **params: Any) -> dict:
        """Invoke one API operation; raises typed errors only."""
        name = f"{service}.{operation}"
        try:
            method = getattr(self.client(service, timeout), operation)
            response = method(**params)
        except OpsError:
            raise
        except Exception as exc:  # noqa: BLE001 - every SDK failure is translated here, once
            if is_not_implemented(exc):
                self.unsupported.add(name)
            raise translate(exc, name, self.profile or "default") from exc
        response.pop("ResponseMetadata", None)
        return response

    def pages(self, service: str, operation: str, key: str, **params: Any) -> Iterator[dict]:
        """Items under ``key`` across every page of a paginated operation."""
        name = f"{service}.{operation}"
        try:
            paginator = self.client(service).get_paginator(operation)
            for page in paginator.paginate(**params):
                yield from page.get(key, [])
        except OpsError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated once
            raise translate(exc, name, self.profile or "default") from exc

    # -- identity --------------------------------------------------------------------------
    def connect(self) -> BackendInfo:
        if not self.session.region_name:
            raise Unconfigured("no AWS region set (config aws.region, --region or AWS_REGION)", source="aws.connect")
        ident = self.call("sts", "get_caller_identity")
        self.account = ident.get("Account", "")
        profile = self.profile or "default"
        extra = {"account": self.account, "profile": profile, "region": self.region}
        if self.config.aws.endpoint_url:
            extra["endpoint"] = self.config.aws.endpoint_url
        return BackendInfo(
            name="aws",
            target=f"{profile}/{self.region}",
            version="",
            identity=f"{self.account} {ident.get('Arn', '')}".strip(),
            production=self.config.is_production_profile(self.profile),
            extra=extra,
        )

    def available_profiles(self) -> tuple[str, ...]:
        """Profiles from the AWS config and credentials files (what boto3 resolves)."""
        try:
            return tuple(sorted(boto3.Session().available_profiles))
        except Exception as exc:  # noqa: BLE001 - translated once
            raise translate(exc, "aws.profiles") from exc

    def available_regions(self) -> tuple[str, ...]:
        try:
            return tuple(self.session.get_available_regions("ec2")) or (self.region,)
        except Exception as exc:  # noqa: BLE001 - translated once
            raise translate(exc, "aws.regions") from exc

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
