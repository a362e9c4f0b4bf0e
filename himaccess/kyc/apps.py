from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "himaccess.kyc"
    label = "kyc"
    verbose_name = "e-KYC of members"
