from tests.personal_data.helpers import with_check_digit


def resident_id(i: int, region: str = "340104", birth: str = "19900101") -> str:
    """A valid 居民身份证 number (GB 11643 check digit) unique per i < 1000."""
    return with_check_digit(f"{region}{birth}{i % 1000:03d}")
