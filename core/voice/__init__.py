"""Voice: speech in (microphone, Silero VAD, Whisper) and speech out (Piper), with barge-in, on the device.

No Qt here: app/voice.py adapts the worker to the GUI; `hearth listen | say | voice` use it headless.
"""
