// The calls list's filters. Choices (lists and boxes) apply at once; typed values (call id,
// dates, agent, scores) apply with Enter, "Apply" or on leaving the field, not at every key. Every change is a new
// address, so back and forward step through them.

import { type FormEvent, type InputHTMLAttributes, useEffect, useId, useState } from "react";
import { type CallFilters, compact, filterProblem, sameFilters } from "./filters";
import { ALL_FLAGS, flagLabel, humanize, JUDGE_KINDS, RISK_REASONS } from "./sops";

type Options = readonly (readonly [string, string])[];

const FLAG_OPTIONS: Options = ALL_FLAGS.map((flag) => [flag, flagLabel(flag)]);
const RISK_OPTIONS: Options = RISK_REASONS.map((reason) => [reason, humanize(reason)]);
const REVIEW_OPTIONS: Options = [
  ["unreviewed", "Unreviewed"],
  ["reviewed", "Reviewed"],
];
const JUDGE_OPTIONS: Options = JUDGE_KINDS.map((kind) => [kind, kind === "fallback" ? "Rules (fallback)" : humanize(kind)]);
const STATUS_OPTIONS: Options = [
  ["SCORED", "Scored"],
  ["FAILED", "Failed"],
  ["TRANSCRIBING", "Transcribing"],
];

// Open on a laptop; on a phone the list comes first and the filters open on demand.
const startOpen = () => !window.matchMedia?.("(max-width: 760px)").matches;

const numberOrUndefined = (value: string) => (value.trim() === "" ? undefined : Number(value));

function Input({ label, className = "field", ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </div>
  );
}

function Select(props: {
  label: string;
  anyLabel: string;
  value: string | undefined;
  options: Options;
  onChange: (value: string | undefined) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value ?? ""} onChange={(e) => props.onChange(e.target.value || undefined)}>
        <option value="">{props.anyLabel}</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (on: boolean) => void }) {
  const id = useId();
  return (
    <div className="field check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

export function CallFiltersForm({
  filters,
  agents,
  onApply,
}: {
  filters: CallFilters;
  agents: string[];
  onApply: (filters: CallFilters) => void;
}) {
  const [draft, setDraft] = useState<CallFilters>(filters);
  const [problem, setProblem] = useState<string | null>(null);
  const agentList = useId();
  const problemId = useId();

  // The address bar is the truth: back/forward (or a link) replaces what the form shows.
  const key = JSON.stringify(compact(filters));
  useEffect(() => {
    setDraft(filters);
    setProblem(null);
  }, [key]); // `filters` is a new object every render; `key` is its value

  const apply = (next: CallFilters) => {
    setDraft(next);
    const wrong = filterProblem(next);
    setProblem(wrong);
    if (!wrong && !sameFilters(next, filters)) onApply(compact(next));
  };
  // A choice applies at once; typing only changes the form until it is applied.
  const choose = <K extends keyof CallFilters>(name: K, value: CallFilters[K]) => apply({ ...draft, [name]: value });
  const type = <K extends keyof CallFilters>(name: K, value: CallFilters[K]) => setDraft({ ...draft, [name]: value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  const typed = { onBlur: () => apply(draft) };
  const count = Object.keys(compact(filters)).length;
  const [open] = useState(startOpen);

  return (
    <details className="filters-box" open={open}>
      <summary>Filters{count > 0 ? ` (${count} set)` : ""}</summary>
      <form
        className="filters"
        role="search"
        aria-label="Filter calls"
        aria-describedby={problem ? problemId : undefined}
        onSubmit={submit}
      >
        <Input
          label="Call id"
          className="field wide"
          type="search"
          placeholder="Find a call by its id"
          value={draft.call_id ?? ""}
          onChange={(e) => type("call_id", e.target.value || undefined)}
          {...typed}
        />
        <Input
          label="From (first day)"
          type="date"
          value={draft.from ?? ""}
          max={draft.to}
          onChange={(e) => type("from", e.target.value || undefined)}
          {...typed}
        />
        <Input
          label="To (last day)"
          type="date"
          value={draft.to ?? ""}
          min={draft.from}
          onChange={(e) => type("to", e.target.value || undefined)}
          {...typed}
        />
        <Input
          label="Agent"
          type="text"
          list={agentList}
          autoComplete="off"
          value={draft.agent ?? ""}
          onChange={(e) => type("agent", e.target.value || undefined)}
          {...typed}
        />
        <datalist id={agentList}>
          {agents.map((agent) => (
            <option key={agent} value={agent} />
          ))}
        </datalist>
        <Select label="Violation flag" anyLabel="Any flag" value={draft.flag} options={FLAG_OPTIONS} onChange={(v) => choose("flag", v)} />
        <Select label="Risk reason" anyLabel="Any risk" value={draft.risk} options={RISK_OPTIONS} onChange={(v) => choose("risk", v)} />
        {(["score_min", "score_max"] as const).map((name) => (
          <Input
            key={name}
            label={name === "score_min" ? "Lowest score" : "Highest score"}
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            value={draft[name] ?? ""}
            onChange={(e) => type(name, numberOrUndefined(e.target.value))}
            {...typed}
          />
        ))}
        <Select
          label="Review"
          anyLabel="Reviewed or not"
          value={draft.review}
          options={REVIEW_OPTIONS}
          onChange={(v) => choose("review", v as CallFilters["review"])}
        />
        <Select
          label="Judge"
          anyLabel="Any judge"
          value={draft.judge}
          options={JUDGE_OPTIONS}
          onChange={(v) => choose("judge", v as CallFilters["judge"])}
        />
        <Select
          label="Status"
          anyLabel="Any status"
          value={draft.status}
          options={STATUS_OPTIONS}
          onChange={(v) => choose("status", v as CallFilters["status"])}
        />
        <Check label="Flagged only" checked={draft.flagged === true} onChange={(on) => choose("flagged", on || undefined)} />
        <Check
          label="Needs review"
          checked={draft.needs_review === true}
          onChange={(on) => choose("needs_review", on || undefined)}
        />
        <div className="field actions">
          <button type="submit" className="small">
            Apply
          </button>
          <button type="button" className="small" onClick={() => apply({})} disabled={count === 0}>
            Clear filters
          </button>
        </div>
        {problem && (
          <p id={problemId} className="field-problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </details>
  );
}
