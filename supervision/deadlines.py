"""The supervision app's deadline sweeps (registered with the kernel's registry)."""

from filing_portal.core.deadlines import register_sweep  # noqa: F401
