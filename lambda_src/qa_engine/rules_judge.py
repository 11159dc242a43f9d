"""The deterministic rules judge: SOP_SPEC implemented with the rubric's multilingual cues.

Works sentence by sentence so that order inside a long turn still counts ("verified" before
"your refund is processed"), drops negated and hypothetical reports ("not swollen", "if it
smokes"), and tells a request for a manager from a mention of one ("my fleet manager").
Every finding carries evidence: turn index, start time and the verbatim sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts import sops
from qa_engine.call_text import (
    HAZARD_GROUPS,
    CallText,
    after,
    escalation_requests,
    first,
    hazard_reports,
    said_before,
)
from qa_engine.models import (
    Conversation,
    RiskSignal,
    SopCheck,
    Speaker,
    Verdict,
)
from qa_engine.rubric import Rubric
from qa_engine.text import Hit, Segment

# "photo of the battery", "battery ki ek photo": the battery is named this close to the photo.
PHOTO_OBJECT_WORDS = 3


class RulesJudge:
    """Judges a call by the SOPs in the rubric with deterministic multilingual cue matching."""

    name = "rules"

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self._flags = {s.id: s.flag for s in rubric.sops}
        self._names = {s.id: s.name for s in rubric.sops}

    def judge(self, conversation: Conversation) -> Verdict:
        call = CallText(conversation, self.rubric)
        checks = [
            self.greeting(call),
            self.closing(call),
            self.swollen_battery_photo(call),
            self.safety_instructions(call),
            self.escalation(call),
            self.verification(call),
        ]
        risks = self.risk_signals(call)
        return Verdict(sop_checks=checks, risk_signals=risks, summary=self.summary(checks, risks))

    def _check(self, sop_id: str, **fields: Any) -> SopCheck:
        return SopCheck(sop_id=sop_id, flag=self._flags[sop_id], **fields)

    # --- S1 ---------------------------------------------------------------------------------

    def greeting(self, call: CallText) -> SopCheck:
        agent_turns = call.conversation.spoken_turns(Speaker.AGENT)
        if not agent_turns:
            return self._check(
                sops.GREETING, triggered=True, followed=False, note="The agent never spoke."
            )
        opening = [agent_turns[0]]
        first_words = {w for s in call.in_turns([agent_turns[0].index]) for w in s.tokens}
        if len(agent_turns) > 1 and first_words <= self.rubric.hello_words:
            opening.append(agent_turns[1])
        segments = call.in_turns(t.index for t in opening)
        parts = {
            "thanks for calling Battery Smart": bool(
                call.hits_in("brand", segments)
                and (
                    call.hits_in("thanks_for_calling", segments) or call.hits_in("thanks", segments)
                )
            ),
            "the agent's name": self.agent_name(call, segments) is not None,
            "an offer to help": bool(call.hits_in("offer_help", segments)),
        }
        missing = [part for part, present in parts.items() if not present]
        evidence = [call.evidence(s) for s in segments[:3]]
        note = (
            "Opening had thanks, name and offer to help."
            if not missing
            else "Opening lacked " + ", ".join(missing) + "."
        )
        return self._check(
            sops.GREETING, triggered=True, followed=not missing, evidence=evidence, note=note
        )

    def agent_name(self, call: CallText, segments: Sequence[Segment]) -> str | None:
        regex = self.rubric.cue("agent_name")
        for segment in segments:
            for match in regex.finditer(segment.folded):
                name = next((g for g in match.groups() if g), None)
                if self._is_name(name):
                    return name
            name = self._introduced_in_a_clause(segment)
            if name is not None:
                return name
        return None

    def _is_name(self, token: str | None) -> bool:
        return bool(
            token
            and token not in self.rubric.name_stopwords
            and not token.isdigit()
            and len(token) > 1
        )

    def _introduced_in_a_clause(self, segment: Segment) -> str | None:
        """'main Imran, bataiye ...', 'I'm Priya.': a clause that is only "I" and a name."""
        intro = self.rubric.self_intro_words
        courtesy = self.rubric.hello_words
        copula = self.rubric.self_intro_copula
        for lo, hi in segment.clause_spans():
            clause = [t for t in segment.tokens[lo:hi] if t not in courtesy]
            while clause and clause[-1] in copula:
                clause.pop()
            # "मैं बैटरी स्मार्ट की सहायक दिव्या हूं": the name is the word before "हूं".
            ends_with_name = len(clause) == 2 or len(clause) < len(segment.tokens[lo:hi])
            if (
                len(clause) >= 2
                and clause[0] in intro
                and self._is_name(clause[-1])
                and ends_with_name
            ):
                return clause[-1]
        return None

    # --- S2 ---------------------------------------------------------------------------------

    def closing(self, call: CallText) -> SopCheck:
        last_turns = call.conversation.spoken_turns(Speaker.AGENT)[-3:]
        if not last_turns:
            return self._check(
                sops.CLOSING, triggered=True, followed=False, note="The agent never spoke."
            )
        segments = call.in_turns(t.index for t in last_turns)
        asked = call.hits_in("anything_else", segments)
        thanked = call.hits_in("thanks_for_calling", segments) or [
            h
            for h in call.hits_in("thanks", segments)
            if call.hits_in("brand", call.in_turns([h.segment.turn_index]))
            or call.hits_in("farewell", call.in_turns([h.segment.turn_index]))
        ]
        missing = []
        if not asked:
            missing.append("asking whether the customer needs anything else")
        if not thanked:
            missing.append("thanking the customer for calling")
        evidence = [call.evidence(h) for h in (asked[:1] + thanked[:1])] or [
            call.evidence(segments[-1])
        ]
        note = (
            "Closing asked about anything else and thanked the customer."
            if not missing
            else "Agent's last turns lacked " + " and ".join(missing) + "."
        )
        return self._check(
            sops.CLOSING, triggered=True, followed=not missing, evidence=evidence, note=note
        )

    # --- S3 and S4 --------------------------------------------------------------------------

    def swollen_battery_photo(self, call: CallText) -> SopCheck:
        report = first(hazard_reports(call, ["hazard_swollen"]))
        if report is None:
            return self._check(
                sops.SWOLLEN_BATTERY, triggered=False, followed=True, note="No swollen battery."
            )
        requests = [
            h
            for h in after(call.hits("photo_term", Speaker.AGENT), report.segment.position)
            if call.hits_in("photo_request_verb", [h.segment]) and self._of_the_battery(call, h)
        ]
        evidence = [call.evidence(report)]
        if requests:
            evidence.append(call.evidence(requests[0]))
            return self._check(
                sops.SWOLLEN_BATTERY,
                triggered=True,
                followed=True,
                evidence=evidence,
                note="Swollen battery reported; agent asked for a photo of it.",
            )
        return self._check(
            sops.SWOLLEN_BATTERY,
            triggered=True,
            followed=False,
            evidence=evidence,
            note="Swollen battery reported; agent never asked for a photo of the battery.",
        )

    def _of_the_battery(self, call: CallText, photo: Hit) -> bool:
        """A photo of the battery, not of a receipt or the app ("its photo" after a receipt).

        The battery named next to the word photo settles it; otherwise anything else named
        in the sentence, or in the agent's sentence before it, is what is asked for.
        """
        near = [
            b
            for b in call.hits_in("battery_term", [photo.segment])
            if abs(b.start_token - photo.start_token) <= PHOTO_OBJECT_WORDS
        ]
        if near:
            return True
        agent = call.of(Speaker.AGENT)
        here = agent.index(photo.segment)
        return not call.hits_in("photo_not_of_battery", agent[max(0, here - 1) : here + 1])

    def safety_instructions(self, call: CallText) -> SopCheck:
        report = first(hazard_reports(call, HAZARD_GROUPS))
        if report is None:
            return self._check(
                sops.SAFETY, triggered=False, followed=True, note="No hazard reported."
            )
        position = report.segment.position
        stop = first(after(call.hits("stop_using", Speaker.AGENT), position))
        away = first(after(call.hits("keep_away", Speaker.AGENT), position))
        evidence = [call.evidence(report)] + [call.evidence(h) for h in (stop, away) if h]
        missing = [
            what
            for what, hit in (("stop using the battery or vehicle", stop), ("keep away", away))
            if hit is None
        ]
        if not missing:
            note = "Hazard reported; agent told the customer to stop using it and keep away."
        else:
            note = "Hazard reported; agent did not tell the customer to " + " or ".join(missing)
            note += "."
        return self._check(
            sops.SAFETY, triggered=True, followed=not missing, evidence=evidence, note=note
        )

    # --- S5 ---------------------------------------------------------------------------------

    def escalation(self, call: CallText) -> SopCheck:
        request = first(escalation_requests(call))
        if request is None:
            return self._check(
                sops.ESCALATION, triggered=False, followed=True, note="No escalation request."
            )
        offers = [
            h
            for h in after(call.hits("escalation_offer", Speaker.AGENT), request.segment.position)
            if not call.rubric.negation.is_negated(h)
            and not call.negated_inside(h)
            and not any(
                r.start_token >= h.start_token
                for r in call.hits_in("escalation_refusal", [h.segment])
            )
        ]
        evidence = [call.evidence(request)]
        if offers:
            evidence.append(call.evidence(offers[0]))
            note = "Customer asked for escalation; agent offered to connect or escalate."
        else:
            note = "Customer asked for escalation; agent did not offer to connect or escalate."
        return self._check(
            sops.ESCALATION, triggered=True, followed=bool(offers), evidence=evidence, note=note
        )

    # --- S6 ---------------------------------------------------------------------------------

    def disclosures(self, call: CallText) -> list[Hit]:
        """Agent statements of account facts: a money topic, a status, and whose account.

        "Whose" is either explicit ("your wallet", "aapka refund") or the customer's own
        account matter raised earlier ("my recharge is not showing" -> "it is pending"); a
        policy answer to a general question ("refunds take seven days") discloses nothing.
        """
        own_topics = [
            h
            for group in ("finance_topic", "money_amount")
            for h in call.hits(group, Speaker.CUSTOMER)
            if call.hits_in("customer_first_person", [h.segment])
            and not call.is_conditional(h)
            and not call.hits_in("how_to_question", [h.segment])
        ]
        first_topic = first(own_topics)
        agent_topics = call.hits("finance_topic", Speaker.AGENT) + call.hits(
            "money_amount", Speaker.AGENT
        )
        found = []
        for hit in agent_topics:
            seg = hit.segment
            # In one unpunctuated run of speech, what was said first still comes first.
            verifies_first = any(
                v.start_token < hit.start_token for v in call.hits_in("verification", [seg])
            )
            if call.asks(hit) or verifies_first:
                continue
            if call.hits_in("policy_generic", [seg]):
                continue
            marked = bool(call.hits_in("account_marker", [seg]))
            if not marked and call.hits_in("price_list", [seg]):
                continue  # "a single swap costs 170 rupees": a price for everyone
            if not any(
                call.hits_in(group, [seg])
                for group in ("account_status", "account_figure", "account_seen")
            ):
                continue
            raised = first_topic is not None and first_topic.segment.position < seg.position
            if marked or raised:
                found.append(hit)
        return found

    def verification(self, call: CallText) -> SopCheck:
        disclosure = first(self.disclosures(call))
        if disclosure is None:
            return self._check(
                sops.IDENTITY, triggered=False, followed=True, note="No account details disclosed."
            )
        verified = first(call.hits("verification", Speaker.AGENT))
        in_time = verified is not None and said_before(verified, disclosure)
        evidence = [call.evidence(disclosure)]
        if verified is not None:
            evidence.insert(0 if in_time else 1, call.evidence(verified))
        if in_time:
            note = "Agent verified the registered number or partner ID before account details."
        elif verified is not None:
            note = "Agent disclosed account details before verifying the customer."
        else:
            note = "Agent disclosed account details without verifying the customer."
        return self._check(
            sops.IDENTITY, triggered=True, followed=in_time, evidence=evidence, note=note
        )

    # --- risk and summary -------------------------------------------------------------------

    def risk_signals(self, call: CallText) -> list[RiskSignal]:
        signals = []
        threats = call.asserted(call.hits("legal_threat", Speaker.CUSTOMER), allow_conditional=True)
        if threats:
            signals.append(
                RiskSignal(
                    reason=sops.LEGAL_THREAT, evidence=[call.evidence(h) for h in threats[:3]]
                )
            )
        abuse = call.hits("abuse")
        if abuse:
            signals.append(
                RiskSignal(reason=sops.ABUSE, evidence=[call.evidence(h) for h in abuse[:3]])
            )
        return signals

    def summary(self, checks: Sequence[SopCheck], risks: Sequence[RiskSignal]) -> str:
        violated = [c for c in checks if c.violated]
        parts = [c.note for c in checks if c.triggered and c.sop_id not in sops.SCRIPT_SOPS]
        parts += [c.note for c in violated if c.sop_id in sops.SCRIPT_SOPS]
        if risks:
            parts.append("Risk: " + ", ".join(r.reason.replace("_", " ").lower() for r in risks))
        if not violated and not parts:
            return "Routine call handled by the SOPs."
        lead = (
            f"{len(violated)} SOP violation{'s' if len(violated) != 1 else ''}: "
            + ", ".join(self._names[c.sop_id] for c in violated)
            + "."
            if violated
            else "All SOPs followed."
        )
        return " ".join([lead, *parts])
