from django.apps import AppConfig


class NaturalFarmingConfig(AppConfig):
    name = "himaccess.natural_farming"
    label = "natural_farming"
    verbose_name = "Natural farming (Prakritik Kheti Khushhal Kisan Yojana)"

    def ready(self) -> None:
        from himaccess.departments import pages
        from himaccess.natural_farming.sections import department_section

        pages.register(
            pages.Section(
                department="agriculture",
                key="natural_farming",
                template="natural_farming/_department.html",
                context=department_section,
            )
        )
