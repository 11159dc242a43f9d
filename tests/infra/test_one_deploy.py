"""One `cdk deploy --all`: the stacks depend one way only, and nothing WebStack does can reach
the voice line's instance (which would replace it)."""

from __future__ import annotations

import json

from app import build_app
from tests.infra.conftest import cdk_context, resources, synth

ORDER = ["QaPipelineStack", "VoiceStack", "WebStack"]


def _imports(template: dict) -> set[str]:
    """The stacks whose exports a template imports (export names start `<Stack>:`)."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Fn::ImportValue":
                    found.add(json.dumps(value).strip('"').split(":")[0])
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(template)
    return found


def test_the_stacks_depend_one_way_so_one_run_deploys_them_in_order():
    assembly = build_app(cdk_context()).synth()
    stacks = {s.stack_name: s for s in assembly.stacks}
    assert set(stacks) == set(ORDER)
    for position, name in enumerate(ORDER):
        depends_on = {d.id for d in stacks[name].dependencies if not d.id.endswith(".assets")}
        imports = _imports(stacks[name].template)
        earlier = set(ORDER[:position])
        # Each stack reads only stacks deployed before it: no stack waits for a later one.
        assert depends_on <= earlier, (name, depends_on)
        assert imports <= earlier, (name, imports)
    assert _imports(stacks["VoiceStack"].template) == {"QaPipelineStack"}
    assert "WebStack" not in json.dumps(stacks["VoiceStack"].template)


def test_no_page_build_changes_anything_of_the_voice_line(tmp_path):
    built = tmp_path / "dist"
    built.mkdir()
    (built / "index.html").write_text("<!doctype html><title>Battery Smart</title>")
    (built / "assets").mkdir()
    (built / "assets" / "app-1234.js").write_text("console.log('v2')")
    variants = [
        cdk_context(**{"web:dist_dir": str(tmp_path / "nothing-built")}),
        cdk_context(**{"web:dist_dir": str(built)}),
    ]
    voice = [synth(context, "VoiceStack")[1].to_json() for context in variants]
    assert voice[0] == voice[1]
    web = [synth(context, "WebStack")[1].to_json() for context in variants]
    assert web[0] != web[1]  # the page did change


def test_the_support_phone_is_the_one_page_setting_the_line_shares():
    """Callers hear the number the page shows: the bot says it when no supervisor can be
    reached, so changing it redeploys the instance too."""
    context = cdk_context(**{"web:support_phone": "+91 80 4567 8900"})
    (instance,) = resources(synth(context, "VoiceStack")[1], "AWS::EC2::Instance").values()
    assert "--support-phone '+91 80 4567 8900'" in json.dumps(instance["Properties"]["UserData"])
    assert synth(context, "WebStack")[0].page_config["supportPhone"] == "+91 80 4567 8900"


def test_the_instance_learns_the_page_at_run_time_not_from_its_user_data(voice_template):
    (instance,) = resources(voice_template, "AWS::EC2::Instance").values()
    user_data = json.dumps(instance["Properties"]["UserData"])
    assert "--web-origin-parameter '/battery-smart/voice/web-origin'" in user_data
    assert "cloudfront" not in user_data.lower()


def test_the_page_writes_its_origin_where_the_line_reads_it(web_template):
    (parameter,) = resources(web_template, "AWS::SSM::Parameter").values()
    props = parameter["Properties"]
    assert props["Name"] == "/battery-smart/voice/web-origin"
    assert "DomainName" in json.dumps(props["Value"])  # https://<distribution domain>


def test_switching_certificate_or_domain_keeps_every_export_the_page_may_import():
    """CloudFormation refuses to remove or change an export another stack imports."""
    variants = [
        {},
        {"voice:certificate": "sslip-zerossl", "voice:acme_email": "ops@example.com"},
        {"voice:domain": "voice.batterysmart.example"},
    ]
    exports = []
    for variant in variants:
        outputs = synth(cdk_context(**variant), "VoiceStack")[1].to_json()["Outputs"]
        exports.append(
            {
                json.dumps(o["Export"]["Name"]): json.dumps(o["Value"])
                for o in outputs.values()
                if "Export" in o
            }
        )
    assert exports[0] and exports[0] == exports[1] == exports[2]
    # Whatever the page imports under any of these settings is among those exports.
    for variant in variants:
        web = synth(cdk_context(**variant), "WebStack")[1].to_json()
        imported = set()

        def walk(node, found=imported):
            if isinstance(node, dict):
                if "Fn::ImportValue" in node:
                    found.add(json.dumps(node["Fn::ImportValue"]))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(web)
        from_voice = {name for name in imported if name.startswith('"VoiceStack:')}
        assert from_voice <= set(exports[0]), (variant, from_voice)
