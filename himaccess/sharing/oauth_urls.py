"""The department clients' token endpoint (client-credentials grant); no-store like every token answer."""

from __future__ import annotations

from django.urls import path

from himaccess.sharing.oauth import DepartmentTokenView

app_name = "sharing_oauth"

urlpatterns = [path("token/", DepartmentTokenView.as_view(), name="token")]
