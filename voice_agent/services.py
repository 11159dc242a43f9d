"""Production voice services from Pipecat's AWS integrations, with the instance's credentials."""

from __future__ import annotations

from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.services.aws.llm import AWSBedrockLLMService
from pipecat.services.aws.stt import AWSTranscribeSTTService
from pipecat.services.aws.tts import AWSPollyTTSService
from pipecat.transcriptions.language import Language

from voice_agent.pipeline import VoiceServices
from voice_agent.settings import VoiceSettings


def bedrock_llm(settings: VoiceSettings) -> AWSBedrockLLMService:
    return AWSBedrockLLMService(
        aws_region=settings.region,
        settings=AWSBedrockLLMService.Settings(model=settings.model_id, temperature=0.3),
    )


def aws_services(settings: VoiceSettings) -> VoiceServices:
    language = Language(settings.stt_language)
    return VoiceServices(
        stt=AWSTranscribeSTTService(
            region=settings.region, settings=AWSTranscribeSTTService.Settings(language=language)
        ),
        llm=bedrock_llm(settings),
        tts=AWSPollyTTSService(
            region=settings.region,
            settings=AWSPollyTTSService.Settings(voice=settings.voice, language=language),
        ),
        vad=SileroVADAnalyzer(),
    )
