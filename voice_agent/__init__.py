"""The Battery Smart voice agent: a Pipecat bot on LiveKit, its connect API and deployment."""
