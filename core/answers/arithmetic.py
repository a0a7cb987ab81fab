"""Sums worked out, not guessed: a request that asks for the value of a plain arithmetic expression.

SmolLM2-135M answers "6 * 7 = 49." and "25 plus 75 is 14." (docs/chat-defaults.md): a model that small
cannot add. A pocket calculator can, so a request such as "What is 6 times 7?", "Calculate 15% of 80" or
"12 / 4 =" is answered from the expression itself ("6 × 7 = 42"), with no model call. Only requests whose
whole question is the expression are taken; word problems ("If I have 5 apples and eat 2...") and
everything else go to the model as before. The expression is evaluated from its parse tree (numbers and
+ - * / ** only), never with eval().
"""

from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass

from core.number_words import NUMBER_WORDS

_LEAD = re.compile(
    r"^(?:(?:please\s+)?(?:what\s+is|what's|whats|how\s+much\s+is|calculate|compute|work\s+out|evaluate"
    r"|solve)\s+)",
)
# A shape request around the question ("Reply with only the number: ...") does not change the sum.
_PREFIX = re.compile(r"^[^:]*\b(?:number|digits?|answer|reply|respond)\b[^:]*:\s*")
_SUFFIX = re.compile(r"\s*(?:[.,;]?\s*(?:please|just the number|only the number|exactly))*\s*[?.!=]*\s*$")

_PHRASES = [  # word operators, longest first, as symbols
    (r"multiplied\s+by", "*"),
    (r"divided\s+by", "/"),
    (r"to\s+the\s+power\s+of", "**"),
    (r"take\s+away", "-"),
    (r"plus", "+"),
    (r"add", "+"),
    (r"minus", "-"),
    (r"times", "*"),
    (r"over", "/"),
    (r"×", "*"),
    (r"÷", "/"),
    (r"−", "-"),
    (r"(?<=\d)\s*x\s*(?=\d)", "*"),
]
_UNARY = [  # whole-expression forms
    (re.compile(r"^(?:the\s+)?square\s+root\s+of\s+(.+)$"), "sqrt"),
    (re.compile(r"^double\s+(.+)$"), "double"),
    (re.compile(r"^twice\s+(.+)$"), "double"),
    (re.compile(r"^half\s+of\s+(.+)$"), "half"),
    (re.compile(r"^(.+?)\s+squared$"), "square"),
    (re.compile(r"^(.+?)\s+cubed$"), "cube"),
    (re.compile(r"^(\S+)\s*(?:%|percent)\s+of\s+(.+)$"), "percent"),
]
_ALLOWED = re.compile(r"^[\d.\s+\-*/()]+$")
_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_MAX_EXPONENT = 64
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class Worked:
    expression: str  # as shown: "6 × 7"
    value: str  # "42", or "" when it has no value (a division by zero)

    @property
    def text(self) -> str:
        if not self.value:
            return f"{self.expression} has no value: it divides by zero."
        return f"{self.expression} = {self.value}"


def _number_words_to_digits(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        return str(NUMBER_WORDS[m.group(1)])

    # "twenty five" -> "20 5" -> 25: tens followed by a unit are added.
    text = _WORD_NUMBER.sub(one, text)
    return re.sub(r"\b([2-9]0)\s+([1-9])\b", lambda m: str(int(m.group(1)) + int(m.group(2))), text)


def _symbols(text: str) -> str:
    for pattern, symbol in _PHRASES:
        text = re.sub(rf"\b{pattern}\b" if pattern[0].isalpha() else pattern, f" {symbol} ", text)
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000


def _evaluate(expression: str) -> float:
    tree = ast.parse(expression, mode="eval")

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = value(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
                raise ValueError("exponent too large")
            return float(_OPS[type(node.op)](left, right))
        raise ValueError("not arithmetic")

    return value(tree.body)


def _format(v: float) -> str:
    if math.isclose(v, round(v), rel_tol=0, abs_tol=1e-9):
        return str(int(round(v)))
    return f"{v:.10g}"


def _shown(expression: str) -> str:
    shown = re.sub(r"\s*\*\*\s*", "^", expression)
    shown = re.sub(r"\s*\*\s*", " × ", shown)
    shown = re.sub(r"\s*/\s*", " ÷ ", shown)
    shown = re.sub(r"\s*\+\s*", " + ", shown)
    shown = re.sub(r"(?<=[\d)])\s*-\s*", " - ", shown)
    return re.sub(r"\s+", " ", shown).strip()


def _unary(form: str, args: list[float]) -> tuple[str, float]:
    """How the sum is shown, in the request's own words (no number it did not hold), and its value."""
    x = args[0]
    if form == "sqrt":
        if x < 0:
            raise ValueError("negative root")
        return f"The square root of {_format(x)}", math.sqrt(x)
    if form == "double":
        return f"Double {_format(x)}", 2 * x
    if form == "half":
        return f"Half of {_format(x)}", x / 2
    if form == "square":
        return f"{_format(x)} squared", x * x
    if form == "cube":
        return f"{_format(x)} cubed", x**3
    y = args[1]  # percent
    return f"{_format(x)}% of {_format(y)}", x * y / 100


def _operand(text: str) -> float | None:
    text = text.strip()
    if not _ALLOWED.match(text) or not re.search(r"\d", text):
        return None
    try:
        return _evaluate(text)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError):
        return None


def work_out(request: str) -> Worked | None:
    """The sum a request asks for, worked out; None when the request is not a plain arithmetic question."""
    text = request.strip().lower()
    text = _PREFIX.sub("", text, count=1)
    text = _LEAD.sub("", text, count=1)
    text = _SUFFIX.sub("", text)
    text = _symbols(_number_words_to_digits(text)).strip()
    if not text or len(text) > 200:
        return None
    for pattern, form in _UNARY:
        m = pattern.match(text)
        if m is None:
            continue
        args = [_operand(g) for g in m.groups()]
        if any(a is None for a in args):
            return None
        try:
            shown, v = _unary(form, [a for a in args if a is not None])
        except (ValueError, OverflowError):
            return None
        return Worked(shown, _format(v))
    # A bare number is not a sum; an operator between numbers is.
    if not _ALLOWED.match(text) or not re.search(r"\d\s*(?:\*\*|[+\-*/])\s*[\d(]", text):
        return None
    expression = re.sub(r"\s+", " ", text)
    try:
        v = _evaluate(expression)
    except ZeroDivisionError:
        return Worked(_shown(expression), "")
    except (SyntaxError, ValueError, OverflowError):
        return None
    return Worked(_shown(expression), _format(v))
