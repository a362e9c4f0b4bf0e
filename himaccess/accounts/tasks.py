"""Background work of logins, found here by Celery's autodiscovery."""

from __future__ import annotations

from himaccess.accounts.otp import send_login_code

__all__ = ["send_login_code"]
