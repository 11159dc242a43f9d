"""The SOP policy answers by the SOPs in three languages, and QA finds nothing to flag."""

from __future__ import annotations

import pytest

from tests.voice.conversations import judged
from voice_agent.instructions import supervisor_unreachable
from voice_agent.policy import SopPolicy


@pytest.fixture(scope="module")
def policy(rubric) -> SopPolicy:
    return SopPolicy.load(rubric)


def converse(policy: SopPolicy, caller_lines: list[str]) -> list[dict]:
    messages = [{"role": "assistant", "content": policy.say("greeting")}]
    for line in caller_lines:
        messages.append({"role": "user", "content": line})
        messages.append({"role": "assistant", "content": policy.answer(messages).text})
    return messages


CALLS = {
    "swollen, English": (
        ["Hello, my battery is swollen and very hot.", "Okay, thank you.", "No, that's all."],
        {"S3", "S4"},
    ),
    "smoke, English": (
        ["There is smoke coming from the battery!", "Thanks, nothing else."],
        {"S4"},
    ),
    "refund, English": (
        ["Where is my refund for the failed swap?", "My number is 98765 43210.", "No, thanks."],
        set(),  # nothing about the account is disclosed: S6 has nothing to judge
    ),
    "manager, English": (
        ["I want to talk to your manager.", "Okay, I will wait.", "No, thank you."],
        {"S5"},
    ),
    "swollen, Hinglish": (
        ["Meri battery phool gayi hai", "theek hai", "nahi bas, shukriya"],
        set(),
    ),
    "wallet, Hinglish": (
        ["Mera wallet ka paisa wapas nahi aaya", "Mera number 9 8 7 6 5 4 3 2 1 0 hai", "Bas"],
        set(),
    ),
    "escalation, Hinglish": (["Mujhe kisi insaan se baat karni hai", "nahi, dhanyavaad"], {"S5"}),
    "sparks, Hindi": (["बैटरी से चिंगारी निकल रही है", "नहीं, धन्यवाद"], {"S4"}),
    "swollen, Hindi": (["मेरी बैटरी फूल गई है", "ठीक है", "नहीं, धन्यवाद"], {"S3", "S4"}),
    "hours, Hindi": (["स्टेशन कब खुलता है?", "नहीं, धन्यवाद"], set()),
    "price, English": (["How much does a swap cost?", "no thanks"], set()),
    "negated, English": (["The battery is not swollen, when do stations open?", "bye"], set()),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_policy_answered_call_follows_every_sop_qa_checks(policy, rubric, name):
    lines, must_trigger = CALLS[name]
    verdict = judged(rubric, converse(policy, lines))
    violated = [c.sop_id for c in verdict.sop_checks if not c.followed]
    assert violated == [], converse(policy, lines)
    triggered = {c.sop_id for c in verdict.sop_checks if c.triggered} - {"S1", "S2"}
    assert must_trigger <= triggered


def test_it_answers_in_the_callers_language(policy):
    hindi = converse(policy, ["मेरी बैटरी फूल गई है"])[-1]["content"]
    assert "बैटरी" in hindi and "photo" not in hindi
    hinglish = converse(policy, ["Meri battery phool gayi hai bhai"])[-1]["content"]
    assert "battery ki photo" in hinglish.lower()
    english = converse(policy, ["My battery is swollen"])[-1]["content"]
    assert "photo of the battery" in english


def test_a_money_matter_is_noted_only_after_the_registered_number(policy):
    messages = converse(policy, ["I want a refund to my wallet."])
    assert policy.answer(messages[:-1]).intents == ("ask_id",)
    not_a_number = converse(policy, ["I want a refund to my wallet.", "I don't remember it."])
    assert "noted your number" not in not_a_number[-1]["content"]
    given = converse(policy, ["I want a refund to my wallet.", "It is 98765 43210"])
    assert policy.answer(given[:-1]).intents == ("noted_account", "anything_else")
    assert given[-1]["content"].startswith("Thank you, I have noted your number and your request.")
    assert "call you back" in given[-1]["content"]
    assert "verified" not in given[-1]["content"] and "48" not in given[-1]["content"]


@pytest.mark.parametrize(
    ("lines", "noted"),
    [
        (["Mera wallet ka paisa wapas nahi aaya", "Mera number 9876543210 hai"], "note kar li"),
        (["मेरे वॉलेट से पैसे कट गए", "मेरा नंबर 9876543210 है"], "नोट कर ली"),
    ],
)
def test_the_number_is_noted_in_the_callers_language(policy, lines, noted):
    messages = converse(policy, lines)
    assert policy.answer(messages[:-1]).intents == ("noted_account", "anything_else")
    assert noted in messages[-1]["content"]


def test_after_the_safety_instructions_the_team_follows_up_on_a_hazard(policy):
    answer = policy.answer([{"role": "user", "content": "There is smoke from my battery"}])
    assert answer.intents == ("safety", "hazard_help", "anything_else")
    assert "stop using the battery" in answer.text and "team will call you back" in answer.text


def test_closing_only_after_asking_whether_anything_else_is_needed(policy):
    messages = converse(policy, ["ok bye"])
    assert "anything else" in messages[-1]["content"]
    messages = converse(policy, ["ok bye", "no thanks"])
    assert messages[-1]["content"] == policy.say("closing")


def test_what_it_does_not_understand_it_says_so_and_lists_what_it_can_do(policy):
    answer = policy.answer([{"role": "user", "content": "Purple elephants dance"}])
    assert answer.intents == ("not_understood",)
    assert "wallet" in answer.text and "station timings" in answer.text


@pytest.mark.parametrize(
    ("said", "is_id"),
    [
        ("9876543210", True),
        ("nine eight seven six five four", True),
        ("partner id 4 5 6 7 8 9", True),
        ("९८७६५४३२१०", True),
        ("I was charged 50 rupees", False),
        ("my number ends in 42", False),
    ],
)
def test_a_registered_number_is_heard_in_figures_or_words(policy, said, is_id):
    assert policy.gives_id(said) is is_id


def test_a_bare_hello_gets_a_short_go_ahead_not_a_list_of_services(policy):
    assert policy.answer([{"role": "user", "content": "Hello."}]).intents == ("listening",)
    assert policy.answer([{"role": "user", "content": "Haan ji"}]).text == "Ji, boliye."


def test_after_the_goodbye_whatever_follows_gets_the_goodbye_again(policy):
    messages = converse(policy, ["ok bye", "no thanks", "and cube."])
    assert messages[-1]["content"] == policy.say("closing")


def test_a_goodbye_the_caller_spoke_over_is_said_again_not_a_list_of_services(policy):
    messages = converse(policy, ["ok bye", "no thanks"])
    # The caller's "thank you" cut the goodbye short: the context holds no closing line.
    cut_short = [*messages[:-1], {"role": "user", "content": "and queue."}]
    assert policy.answer(cut_short).intents == ("closing",)


def test_once_no_supervisor_could_be_reached_it_does_not_say_one_is_coming(policy):
    messages = converse(policy, ["I want to talk to your manager."])
    messages.append({"role": "assistant", "content": supervisor_unreachable("+91 80 4718 1234")})
    messages.append({"role": "user", "content": "Okay, I will wait."})
    assert policy.answer(messages).intents != ("supervisor_coming",)
    waited = converse(policy, ["I want to talk to your manager.", "Okay, I will wait."])
    assert waited[-1]["content"] == policy.say("supervisor_coming")
