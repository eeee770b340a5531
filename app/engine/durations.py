"""Time limits as designers write them: "2 working days", "4 hours", "2个工作日", "PT30M"."""

import re
from dataclasses import dataclass

UNITS = ("minutes", "hours", "days")
_WORDS = {
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes", "分钟": "minutes",
    "hour": "hours", "hours": "hours", "h": "hours", "小时": "hours",
    "day": "days", "days": "days", "d": "days", "天": "days", "日": "days",
}  # fmt: skip
_PLAIN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(个)?\s*(working|工作)?\s*([a-z]+|分钟|小时|天|日)\s*$", re.IGNORECASE)
_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str  # minutes | hours | days
    working: bool = False  # count only working time (calendar and office hours)

    @property
    def minutes(self) -> float:
        return self.amount * {"minutes": 1, "hours": 60, "days": 24 * 60}[self.unit]


def parse_duration(text: str) -> Duration:
    """Raise ValueError with a reason a designer can act on."""
    value = text.strip()
    if iso := _ISO.match(value.upper()) if value.upper().startswith("P") else None:
        days, hours, minutes = (int(g) if g else 0 for g in iso.groups())
        if days and (hours or minutes):
            return Duration(days * 24 * 60 + hours * 60 + minutes, "minutes")
        if days:
            return Duration(days, "days")
        if hours and not minutes:
            return Duration(hours, "hours")
        if hours or minutes:
            return Duration(hours * 60 + minutes, "minutes")
    plain = _PLAIN.match(value)
    unit = _WORDS.get((plain.group(4) or "").lower()) if plain else None
    if plain is None or unit is None:
        raise ValueError(f"'{text}' is not a time limit (write e.g. '2 working days', '4 hours', '30 minutes', 'PT4H')")
    amount = float(plain.group(1))
    if amount <= 0:
        raise ValueError(f"'{text}': a time limit must be more than zero")
    return Duration(amount, unit, working=bool(plain.group(3)))


def parse_ratio(text: str) -> float:
    """'75%' -> 0.75; raise ValueError otherwise."""
    match = _PERCENT.match(text)
    if match is None or not 0 < float(match.group(1)) < 100:
        raise ValueError(f"'{text}' is not a warning threshold (write a percentage between 0 and 100, e.g. '75%')")
    return float(match.group(1)) / 100
