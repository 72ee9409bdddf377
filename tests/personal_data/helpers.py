"""Sample numbers built with the real GB 11643 check character (stdnum.cn.ric)."""

from stdnum.cn import ric

CHECK_CHARACTERS = "0123456789X"


def with_check_digit(body17: str) -> str:
    """`body17` plus its GB 11643 check character (calc_check_digit ignores the last character)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def with_wrong_check_digit(body17: str) -> str:
    """`body17` plus a check character that is not the right one."""
    right = ric.calc_check_digit(body17 + "0")
    return body17 + ("0" if right != "0" else "1")


VALID_RIC = with_check_digit("34010219900101123")  # 340102199001011236
