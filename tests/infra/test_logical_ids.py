"""Resources that keep state, or whose name running work holds, keep their logical ids: a
refactor that moves one into another construct would make CloudFormation replace it (a new,
empty table or bucket; a new Transcribe role that jobs queued under the old ARN cannot use;
a new Elastic IP the page does not know). Each id here is one a deployment already has."""

from __future__ import annotations

import pytest

from tests.infra.conftest import resources

KEPT = {
    "QaPipelineStack": {
        "RecordingsBucketB0C8199F": "AWS::S3::Bucket",
        "TranscriptsBucket790D2BE6": "AWS::S3::Bucket",
        "ConfigBucketF2111528": "AWS::S3::Bucket",
        "AccessLogsBucketCD784A59": "AWS::S3::Bucket",
        "ResultsTable7B2FF7F9": "AWS::DynamoDB::Table",
        "ReviewsTable854B2DAD": "AWS::DynamoDB::Table",
        "AlertsTopicCF7C81C9": "AWS::SNS::Topic",
        "AlertsKey9E1197AF": "AWS::KMS::Key",
        "OpsTopicCA671FE6": "AWS::SNS::Topic",
        "OpsKeyD2AEB59B": "AWS::KMS::Key",
        "TranscribeDataAccess53A1D952": "AWS::IAM::Role",
        "StartQAQueue135FF0C1": "AWS::SQS::Queue",
        "AnalyzeQueueABE66CC3": "AWS::SQS::Queue",
        "StartQAQueueDeadLetters0D2C1BD6": "AWS::SQS::Queue",
        "AnalyzeQueueDeadLetters6CFA0B25": "AWS::SQS::Queue",
    },
    "VoiceStack": {
        "LiveKitKeysB98A46BB": "AWS::SecretsManager::Secret",
        "StateBucket77825682": "AWS::S3::Bucket",
        "HostAddressC2F21A6C": "AWS::EC2::EIP",
    },
    "WebStack": {
        "SiteContentBucket42D9BD94": "AWS::S3::Bucket",
        "SiteDistribution390DED28": "AWS::CloudFront::Distribution",
        "PageOriginB68BFF96": "AWS::SSM::Parameter",
        # The supervisors, their passwords and MFA devices; the group's members.
        "DashboardAuthUsers2E85DBE8": "AWS::Cognito::UserPool",
        "DashboardAuthSupervisorsE114ECDB": "AWS::Cognito::UserPoolGroup",
    },
}


@pytest.mark.parametrize("stack", sorted(KEPT))
def test_stateful_resources_keep_their_logical_ids(stack, template, voice_template, web_template):
    synthesized = {
        "QaPipelineStack": template,
        "VoiceStack": voice_template,
        "WebStack": web_template,
    }[stack]
    found = {
        logical_id: kind
        for kind in set(KEPT[stack].values())
        for logical_id in resources(synthesized, kind)
    }
    missing = {k: v for k, v in KEPT[stack].items() if found.get(k) != v}
    assert not missing, f"{stack} would replace these on deploy: {missing}"
