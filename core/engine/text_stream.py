"""Bytes from the tokenizer to text the user can see: UTF-8 split across tokens, and stop strings."""

from __future__ import annotations

import codecs


class TextStream:
    """Feeds token bytes in; gives back the text that is safe to show now.

    Text that could be the start of a stop string is held back until it is known not to be one, so a stop
    string never flashes on screen.
    """

    def __init__(self, stops: tuple[str, ...]) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._stops = tuple(s for s in stops if s)
        self._text = ""
        self._shown = 0
        self.stopped = False

    @property
    def text(self) -> str:
        """All text so far, stop string excluded."""
        return self._text

    def feed(self, data: bytes) -> str:
        self._text += self._decoder.decode(data)
        if not self._stops:
            return self._take(len(self._text))
        for stop in self._stops:
            at = self._text.find(stop, max(0, self._shown - len(stop)))
            if at != -1:
                self._text = self._text[:at]
                self.stopped = True
                return self._take(len(self._text))
        return self._take(len(self._text) - self._held_back())

    def flush(self) -> str:
        """At the end: whatever was held back is text after all."""
        self._text += self._decoder.decode(b"", final=True)
        return self._take(len(self._text))

    def _held_back(self) -> int:
        longest = 0
        for stop in self._stops:
            for n in range(min(len(stop) - 1, len(self._text)), longest, -1):
                if self._text.endswith(stop[:n]):
                    longest = n
                    break
        return longest

    def _take(self, upto: int) -> str:
        upto = max(upto, self._shown)
        out = self._text[self._shown : upto]
        self._shown = upto
        return out
