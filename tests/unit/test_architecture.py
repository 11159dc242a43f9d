"""The layout holds: what every part agrees on lives once in `contracts`, only the settings
classes read the environment, the pure packages import nothing they should not, stacks stay
short enough to read like a diagram. Each test names the file and line that breaks a rule."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

import pytest

from contracts import alerts, bedrock_models, results_table, storage, voice_line
from tests.conftest import REPO

PRODUCT = ["app.py", "stacks", "cdk_constructs", "lambda_src", "voice_agent", "bench", "scripts"]
SETTINGS_MODULES = {
    "stacks/settings.py",  # the CDK app
    "lambda_src/qa_aws/settings.py",  # the Lambda functions
    "lambda_src/autoqa/settings.py",  # the local CLI
    "voice_agent/settings.py",  # the voice instance and a developer's machine
}
MAX_STACK_METHOD_LINES = 80


def modules(*roots: str) -> Iterator[tuple[str, ast.Module]]:
    for root in roots:
        path = REPO / root
        for file in [path] if path.suffix == ".py" else sorted(path.rglob("*.py")):
            relative = file.relative_to(REPO).as_posix()
            yield relative, ast.parse(file.read_text("utf-8"), relative)


def code_strings(tree: ast.Module) -> Iterator[ast.Constant]:
    """String constants that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node


# Values that must be written once, in `contracts`: changing one is a one-line change.
CONTRACT_VALUES = {
    "the results table's name": results_table.TABLE_NAME,
    "the agent index": results_table.AGENT_INDEX,
    "the flagged-calls index": results_table.FLAGGED_INDEX,
    "the recordings prefix": storage.RECORDINGS_PREFIX,
    "the transcripts prefix": storage.TRANSCRIPTS_PREFIX,
    "the results prefix": storage.RESULTS_PREFIX,
    "the metadata suffix": storage.METADATA_SUFFIX,
    "the default model": bedrock_models.CLAUDE_HAIKU_4_5,
    "the bot's agent id": voice_line.BOT_AGENT_ID,
    "the live escalation kind": alerts.LIVE_ESCALATION,
}
# Exact values (short ones that appear inside unrelated strings).
CONTRACT_WORDS = {
    "the Transcribe job prefix": storage.JOB_PREFIX,
    "the prompts prefix": storage.PROMPTS_PREFIX,
    **{f"the audio suffix {s}": s for s in storage.AUDIO_SUFFIXES if s not in (".wav", ".ogg")},
}


def contract_copies(sources: Iterable[tuple[str, ast.Module]]) -> list[str]:
    copies = []
    for name, tree in sources:
        if name.startswith("lambda_src/contracts/"):
            continue
        for node in code_strings(tree):
            for what, value in CONTRACT_VALUES.items():
                if value in node.value:
                    copies.append(f"{name}:{node.lineno}: {what} ({node.value[:60]!r})")
            for what, value in CONTRACT_WORDS.items():
                if node.value == value:
                    copies.append(f"{name}:{node.lineno}: {what} ({node.value!r})")
    return copies


def test_contract_values_are_written_once_in_the_contracts_module():
    copies = contract_copies(modules(*PRODUCT))
    assert not copies, "import these from contracts instead:\n" + "\n".join(copies)


def test_the_audio_formats_transcribe_reads_are_what_qa_accepts_everywhere():
    from autoqa import commands

    assert set(storage.AUDIO_SUFFIXES) == set(storage.AUDIO_FORMATS)
    assert set(storage.AUDIO_MEDIA_TYPES) == set(storage.AUDIO_FORMATS)  # the player plays each
    assert commands.AUDIO_SUFFIXES is storage.AUDIO_SUFFIXES
    for suffix in storage.AUDIO_SUFFIXES:
        key = storage.recording_key("agent-1", "call-1", suffix)
        assert storage.media_format(key) == storage.AUDIO_FORMATS[suffix]


def _reads_environment(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return text in ("os.environ", "os.getenv")


def environment_readers(sources: Iterable[tuple[str, ast.Module]]) -> list[str]:
    readers = []
    for name, tree in sources:
        if name in SETTINGS_MODULES:
            continue
        # Passing the environment on to a child process ({**os.environ, ...}) reads no setting.
        passed_on = {
            id(value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Dict)
            for key, value in zip(node.keys, node.values, strict=True)
            if key is None
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _reads_environment(node)
                and id(node) not in passed_on
            ):
                readers.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return readers


def test_only_the_settings_classes_read_the_environment():
    readers = environment_readers(modules(*PRODUCT))
    assert not readers, "read these through a settings class:\n" + "\n".join(readers)


def imports_of(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


# package -> the project's packages it may import (besides itself)
ALLOWED = {
    "contracts": set(),
    "qa_engine": {"contracts"},
    "speech": set(),
    "application": {"contracts", "qa_engine"},
    "dashboard": {"contracts"},
    "qa_aws": {"contracts", "qa_engine", "application", "dashboard"},
    "handlers": {"contracts", "qa_engine", "application", "qa_aws", "dashboard"},
    "autoqa": {"contracts", "qa_engine", "application", "speech", "dashboard"},
    "voice_agent": {"contracts", "qa_engine", "speech"},
    "cdk_constructs": {"contracts"},
    "stacks": {"contracts", "cdk_constructs"},
}
PROJECT = {*ALLOWED, "bench", "scripts", "samples", "tests", "app"}


def wrong_imports(package: str, sources: Iterable[tuple[str, ast.Module]]) -> list[str]:
    wrong = []
    for name, tree in sources:
        for line, module in imports_of(tree):
            top = module.split(".")[0]
            if top in PROJECT and top != package and top not in ALLOWED[package]:
                wrong.append(f"{name}:{line}: imports {module}")
    return wrong


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_layers_below_it(package):
    root = f"lambda_src/{package}" if (REPO / "lambda_src" / package).is_dir() else package
    wrong = wrong_imports(package, modules(root))
    assert not wrong, f"{package} may import only {sorted(ALLOWED[package])}:\n" + "\n".join(wrong)


def long_stack_methods(sources: Iterable[tuple[str, ast.Module]]) -> list[str]:
    long = []
    for name, tree in sources:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        lines = (item.end_lineno or item.lineno) - item.lineno + 1
                        if lines > MAX_STACK_METHOD_LINES:
                            long.append(f"{name}:{item.lineno}: {node.name}.{item.name}: {lines}")
    return long


def test_stack_methods_are_short_enough_to_read_like_a_diagram():
    long = long_stack_methods(modules("stacks"))
    assert not long, f"over {MAX_STACK_METHOD_LINES} lines:\n" + "\n".join(long)


def test_each_scan_reports_what_breaks_its_rule():
    """The scans are not blind: each finds its rule broken in a module written to break it."""
    body = "\n".join(f"    self.x{i} = {i}" for i in range(MAX_STACK_METHOD_LINES))
    bad = {
        "voice_agent/bad.py": (
            "import os\nfrom autoqa.cli import main\n"
            f"TABLE = {results_table.TABLE_NAME!r}\nPORT = os.environ.get('PORT')\n"
        ),
        "stacks/bad.py": f"class S:\n  def __init__(self):\n{body}\n",
    }
    sources = [(name, ast.parse(text)) for name, text in bad.items()]
    assert contract_copies(sources) == [
        f"voice_agent/bad.py:3: the results table's name ({results_table.TABLE_NAME!r})"
    ]
    assert environment_readers(sources) == ["voice_agent/bad.py:4: os.environ"]
    assert wrong_imports("voice_agent", sources[:1]) == ["voice_agent/bad.py:2: imports autoqa.cli"]
    assert long_stack_methods(sources[1:]) == [
        f"stacks/bad.py:2: S.__init__: {MAX_STACK_METHOD_LINES + 1}"
    ]
    assert len(list(modules(*PRODUCT))) > 100  # every product module is scanned


def test_the_import_table_in_the_docs_is_the_codes():
    from scripts import import_graph

    document = import_graph.DOC.read_text("utf-8")
    assert import_graph.refreshed(document) == document, "run `make import-graph`"
    for package in ALLOWED:
        assert import_graph.imports(package) <= ALLOWED[package]
