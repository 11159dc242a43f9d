"""The local transcriber on the held-out calls of bench/heldout/: verdicts, WER, speed.

Each held-out recording is transcribed (decode, crosstalk gate, faster-whisper on both
channels) and scored with the rules judge; a recording counts as exact when its violation
flags and risk flag are the labelled ones. Word error rate is per recording, over both
channels, against the dialogue text (lowercased, punctuation stripped). For each recording the
report lists, turn by turn, what was spoken and what the transcript says in that time span.

    python -m bench.transcription [--model PATH_OR_NAME] [--only ID...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda_src"))

from autoqa.transcriber import WhisperTranscriber  # noqa: E402
from qa_engine.pipeline import Scorer  # noqa: E402
from qa_engine.rubric import load_rubric_dir  # noqa: E402
from qa_engine.rules_judge import RulesJudge  # noqa: E402

HELDOUT = REPO / "bench" / "heldout"
_NOT_WORD = re.compile(r"[^\w\s']+")


def normalize(text: str) -> list[str]:
    return _NOT_WORD.sub(" ", text.lower().replace("-", " ")).split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def cases() -> list[tuple[dict[str, Any], Path]]:
    out = []
    for spec_path in sorted((HELDOUT / "dialogues").glob("*.yaml")):
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        out.append((spec, HELDOUT / f"{spec['id']}.ogg"))
    return out


def _channel_words(document: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    words: dict[str, list[tuple[float, str]]] = {"ch_0": [], "ch_1": []}
    for item in document["results"]["items"]:
        if item["type"] == "pronunciation":
            label = item["channel_label"]
            words[label].append((float(item["start_time"]), item["alternatives"][0]["content"]))
    return words


def compare(spec: dict[str, Any], timeline: list[dict], document: dict[str, Any]) -> dict:
    """WER per recording and, per spoken turn, the transcript in its time span."""
    words = _channel_words(document)
    errors = total = 0
    for channel, label in ((0, "ch_0"), (1, "ch_1")):
        ref = [w for t in timeline if t["channel"] == channel for w in normalize(t["text"])]
        hyp = [w for _, text in words[label] for w in normalize(text)]
        errors += edit_distance(ref, hyp)
        total += len(ref)
    turns = []
    for channel, label in ((0, "ch_0"), (1, "ch_1")):
        own = [t for t in timeline if t["channel"] == channel]
        heard: list[list[str]] = [[] for _ in own]
        for at, text in words[label]:  # each word goes to the nearest turn of its channel
            gaps = [max(t["start"] - at, at - t["end"], 0.0) for t in own]
            heard[gaps.index(min(gaps))].append(text)
        turns += [
            (t["start"], t["role"], t["text"], " ".join(h)) for t, h in zip(own, heard, strict=True)
        ]
    turns.sort()
    return {
        "wer": round(errors / max(total, 1), 3),
        "turns": [
            {
                "at": round(at, 1),
                "who": role,
                "spoken": spoken,
                "transcribed": heard,
                "same_words": normalize(spoken) == normalize(heard),
            }
            for at, role, spoken, heard in turns
        ],
    }


def evaluate(transcriber: WhisperTranscriber, scorer: Scorer, only: list[str] | None = None):
    manifest = json.loads((HELDOUT / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    audio_total = processing_total = 0.0
    for spec, path in cases():
        if only and spec["id"] not in only:
            continue
        started = time.perf_counter()
        local = transcriber.transcribe_file(path)
        result = scorer.score_transcript(local.document, call_id=spec["id"], agent_id="bench")
        processing = time.perf_counter() - started
        audio_total += local.audio_seconds
        processing_total += processing
        expected = (sorted(spec["violations"]), bool(spec["risk"]))
        got = (sorted(result.violation_flags), bool(result.risk_flag))
        detail = compare(spec, manifest[spec["id"]]["turns"], local.document)
        rows.append(
            {
                "call": spec["id"],
                "exact": expected == got,
                "expected": {"violations": expected[0], "risk": expected[1]},
                "got": {
                    "violations": got[0],
                    "risk": got[1],
                    "risk_reasons": sorted(str(r) for r in result.risk_reasons),
                },
                "wer": detail["wer"],
                "real_time_factor": round(processing / local.audio_seconds, 3),
                "warnings": local.warnings,
                "turns": detail["turns"],
            }
        )
    exact = sum(r["exact"] for r in rows)
    return {
        "model": transcriber.model_name,
        "recordings": len(rows),
        "exact_verdicts": exact,
        "exact_share": round(exact / max(len(rows), 1), 3),
        "mean_wer": round(sum(r["wer"] for r in rows) / max(len(rows), 1), 3),
        "audio_seconds": round(audio_total, 1),
        "processing_seconds": round(processing_total, 2),
        "real_time_factor": round(processing_total / max(audio_total, 1e-9), 3),
        "calls": rows,
    }


def summary(report: dict) -> dict:
    """The report without the turn-by-turn detail, except for turns of mismatched calls."""
    calls = []
    for r in report["calls"]:
        row = {k: v for k, v in r.items() if k != "turns"}
        if not r["exact"]:
            row["differing_turns"] = [t for t in r["turns"] if not t["same_words"]]
        calls.append(row)
    return {**report, "calls": calls}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--full", action="store_true", help="every turn of every call")
    args = parser.parse_args(argv)
    rubric = load_rubric_dir(REPO / "prompts")
    scorer = Scorer(rubric, RulesJudge(rubric))
    report = evaluate(WhisperTranscriber(args.model), scorer, args.only)
    print(json.dumps(report if args.full else summary(report), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
