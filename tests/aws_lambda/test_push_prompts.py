"""`make push-prompts` uploads a rubric the functions can load, and refuses one they cannot."""

from __future__ import annotations

import shutil

from scripts.push_prompts import main
from tests.aws_lambda.conftest import CONFIG
from tests.conftest import REPO


def test_push_uploads_the_folder_and_prints_the_rubric_version(account, tmp_path, capsys):
    folder = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts", folder)
    (folder / "judge_prompt.md").write_text(
        (folder / "judge_prompt.md").read_text() + "\nBe strict about safety.\n"
    )
    assert main(["--bucket", CONFIG, "--prompts", str(folder)]) == 0
    body = account.s3.get_object(Bucket=CONFIG, Key="prompts/judge_prompt.md")["Body"].read()
    assert body.endswith(b"Be strict about safety.\n")
    assert "uploaded rubric v1-" in capsys.readouterr().out


def test_an_invalid_rubric_is_not_uploaded(account, tmp_path, capsys):
    folder = tmp_path / "prompts"
    shutil.copytree(REPO / "prompts", folder)
    text = (folder / "rubric.yaml").read_text().replace("SAFETY_INSTRUCTIONS_MISSED", "OOPS")
    (folder / "rubric.yaml").write_text(text)
    before = account.s3.get_object(Bucket=CONFIG, Key="prompts/rubric.yaml")["ETag"]
    assert main(["--bucket", CONFIG, "--prompts", str(folder)]) == 1
    assert "flags must be exactly" in capsys.readouterr().err
    assert account.s3.get_object(Bucket=CONFIG, Key="prompts/rubric.yaml")["ETag"] == before
