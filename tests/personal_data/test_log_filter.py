"""DESIGN.md "Personal data": logs never contain ID numbers (PUB-04)."""

import io
import logging

import pytest

from filing_portal.personal_data import IdNumberRedactingFilter

from .helpers import VALID_RIC

MASKED = "340***********1236"


@pytest.fixture
def log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(IdNumberRedactingFilter())
    logger = logging.getLogger("tests.personal_data.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_pub04_id_in_formatted_args_is_masked(log):
    logger, stream = log
    logger.info("certificate issued to holder %s in batch %s", VALID_RIC, "B-2024-001")
    output = stream.getvalue()
    assert VALID_RIC not in output
    assert f"holder {MASKED} in batch B-2024-001" in output


def test_pub04_id_in_message_dict_args_integers_and_lower_x_is_masked(log):
    logger, stream = log
    logger.info("lookup for 34010219900101123x failed")
    logger.info("holder %(number)s", {"number": VALID_RIC})
    logger.info("as an integer %d", int(VALID_RIC))
    output = stream.getvalue()
    assert "34010219900101123x" not in output and "340***********123x" in output
    assert VALID_RIC not in output
    assert output.count(MASKED) == 2


def test_pub04_id_in_traceback_is_masked(log):
    logger, stream = log
    try:
        raise ValueError(f"bad holder {VALID_RIC}")
    except ValueError:
        logger.exception("import failed")
    output = stream.getvalue()
    assert "Traceback" in output
    assert VALID_RIC not in output


def test_other_numbers_are_left_alone(log):
    logger, stream = log
    logger.info("batch %s has %d candidates, phone %s", "PC340100-2024-0001", 35, "13800138000")
    assert "PC340100-2024-0001 has 35 candidates, phone 13800138000" in stream.getvalue()
