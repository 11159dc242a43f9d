"""What deploys a runtime and what the runtime reads agree, variable by variable: each Lambda
function's environment in the synthesized stacks against its settings class, and the voice
instance's rendered agent.env against the agent's. A variable set and never read, or read and
never set (unless `contracts.environment.OPTIONAL`), fails here, before a deploy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest

from contracts import environment as env
from contracts.bedrock_models import default_model_id
from contracts.results_table import (
    CALL_ID,
    DAY_INDEX,
    INCLUDE_ONLY,
    INDEXES,
    LIST_ATTRIBUTES,
    REVIEWS_TABLE_NAME,
    REVISION,
    TABLE_NAME,
)
from contracts.storage import RECORDINGS_PREFIX, recording_key
from contracts.voice_line import BOT_AGENT_ID
from qa_aws.settings import (
    AnalyzeSettings,
    DashboardSettings,
    HealthCheckSettings,
    StartQASettings,
)
from tests.infra.conftest import function_by_handler, resources
from tests.voice.test_deploy_configs import render_with
from voice_agent.settings import VoiceSettings


class Reads(Mapping[str, str]):
    """An environment that remembers which variables were looked up."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.seen: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.seen.add(name)
        return self.values[name]

    def get(self, name: str, default: object = None):  # type: ignore[override]
        self.seen.add(name)
        return self.values.get(name, default)

    def __contains__(self, name: object) -> bool:
        self.seen.add(str(name))
        return name in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def deployed(variables: dict[str, object]) -> dict[str, str]:
    """The values a deploy resolves; references (a table name, an ARN) become stand-ins."""
    return {k: v if isinstance(v, str) else f"resolved-{k.lower()}" for k, v in variables.items()}


def function_environment(template, handler: str) -> dict[str, str]:
    _, function = function_by_handler(template, handler)
    return deployed(function["Environment"]["Variables"])


def assert_agree(settings_class, variables: dict[str, str]) -> None:
    reads = Reads(variables)
    settings_class.from_env(reads)  # every variable it needs is set, and parses
    set_not_read = set(variables) - reads.seen - env.LIBRARY_VARIABLES - env.PLATFORM_VARIABLES
    read_not_set = reads.seen - set(variables) - env.PLATFORM_VARIABLES - env.OPTIONAL
    assert not set_not_read, f"set but never read by {settings_class.__name__}"
    assert not read_not_set, f"read by {settings_class.__name__} but never set"


@pytest.mark.parametrize(
    ("handler", "settings_class"),
    [
        ("handlers.start_qa.lambda_handler", StartQASettings),
        ("handlers.analyze_transcript.lambda_handler", AnalyzeSettings),
    ],
)
def test_each_qa_function_sets_what_its_settings_read(template, handler, settings_class):
    assert_agree(settings_class, function_environment(template, handler))


def test_the_dashboard_function_sets_what_its_settings_read(web_template):
    assert_agree(
        DashboardSettings,
        function_environment(web_template, "handlers.dashboard_api.lambda_handler"),
    )


def test_the_health_check_sets_what_its_settings_read(voice_template):
    assert_agree(
        HealthCheckSettings,
        function_environment(voice_template, "handlers.voice_health.lambda_handler"),
    )


def test_the_rendered_agent_env_is_what_the_agent_reads(tmp_path):
    out = render_with(tmp_path, "--hours", "06:00-23:00 Asia/Kolkata", "--support-phone", "+91 80")
    agent_env = dict(
        line.split("=", 1) for line in (out / "agent.env").read_text().splitlines() if line
    )
    assert_agree(VoiceSettings, agent_env)


def test_a_variable_nobody_reads_is_caught():
    with pytest.raises(AssertionError, match="set but never read"):
        assert_agree(HealthCheckSettings, {env.VOICE_HOSTNAME: "h", "VOICE_HOURS_TYPO": ""})
    with pytest.raises(AssertionError, match="never set"):
        assert_agree(HealthCheckSettings, {env.VOICE_HOSTNAME: "h"})


# --- one place for each: the stacks take these from the contracts ----------------------------


def _tables(template) -> dict[str, dict]:
    return {
        t["Properties"]["TableName"]: t["Properties"]
        for t in resources(template, "AWS::DynamoDB::Table").values()
    }


def test_the_tables_and_indexes_are_the_contracts(template):
    tables = _tables(template)
    assert set(tables) == {TABLE_NAME, REVIEWS_TABLE_NAME}
    props = tables[TABLE_NAME]
    indexes = {
        gsi["IndexName"]: tuple(k["AttributeName"] for k in gsi["KeySchema"])
        for gsi in props["GlobalSecondaryIndexes"]
    }
    assert indexes == INDEXES
    reviews = tables[REVIEWS_TABLE_NAME]
    assert reviews["KeySchema"] == [
        {"AttributeName": CALL_ID, "KeyType": "HASH"},
        {"AttributeName": REVISION, "KeyType": "RANGE"},
    ]
    types = {a["AttributeName"]: a["AttributeType"] for a in reviews["AttributeDefinitions"]}
    assert types == {CALL_ID: "S", REVISION: "N"}


def test_each_index_carries_what_the_contracts_say(template):
    """The list index carries only a row of the calls table (a page reads fewer bytes); the
    others every attribute."""
    props = _tables(template)[TABLE_NAME]
    projections = {gsi["IndexName"]: gsi["Projection"] for gsi in props["GlobalSecondaryIndexes"]}
    assert projections[DAY_INDEX] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": list(LIST_ATTRIBUTES),
    }
    assert INCLUDE_ONLY == {DAY_INDEX: LIST_ATTRIBUTES}
    for index in set(INDEXES) - set(INCLUDE_ONLY):
        assert projections[index] == {"ProjectionType": "ALL"}, index


def test_the_judge_and_the_bot_use_the_contracts_default_model(template, voice_template):
    model = default_model_id("ap-south-1")
    analyze = function_environment(template, "handlers.analyze_transcript.lambda_handler")
    assert analyze[env.MODEL_ID] == model
    assert f"--model-id '{model}'" in str(voice_template.to_json())


def test_recordings_land_where_qa_listens(template, voice_template):
    from voice_agent.tokens import room_request

    settings = VoiceSettings(
        livekit_url="wss://x", livekit_api_key="k", livekit_api_secret="s", region="ap-south-1",
        recordings_bucket="bucket",
    )  # fmt: skip
    egress = room_request(settings, "call-0123456789ab").egress.room.file_outputs[0]
    assert egress.filepath == recording_key(BOT_AGENT_ID, "call-0123456789ab")
    assert egress.filepath.startswith(RECORDINGS_PREFIX)
    notifications = str(template.to_json())
    assert f"'Name': 'prefix', 'Value': '{RECORDINGS_PREFIX}'" in notifications
    assert f"/{RECORDINGS_PREFIX}*" in str(voice_template.to_json())  # the instance may write
