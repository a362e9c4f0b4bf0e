from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "himaccess.registry"
    label = "registry"

    def ready(self) -> None:
        # Imported once the models are loaded: accounts, below the register, asks it through this.
        from himaccess.accounts import citizens
        from himaccess.registry import citizen_links, views

        citizens.connect(citizens.Register(has_mobile=citizen_links.has_mobile, landing=views.land_citizen))
