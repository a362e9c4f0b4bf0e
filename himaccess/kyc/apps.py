from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "himaccess.kyc"
    label = "kyc"
    verbose_name = "e-KYC of members"

    def ready(self) -> None:
        from himaccess.kyc import checks  # noqa: F401  (registers the deployment checks)
