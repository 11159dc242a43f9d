"""Errors for people: each says what was wrong with the input and what to do, in one line."""


class QAInputError(ValueError):
    """Input the QA engine cannot score. The message is one line, fit for a terminal or a log."""


class TranscriptFormatError(QAInputError):
    """The JSON is not an Amazon Transcribe output this engine reads."""


class EmptyTranscriptError(QAInputError):
    """The transcript holds no words, or no words from one of the two parties."""


class RubricError(ValueError):
    """The rubric files in prompts/ are missing or inconsistent."""
