from tests.certificates.conftest import issued  # noqa: F401  (the same demo certificates)
