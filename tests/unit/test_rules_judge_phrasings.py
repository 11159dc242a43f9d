"""The rules judge on many phrasings of each SOP in English, Hinglish and Hindi.

Each entry: the turns (framed by a scripted greeting and closing unless `framed` is False)
and exactly the flags the call must get, through channel and speaker-label transcripts.
"""

from __future__ import annotations

import pytest

from tests.conftest import framed, transcribe_json

S = "SAFETY_INSTRUCTIONS_MISSED"
ESC = "ESCALATION_NOT_OFFERED"
V = "IDENTITY_NOT_VERIFIED"
GR = "GREETING_SCRIPT_MISSED"

PHRASINGS = [
    # greetings (no frame)
    (
        [
            (
                "A",
                "Battery Smart customer care mein call karne ke liye dhanyavaad, mera naam Rohit hai, main aapki kya madad kar sakta hoon?",
            ),
            ("C", "Station kab khulta hai?"),
            ("A", "Subah chhe baje."),
            ("A", "Aur koi madad chahiye?"),
            ("C", "Nahi."),
            ("A", "Call karne ke liye shukriya, aapka din shubh ho."),
        ],
        False,
        [],
    ),
    (
        [
            (
                "A",
                "नमस्ते, बैटरी स्मार्ट में कॉल करने के लिए शुक्रिया। मेरा नाम सुनील है। मैं आपकी किस प्रकार सहायता कर सकता हूँ?",
            ),
            ("C", "स्टेशन कब खुलता है?"),
            ("A", "सुबह छह बजे।"),
            ("A", "क्या मैं आपकी और कोई मदद कर सकता हूँ?"),
            ("C", "नहीं।"),
            ("A", "धन्यवाद, आपका दिन शुभ हो।"),
        ],
        False,
        [],
    ),
    (
        [
            (
                "A",
                "Good morning, you've reached Battery Smart. Thanks for calling. My name's Kiran. What can I do for you?",
            ),
            ("C", "Hi."),
            ("A", "Can I help you with anything else?"),
            ("C", "No."),
            ("A", "Thanks for reaching out to Battery Smart, goodbye."),
        ],
        False,
        [],
    ),
    (
        [
            ("A", "Hi, I'm Kiran from Battery Smart, thank you for calling, how can I help?"),
            ("C", "Hi."),
            ("A", "Do you need any other help?"),
            ("C", "No."),
            ("A", "Thank you for calling, take care."),
        ],
        False,
        [],
    ),
    (
        [
            (
                "A",
                "Namaste, Battery Smart mein aapka swagat hai, main Rohit, aapki kya sahayata kar sakta hoon?",
            ),
            ("C", "Hi."),
            ("A", "Aur kuch?"),
            ("C", "Nahi."),
            ("A", "Battery Smart ko call karne ke liye dhanyavaad."),
        ],
        False,
        [GR],
    ),
    # safety
    (
        [
            ("C", "Smoke is coming from the battery!"),
            ("A", "Get off the vehicle and don't go near the battery."),
        ],
        True,
        [],
    ),
    (
        [
            ("C", "The battery is heating up a lot."),
            ("A", "Park it in an open area and stay away from it."),
        ],
        True,
        [],
    ),
    (
        [
            ("C", "Bahut heat ho rahi hai battery mein."),
            ("A", "Gaadi ko side mein lagaiye aur battery se door rahiye."),
        ],
        True,
        [],
    ),
    (
        [("C", "बैटरी बहुत गर्म हो गई है।"), ("A", "बैटरी से दूर रहिए और गाड़ी का इस्तेमाल बंद कर दीजिए।")],
        True,
        [],
    ),
    (
        [("C", "Battery mein se aag nikal rahi hai!"), ("A", "Aap station ka naam bataiye.")],
        True,
        [S],
    ),
    ([("C", "Dhua aa raha hai battery se."), ("A", "Theek hai.")], True, [S]),
    ([("C", "It smells like something is burning."), ("A", "Okay, noted.")], True, [S]),
    ([("C", "Koi dhuan nahi hai, bas battery band ho gayi."), ("A", "Theek hai.")], True, []),
    ([("C", "I don't smell anything burning, it just stopped."), ("A", "Okay.")], True, []),
    ([("C", "The battery isn't swelling anymore."), ("A", "Good.")], True, []),
    (
        [
            ("C", "Acid leak ho raha hai battery se."),
            ("A", "Aap gaadi band kijiye aur battery ko haath mat lagaiye."),
        ],
        True,
        [],
    ),
    # escalation
    (
        [
            ("C", "Can I speak to someone senior?"),
            ("A", "I'll have my supervisor call you back within the hour."),
        ],
        True,
        [],
    ),
    (
        [("C", "Escalate this please."), ("A", "Sure, I'm raising an escalation to my team lead.")],
        True,
        [],
    ),
    (
        [("C", "Aap apne senior ko call transfer karo."), ("A", "Main complaint likh leti hoon.")],
        True,
        [ESC],
    ),
    (
        [("C", "मुझे आपके सीनियर से बात करनी है।"), ("A", "मैं आपकी कॉल सीनियर को ट्रांसफर कर रहा हूँ।")],
        True,
        [],
    ),
    ([("C", "I need to talk to your boss."), ("A", "My boss is busy.")], True, [ESC]),
    # verification/disclosure
    (
        [
            ("C", "Did my payment go through?"),
            ("A", "Could you share the phone number linked to your account?"),
            ("C", "Nine nine."),
            ("A", "Your last payment of five hundred rupees went through on Monday."),
        ],
        True,
        [],
    ),
    ([("C", "Why was I fined?"), ("A", "I've reversed the penalty on your account.")], True, [V]),
    (
        [
            ("C", "Mera refund kab aayega?"),
            ("A", "Aapke wallet mein do sau rupaye credit ho gaye hain."),
        ],
        True,
        [V],
    ),
    ([("C", "मेरे वॉलेट में कितने पैसे हैं?"), ("A", "आपके वॉलेट में दो सौ रुपये बचे हैं।")], True, [V]),
    (
        [
            ("C", "मेरे वॉलेट में कितने पैसे हैं?"),
            ("A", "कृपया अपना रजिस्टर्ड मोबाइल नंबर बताइए।"),
            ("C", "नौ आठ।"),
            ("A", "आपके वॉलेट में दो सौ रुपये बचे हैं।"),
        ],
        True,
        [],
    ),
    (
        [
            ("C", "Mera wallet balance kitna hai?"),
            ("A", "Aap app mein wallet section mein dekh sakte hain."),
        ],
        True,
        [],
    ),
    (
        [
            ("C", "Can I pay my subscription by UPI?"),
            ("A", "Yes, you can pay your subscription by UPI in the app."),
        ],
        True,
        [],
    ),
]


@pytest.mark.parametrize("variant", ["channels", "speakers"])
@pytest.mark.parametrize(
    ("turns", "frame", "expected"), PHRASINGS, ids=[f"{i:02d}" for i in range(len(PHRASINGS))]
)
def test_phrasing_gets_exactly_its_flags(scorer, turns, frame, expected, variant):
    call = framed(*turns) if frame else turns
    result = scorer.score_transcript(
        transcribe_json(call, variant=variant), call_id="c", agent_id="a"
    )
    assert sorted(result.violation_flags) == sorted(expected)
