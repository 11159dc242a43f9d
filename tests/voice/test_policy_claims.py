"""The voice line says only what it can do: it has no account system behind it.

Every reply of the policy, in every language, and every answer of real conversations walked
through the policy, is checked for a claim the line cannot make: a verification, a refund or
credit made or promised, an account change, a request or ticket raised, a promise of when
money arrives, or a station team sent. Asking for details and saying the team will follow up
is what the line does, and passes.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from tests.voice.conversations import judged
from voice_agent.instructions import (
    CLOSING,
    SILENCE_GOODBYE,
    TIME_LIMIT_GOODBYE,
    supervisor_unreachable,
    system_prompt,
)
from voice_agent.policy import SopPolicy, load_policy_spec

LANGUAGES = ("en", "hinglish", "hi")
_W = r"(?:\S+ ){0,3}"  # up to three words between
_N = r"(?:[0-9\u0966-\u096F]+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
_N += r"fifteen|twenty|thirty|forty|seventy|a few|few|twenty four|forty eight|seventy two)"

# What the line cannot claim, by kind; patterns over lower-cased text with single spaces.
CLAIMS: dict[str, list[str]] = {
    "verification": [
        r"\bverified\b",
        r"\bverification (?:is |was |has been )?(?:done|complete|completed|successful)\b",
        r"\b(?:i|we) (?:have |ve )?(?:confirmed|authenticated|checked) your\b",
        r"\b(?:identity|number|id|account) (?:is|has been) (?:confirmed|authenticated)\b",
        r"\b(?:verify|verified|confirm|authenticate) (?:ho|kar) (?:gaya|gayi|gai|gaye|diya|di|"
        r"liya|li|chuka|chuki|diye)\b",
        r"\b(?:verify|confirm) ho chuk",
        r"सत्यापित(?! करने के लिए)",
        r"सत्यापन (?:हो|कर) (?:गया|गई|चुका|दिया|लिया)",
        r"(?:वेरिफाई|वेरीफाई|कन्फर्म|कंफर्म|पुष्टि) (?:हो|कर) (?:गया|गई|गयी|चुका|चुकी|दिया|दी|"
        r"लिया|ली)",
    ],
    "refund or credit": [
        r"\brefunded\b",
        r"\bcredited\b",
        r"\b(?:i|we) (?:have |ve |will |ll |shall )?(?:refund|credit|reverse|waive|return|"
        r"process|initiate|issue)(?:ed|d)? (?:the |your |a |an |this |it|that )",
        r"\brefund (?:is|has been|was|will be|gets|got) (?:processed|initiated|issued|approved|"
        r"credited|done|on its way|sent|started|raised|added)\b",
        r"\brefund[^.?!;]{0,40}\b(?:reach(?:es)?|arrives?|come back|comes back|be back|reflects?|"
        r"show up|shows up)\b",
        r"\b(?:you will|you ll|you shall) (?:get|receive|see) (?:your |the |a )?(?:refund|money|"
        r"amount|credit|cashback)",
        r"\bmoney (?:will|is going to) (?:come|be) back\b",
        r"\bwill be (?:refunded|credited|reversed|added|returned)\b",
        r"\b(?:refund|credit|cashback|paisa|paise|amount)\b[^.?!;]{0,40}\b(?:aa|mil|ho) "
        r"(?:jayega|jayegi|jayenge|gaya|gayi|gaye)\b",
        r"\b(?:refund|credit|reverse|waive|process|approve|jama) (?:kar|ho) (?:diya|di|diye|gaya|"
        r"gayi|gaye|denge|dunga|dungi|jayega|jayegi|chuka|chuki)\b",
        r"\b(?:wapas|vapas) (?:aa|mil|kar|ho) (?:jayega|jayegi|jayenge|gaya|gayi|denge|diya)\b",
        r"wallet (?:mein|me|main) (?:aa|daal|dal|jama)",
        r"रिफंड[^।?!;]{0,40}(?:आ जाएगा|आ जाएगी|मिल जाएगा|मिल जाएगी|हो जाएगा|हो जाएगी|हो गया|"
        r"हो गई|कर दिया|कर दी|कर देंगे|भेज)",
        r"(?:पैसे|पैसा|राशि|रकम) (?:वापस|जमा) (?:आ|मिल|हो|कर)",
        r"(?:जमा|क्रेडिट|रिफंड|वापस) (?:हो|कर) (?:गया|गई|गयी|गए|जाएगा|जाएगी|जाएंगे|दिया|दी|देंगे)",
        r"वॉलेट में (?:आ|डाल|जमा)",
    ],
    "a time promised for money": [
        rf"\b(?:within|in|by) (?:the )?(?:next )?{_N} (?:working |business )?(?:hours?|hrs|days?|"
        r"minutes?|weeks?)\b",
        rf"\b{_N} (?:working |business )?(?:hours?|hrs|days?)\b",
        r"\bby (?:tomorrow|tonight|today|end of (?:the )?day)\b",
        r"\b(?:[0-9]+|ek|do|teen|char|chaar|paanch|panch|saat|das) ?(?:ghante|ghanton|din|dino)\b",
        r"\b(?:ghante|ghanton|din|dino) (?:mein|me|ke andar)\b",
        r"(?:[0-9\u0966-\u096F]+|एक|दो|तीन|चार|पांच|पाँच|सात|दस) ?(?:घंटे|घंटों|दिन|दिनों)",
        r"(?:घंटे|घंटों|दिन|दिनों) (?:में|के अंदर|के भीतर)",
    ],
    "an account change": [
        r"\b(?:i|we) (?:have |ve |just )?(?:updated|changed|cancell?ed|canceled|blocked|unblocked|"
        r"activated|deactivated|renewed|reset|added|removed|adjusted|waived|reversed|fixed|"
        r"restored|switched|paused)\b",
        r"\b(?:account|wallet|plan|subscription|balance|number) (?:is|has been|was|will be) "
        r"(?:now )?(?:updated|changed|cancell?ed|blocked|unblocked|activated|renewed|reset|"
        r"credited|adjusted|fixed|restored|switched|paused)\b",
        r"\b(?:update|change|cancel|block|unblock|activate|renew|reset|adjust|theek|thik|sahi|"
        r"switch|pause|chalu|band) (?:kar|ho) (?:diya|di|diye|gaya|gayi|gai|gaye|denge|dunga|dungi|"
        r"chuka|chuki)\b",
        r"(?:अपडेट|बदल|कैंसल|रद्द|ब्लॉक|अनब्लॉक|एक्टिवेट|चालू|रिन्यू|ठीक|सही|प्रोसेस|स्विच) (?:कर|हो) "
        r"(?:दिया|दी|दिए|गया|गई|गए|देंगे|दूंगी|दूँगी|दूंगा|चुका|चुकी)",
        r"(?:खाते|अकाउंट|वॉलेट|प्लान)[^।?!;]{0,30}(?:बदल|अपडेट) (?:दिया|दी|गया|गई)",
    ],
    "a request or ticket raised": [
        rf"\b(?:raised|raising|logged|logging|filed|filing|created|opened|registered|lodged|"
        rf"booked|submitted|put in|placed|escalated) {_W}(?:request|ticket|complaint|case|"
        r"dispute|claim|pickup)\b",
        rf"\b(?:request|ticket|complaint|case|dispute|claim) {_W}(?:is|has been|was|have been) "
        r"(?:raised|logged|filed|created|opened|registered|lodged|booked|submitted)\b",
        r"\b(?:ticket|complaint|request|reference) (?:number|id|no)\b",
        r"\bon your account\b",
        rf"\b(?:request|ticket|complaint|shikayat|case|claim) {_W}(?:daal|dal|raise|register|"
        r"darj|log|file|create|bana|khol|book)(?: kar)? (?:di|diya|dia|diye|gayi|gaya|gai|dungi|"
        r"dunga|denge|ho gayi|ho gaya|chuki|chuka|li|liya)\b",
        rf"(?:अनुरोध|रिक्वेस्ट|टिकट|शिकायत|कंप्लेंट|केस) {_W}(?:डाल|दर्ज|रजिस्टर|बना|खोल|रेज|रेज़)"
        r"(?: कर)? (?:दिया|दी|दिए|ली|लिया|हो गई|हो गया|चुकी|चुका|दूंगी|दूँगी|देंगे)",
        r"(?:खाते|अकाउंट) (?:पर|में) (?:अनुरोध|रिक्वेस्ट|टिकट|शिकायत)",
    ],
    "a station team sent": [
        r"\bwill (?:replace|exchange|collect|pick up) (?:it|the battery|your battery)\b",
        r"\b(?:team|station|technician|someone|mechanic) (?:will|shall|is going to) (?:reach|come "
        r"to|visit|come and)\b",
        r"\b(?:badal|pahunch|bhej) (?:dega|degi|denge|diya|di)\b",
        r"\ble (?:jayega|jayegi|jayenge|aayega|aayegi|aayenge)\b",
        r"\baakar\b",
        r"(?:बदल|ले|पहुँच|पहुंच|भेज) (?:देगा|देगी|देंगे|दिया|दी|जाएगा|जाएगी|जाएंगे)",
        r"(?<!\S)आकर(?!\S)",
    ],
}
_COMPILED = {kind: [re.compile(p) for p in patterns] for kind, patterns in CLAIMS.items()}


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("'", " ")
    return re.sub(r"\s+", " ", re.sub(r"[,\"“”]", " ", text)).strip()


def claims(text: str) -> list[str]:
    """The kinds of claim the text makes that the line cannot back, with what matched."""
    plain = _plain(text)
    found = []
    for kind, patterns in _COMPILED.items():
        for pattern in patterns:
            match = pattern.search(plain)
            if match:
                found.append(f"{kind}: {match.group(0)!r}")
                break
    return found


SPEC = load_policy_spec()
EVERY_REPLY = [(key, lang) for key in SPEC.replies for lang in LANGUAGES]


@pytest.mark.parametrize(
    ("key", "lang"), EVERY_REPLY, ids=[f"{k}-{lang}" for k, lang in EVERY_REPLY]
)
def test_no_reply_in_any_language_claims_what_the_line_cannot_do(key, lang):
    text = getattr(SPEC.replies[key], lang)
    assert claims(text) == [], text


# What the policy used to say, and claims like it: the checker must catch each, by its kind.
VERIFY, MONEY, WHEN = "verification", "refund or credit", "a time promised for money"
CHANGE, TICKET, SENT = "an account change", "a request or ticket raised", "a station team sent"
CLAIMED = [
    (
        {VERIFY, TICKET, MONEY, WHEN},
        "Thank you, your number is verified. I have raised a request on your account; any "
        "refund for a failed swap reaches your Battery Smart wallet within 48 hours.",
    ),
    (
        {VERIFY, TICKET, MONEY, WHEN},
        "Dhanyavaad, aapka number verify ho gaya. Maine aapke account par request daal di hai; "
        "failed swap ka refund 48 ghante mein aapke Battery Smart wallet mein aa jayega.",
    ),
    (
        {VERIFY, TICKET, MONEY, WHEN},
        "धन्यवाद, आपका नंबर सत्यापित हो गया। मैंने आपके खाते पर अनुरोध डाल दिया है; फेल स्वैप का "
        "रिफंड 48 घंटे में आपके बैटरी स्मार्ट वॉलेट में आ जाएगा।",
    ),
    (
        {SENT},
        "Please send us a photo of the battery on WhatsApp, and the nearest station will "
        "replace it for you.",
    ),
    (
        {SENT},
        "Kripya battery ki photo WhatsApp par bhejiye, nazdeeki station aapki battery badal dega.",
    ),
    ({SENT}, "कृपया बैटरी की फोटो व्हाट्सऐप पर भेजिए, नज़दीकी स्टेशन आपकी बैटरी बदल देगा।"),
    ({SENT}, "Our station team will reach you to take the battery away safely."),
    ({SENT}, "Hamari station team aakar battery surakshit tarike se le jayegi."),
    ({SENT}, "हमारी स्टेशन टीम आकर बैटरी सुरक्षित तरीके से ले जाएगी।"),
    ({VERIFY}, "Thanks, that's verified."),
    ({VERIFY}, "Aapka number confirm ho gaya hai."),
    ({VERIFY}, "आपका नंबर वेरिफाई हो गया है।"),
    ({MONEY}, "I have refunded the extra fee."),
    ({MONEY}, "The refund has been initiated."),
    ({MONEY}, "You will get your refund soon."),
    ({MONEY}, "Aapka refund aa jayega."),
    ({MONEY}, "Paise wapas aa jayenge."),
    ({MONEY}, "आपका रिफंड मिल जाएगा।"),
    ({MONEY}, "पैसे वापस आ जाएंगे।"),
    ({WHEN}, "It will show within two hours."),
    ({WHEN}, "Yeh do din mein dikhega."),
    ({WHEN}, "यह तीन दिन में दिख जाएगा।"),
    ({CHANGE}, "I have renewed your plan."),
    ({CHANGE}, "Your subscription has been cancelled."),
    ({CHANGE}, "Maine aapka plan update kar diya hai."),
    ({CHANGE}, "मैंने आपका प्लान अपडेट कर दिया है।"),
    ({TICKET}, "I've raised a ticket for the station team."),
    ({TICKET}, "Your complaint has been registered."),
    ({TICKET}, "Maine aapki shikayat darj kar di hai."),
    ({TICKET}, "मैंने आपकी शिकायत दर्ज कर दी है।"),
    ({TICKET}, "Your ticket number is 4521."),
    ({SENT}, "The station team will come and replace it."),
]


def claim_kinds(text: str) -> set[str]:
    return {found.split(":")[0] for found in claims(text)}


def test_every_kind_of_claim_has_an_example():
    assert set().union(*(kinds for kinds, _ in CLAIMED)) == set(CLAIMS)


@pytest.mark.parametrize(("kinds", "text"), CLAIMED)
def test_the_checker_catches_claims_in_every_language(kinds, text):
    assert kinds <= claim_kinds(text), claims(text)


# Asking for details, noting them and saying the team will follow up: what the line does.
ALLOWED = [
    "Please tell me your registered mobile number or partner ID.",
    "Please tell me your registered number so our accounts team can check it.",
    "Kripya apna registered mobile number ya partner ID bataiye.",
    "कृपया अपना रजिस्टर्ड मोबाइल नंबर या पार्टनर आईडी बताइए।",
    "Thank you, I have noted your number and your request. Our accounts team will check it and "
    "call you back.",
    "Dhanyavaad, maine aapka number note kar liya hai. Hamari team aapko call karegi.",
    "धन्यवाद, मैंने आपका नंबर नोट कर लिया है। हमारी टीम आपको कॉल करेगी।",
    "I can take down your refund question for our team.",
    "Which day did the swap fail, and how much was charged?",
    "Stations are open from six in the morning to eleven at night, and many are open all day.",
    "The app shows the exact price before every swap.",
    "For your safety, please stop using the battery and keep away from it.",
    "Please send us a photo of the battery on WhatsApp.",
    "Please call our helpline on +91 80 4718 1234.",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_the_checker_lets_the_line_ask_for_details_and_promise_a_follow_up(text):
    assert claims(text) == [], text


@pytest.fixture(scope="module")
def policy(rubric) -> SopPolicy:
    return SopPolicy.load(rubric)


def converse(policy: SopPolicy, caller_lines: list[str]) -> list[dict]:
    messages = [{"role": "assistant", "content": policy.say("greeting")}]
    for line in caller_lines:
        messages.append({"role": "user", "content": line})
        messages.append({"role": "assistant", "content": policy.answer(messages).text})
    return messages


CONVERSATIONS = {
    "refund, English": [
        "Where is my refund for the failed swap? The money was deducted from my wallet.",
        "My registered number is 98765 43210.",
        "When will the refund reach my wallet?",
        "No, thanks.",
    ],
    "wallet, Hinglish": [
        "Mera wallet ka paisa wapas nahi aaya",
        "Mera number 9 8 7 6 5 4 3 2 1 0 hai",
        "Refund kab aayega?",
        "Bas",
    ],
    "refund, Hindi": [
        "मेरे वॉलेट से पैसे कट गए, रिफंड चाहिए",
        "मेरा नंबर ९८७६५४३२१० है",
        "नहीं, धन्यवाद",
    ],
    "swollen, English": ["My battery is swollen and very hot.", "Okay.", "No, that's all."],
    "smoke, Hinglish": ["Battery se dhuan nikal raha hai bhai", "nahi bas, shukriya"],
    "sparks, Hindi": ["बैटरी से चिंगारी निकल रही है", "नहीं, धन्यवाद"],
    "manager, English": ["I want to talk to your manager.", "Okay, I will wait.", "No, thank you."],
    "escalation, Hinglish": ["Mujhe kisi insaan se baat karni hai", "theek hai", "bas"],
    "escalation, Hindi": ["मुझे मैनेजर से बात करनी है", "ठीक है", "नहीं, धन्यवाद"],
    "hours, English": ["When do the stations open?", "bye", "no thanks"],
    "hours, Hinglish": ["Station kab khulta hai bhai?", "nahi, dhanyavaad"],
    "hours, Hindi": ["स्टेशन कब खुलता है?", "नहीं, धन्यवाद"],
    "price, English": ["How much does a swap cost?", "no thanks"],
    "price, Hinglish": ["Swap ka kitna rate hai bhai?", "nahi bas"],
    "price, Hindi": ["स्वैप कितने का है?", "नहीं, धन्यवाद"],
    "not understood, English": ["Purple elephants dance", "no, that's all"],
}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_no_answer_in_a_real_conversation_claims_what_the_line_cannot_do(policy, name):
    messages = converse(policy, CONVERSATIONS[name])
    answers = [m["content"] for m in messages if m["role"] == "assistant"]
    assert len(answers) == len(CONVERSATIONS[name]) + 1
    for answer in answers:
        assert claims(answer) == [], answer


def test_a_caller_who_gives_the_number_is_told_it_is_noted_and_the_team_will_call_back(policy):
    for lines in (CONVERSATIONS["refund, English"], CONVERSATIONS["wallet, Hinglish"]):
        messages = converse(policy, lines[:2])
        assert policy.answer(messages[:-1]).intents == ("noted_account", "anything_else")
    hindi = converse(policy, CONVERSATIONS["refund, Hindi"][:2])[-1]["content"]
    assert "नोट" in hindi and "कॉल करेगी" in hindi


def test_the_system_prompt_tells_the_llm_what_it_cannot_do(rubric):
    prompt = " ".join(system_prompt(rubric).split())
    assert "no access to accounts, wallets, payments, refunds" in prompt
    assert "Never say that you have verified a number, refunded or credited money" in prompt
    assert "raised a request, complaint or ticket" in prompt
    assert "never promise when money will arrive" in prompt
    assert "the Battery Smart team will check it and call them back" in prompt
    assert "registered mobile number or partner ID" in prompt


NEW_KEYS = (
    "silence_goodbye",
    "time_limit_goodbye",
    "supervisor_unreachable",
    "supervisor_unreachable_no_phone",
)


@pytest.mark.parametrize("key", NEW_KEYS)
def test_the_goodbyes_and_the_supervisor_fallback_are_there_in_every_language(key):
    reply = SPEC.replies[key]
    for lang in LANGUAGES:
        assert getattr(reply, lang).strip(), (key, lang)
    assert re.search(r"[\u0900-\u097F]", reply.hi) and not re.search(r"[\u0900-\u097F]", reply.en)


@pytest.mark.parametrize("key", ["silence_goodbye", "time_limit_goodbye"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_goodbye_ends_with_the_closing_script(key, lang):
    goodbye = getattr(SPEC.replies[key], lang)
    closing = getattr(SPEC.replies["closing"], lang)
    assert goodbye.endswith(" " + closing)


def test_the_goodbyes_are_exported_in_english():
    assert SPEC.replies["silence_goodbye"].en == SILENCE_GOODBYE
    assert SPEC.replies["time_limit_goodbye"].en == TIME_LIMIT_GOODBYE
    assert SILENCE_GOODBYE.endswith(CLOSING) and TIME_LIMIT_GOODBYE.endswith(CLOSING)
    assert "time limit" in TIME_LIMIT_GOODBYE and "not heard you" in SILENCE_GOODBYE


def test_a_goodbye_passes_qa_closing_after_an_anything_else(rubric):
    for key in ("silence_goodbye", "time_limit_goodbye"):
        for lang in LANGUAGES:
            messages = [
                {"role": "assistant", "content": SPEC.replies["greeting"].en},
                {"role": "user", "content": "When do stations open?"},
                {"role": "assistant", "content": SPEC.replies["anything_else"].en},
                {"role": "assistant", "content": getattr(SPEC.replies[key], lang)},
            ]
            verdict = judged(rubric, messages)
            assert [c.sop_id for c in verdict.sop_checks if not c.followed] == [], (key, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_supervisor_unreachable_gives_the_phone_number_and_keeps_helping(lang):
    said = supervisor_unreachable("+91 80 4718 1234", lang)
    assert "+91 80 4718 1234" in said and "{phone}" not in said
    assert said == getattr(SPEC.replies["supervisor_unreachable"], lang).replace(
        "{phone}", "+91 80 4718 1234"
    )
    assert "{phone}" in getattr(SPEC.replies["supervisor_unreachable"], lang)


@pytest.mark.parametrize("phone", [None, "", "  "])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_with_no_phone_it_points_to_the_support_page(phone, lang):
    said = supervisor_unreachable(phone, lang)
    assert "{phone}" not in said
    assert said == getattr(SPEC.replies["supervisor_unreachable_no_phone"], lang)


def test_supervisor_unreachable_is_honest_and_defaults_to_english():
    said = supervisor_unreachable("+91 80 4718 1234")
    assert "could not reach a supervisor" in said and "anything else" in said
    assert "helpline on +91 80 4718 1234" in said
    assert "helpline number shown on the Battery Smart support page" in supervisor_unreachable(None)
    assert supervisor_unreachable("+91 80 4718 1234", "fr") == said
