"""The login throttle (django-axes) in front of Django's ModelBackend."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out account or address before any password is checked (ASVS 5.0 V6.3.1).

    axes raises when `authenticate()` gets no request. Every login that comes over HTTP passes one
    (our login page, the admin's, the token endpoint); only code inside the process calls without one
    (the test client's `login()`, a shell), and nothing there can be guessed from outside, so those
    are let through to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
