"""Valid test identities: GB 11643 check digits computed, not copied."""

from app.registers.validation import _ID_CHECK, _ID_WEIGHTS


def id_card(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _ID_WEIGHTS, strict=True))
    return body17 + _ID_CHECK[total % 11]


def bad_check(number: str) -> str:
    """The same number with a wrong check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")


ID_A = id_card("36012319800101001")
ID_B = id_card("36012319900202002")
ID_C = id_card("36012320150303003")
