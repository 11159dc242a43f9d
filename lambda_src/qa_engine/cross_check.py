"""A model judge with the rules judge beside it on every call.

The model's verdict is the one scored; the rules' verdict rides along (`Verdict.cross_check`)
so the scorer can take the union of the risks both found and mark SOPs they disagree on for a
supervisor's review. When the model could not answer and the rules judged alone, there is
nothing to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa_engine.models import Conversation, Verdict
from qa_engine.ports import Judge


@dataclass
class CrossCheckedJudge:
    primary: Judge
    rules: Judge

    @property
    def name(self) -> str:
        return self.primary.name

    def judge(self, conversation: Conversation) -> Verdict:
        verdict = self.primary.judge(conversation)
        if (verdict.judge or self.primary.name).startswith(self.rules.name):
            return verdict  # the rules already judged this call alone
        rules = self.rules.judge(conversation)
        return verdict.model_copy(
            update={"cross_check": rules.model_copy(update={"judge": self.rules.name})}
        )
