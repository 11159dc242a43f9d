"""A Python Lambda function whose code is bundled on this machine, without Docker.

The bundler installs the pinned requirements as manylinux2014 wheels for the function's
architecture (`pip --platform ... --only-binary=:all: --no-deps`) and copies the named source
packages beside them. The requirements' hash is in the bundling environment, so the asset
hash changes whenever a dependency does.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, DockerImage, Duration, ILocalBundling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_constructs.nag import acknowledge

PYTHON_VERSION = "3.11"
RUNTIME = lambda_.Runtime.PYTHON_3_11
ARCHITECTURE = lambda_.Architecture.ARM_64
_PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    def __init__(self, *, source_dir: Path, packages: list[str], requirements: Path, arch: str):
        self.source_dir = source_dir
        self.packages = packages
        self.requirements = requirements
        self.platform = _PLATFORMS[arch]

    def try_bundle(self, output_dir: str, *_args, **_options) -> bool:
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--only-binary=:all:", "--implementation", "cp",
                "--python-version", PYTHON_VERSION, "--platform", self.platform,
                "--target", output_dir, "-r", str(self.requirements),
            ],
            check=True,
        )  # fmt: skip
        for package in self.packages:
            shutil.copytree(
                self.source_dir / package,
                Path(output_dir) / package,
                ignore=_IGNORED,
                dirs_exist_ok=True,
            )
        # Lambda's file system is read-only: ship bytecode, hash-checked so zip times don't matter.
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-f", "--invalidation-mode",
             "unchecked-hash", output_dir],
            check=True,
        )  # fmt: skip
        return True


def requirements_hash(requirements: Path) -> str:
    return hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]


class PythonFunction(Construct):
    """`handler` is `module.function`; `packages` are folders of `source_dir` to ship."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_dir: Path,
        packages: list[str],
        requirements: Path,
        handler: str,
        environment: dict[str, str],
        memory_size: int = 512,
        timeout: Duration | None = None,
        description: str = "",
    ) -> None:
        super().__init__(scope, construct_id)
        arch = ARCHITECTURE.name
        bundler = LocalPipBundling(
            source_dir=source_dir, packages=packages, requirements=requirements, arch=arch
        )
        code = lambda_.Code.from_asset(
            str(source_dir),
            exclude=["*", *(f"!{p}" for p in packages), *(f"!{p}/**" for p in packages)],
            bundling=BundlingOptions(
                image=DockerImage.from_registry("unused-bundled-locally"),
                local=bundler,
                command=["false"],  # never run: local bundling always succeeds or raises
                environment={"REQUIREMENTS_HASH": requirements_hash(requirements)},
            ),
        )
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.THREE_MONTHS)
        # Its own role, writing to its own log group only (no AWS managed policy).
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=code,
            memory_size=memory_size,
            timeout=timeout or Duration.seconds(60),
            environment=environment,
            description=description,
            log_group=self.log_group,
            role=self.role,
        )
        acknowledge(
            self,
            "L1",
            f"Python {PYTHON_VERSION} is the project's pinned runtime, the same locally and in "
            "Lambda",
        )
        self.errors_alarm = cloudwatch.Alarm(
            self,
            "ErrorsAlarm",
            alarm_description=f"{construct_id}: the function failed (unhandled errors or timeouts)",
            metric=self.function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
