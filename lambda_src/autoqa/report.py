"""The supervisor's HTML report: per call its score, flags with evidence, sentiment, transcript."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from qa_engine.models import QAResult

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans Devanagari",sans-serif;
margin:0;background:#f4f6f8;color:#1d2733}
header{background:#0b6e4f;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}main{padding:24px 32px;max-width:1100px}
table.summary{border-collapse:collapse;width:100%;background:#fff;margin-bottom:28px}
.summary th,.summary td{padding:8px 10px;border-bottom:1px solid #e2e6ea;text-align:left;
font-size:14px}.summary th{background:#eef1f4}
section.call{background:#fff;border-radius:8px;padding:18px 22px;margin-bottom:22px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}section.call h2{margin:0 0 6px;font-size:18px}
.score{display:inline-block;min-width:44px;text-align:center;font-weight:700;border-radius:6px;
padding:2px 8px;color:#fff}.good{background:#2e7d32}.warn{background:#ef6c00}
.bad{background:#c62828}
.tag{display:inline-block;font-size:12px;padding:2px 7px;border-radius:10px;margin:2px 4px 2px 0;
background:#fdecea;color:#b71c1c}.risk{background:#fff3e0;color:#e65100}.ok{background:#e8f5e9;
color:#1b5e20}.meta{color:#5a6775;font-size:13px}.warn{background:#fff8e1;border-left:4px solid
#f9a825;padding:6px 10px;margin:8px 0}blockquote{margin:6px 0 6px 14px;padding-left:10px;
border-left:3px solid #c62828;font-size:14px}ol.transcript{font-size:14px;line-height:1.5;
padding-left:28px}ol.transcript li.AGENT{color:#0b4f6c}ol.transcript li.hit{background:#fff8e1}
details summary{cursor:pointer;font-weight:600;margin-top:10px}
"""


def _score_class(score: int) -> str:
    return "good" if score >= 85 else "warn" if score >= 60 else "bad"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def _call_section(r: QAResult) -> str:
    flags = "".join(f'<span class="tag">{escape(f)}</span>' for f in r.violation_flags)
    flags = flags or '<span class="tag ok">No SOP violations</span>'
    risks = "".join(f'<span class="tag risk">{escape(x)}</span>' for x in r.risk_reasons)
    findings = []
    hit_turns: set[int] = set()
    for check in r.sop_checks:
        if not check.violated:
            continue
        quotes = []
        for ev in check.evidence:
            hit_turns.add(ev.turn_index)
            quotes.append(
                f"<blockquote>[{_clock(ev.start_time)}, turn {ev.turn_index}] "
                f"{escape(ev.speaker.value)}: &ldquo;{escape(ev.quote)}&rdquo;</blockquote>"
            )
        findings.append(
            f"<li><strong>{escape(check.flag)}</strong> &mdash; {escape(check.note)}"
            f"{''.join(quotes)}</li>"
        )
    findings_html = f"<ul>{''.join(findings)}</ul>" if findings else ""
    lines = []
    for i, line in enumerate(r.transcript_text.splitlines()):
        speaker = "AGENT" if line.startswith("AGENT:") else "CUSTOMER"
        cls = speaker + (" hit" if i in hit_turns else "")
        lines.append(f'<li value="{i}" class="{cls}">{escape(line)}</li>')
    alert = "alert sent" + (" (urgent)" if r.urgent else "") if r.alerted else "no alert"
    notices = [f'<p class="warn">Warning: {escape(w)}</p>' for w in r.warnings]
    if r.needs_review:
        notices.insert(
            0,
            f'<p class="warn">Needs review: the judges disagree on '
            f"{escape(', '.join(r.disputed_sops))}.</p>",
        )
    return f"""
<section class="call" id="{escape(r.call_id)}">
  <h2><span class="score {_score_class(r.overall_score)}">{r.overall_score}</span>
      {escape(r.call_id)}</h2>
  <div class="meta">agent {escape(r.agent_id)} &middot; {escape(r.timestamp)} &middot;
      judge {escape(r.judge)} &middot; rubric {escape(r.rubric_version)} &middot; {alert}</div>
  <p>{flags} {risks}</p>
  {"".join(notices)}
  <p>{escape(r.summary_insight)}</p>
  {findings_html}
  <p class="meta">Customer sentiment: start {r.sentiment_start:+.2f}, end {r.sentiment_end:+.2f},
     trajectory {r.sentiment_trajectory:+.2f}</p>
  <details><summary>Transcript</summary><ol class="transcript" start="0">{"".join(lines)}</ol>
  </details>
</section>"""


def render_report(results: Sequence[QAResult], title: str = "Battery Smart call QA") -> str:
    rows = "".join(
        f'<tr><td><a href="#{escape(r.call_id)}">{escape(r.call_id)}</a></td>'
        f"<td>{escape(r.agent_id)}</td>"
        f'<td><span class="score {_score_class(r.overall_score)}">{r.overall_score}</span></td>'
        f"<td>{escape(', '.join(r.violation_flags) or '-')}</td>"
        f"<td>{'yes' if r.risk_flag else 'no'}</td><td>{'yes' if r.alerted else 'no'}</td></tr>"
        for r in results
    )
    flagged = sum(1 for r in results if r.violation_flags or r.risk_flag)
    average = round(sum(r.overall_score for r in results) / len(results)) if results else 0
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head>
<body><header><h1>{escape(title)}</h1>
<p>{len(results)} calls &middot; average score {average} &middot; {flagged} need attention</p>
</header><main>
<table class="summary"><thead><tr><th>Call</th><th>Agent</th><th>Score</th><th>Violations</th>
<th>Risk</th><th>Alert</th></tr></thead><tbody>{rows}</tbody></table>
{"".join(_call_section(r) for r in results)}
</main></body></html>
"""


def write_report(results: Sequence[QAResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render_report(results), encoding="utf-8")
    tmp.replace(path)
    return path
