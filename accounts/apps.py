from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts.services import teachers_group_ensure

        def ensure_group(**kwargs):
            teachers_group_ensure()

        post_migrate.connect(ensure_group, dispatch_uid="accounts.teachers_group_ensure", weak=False)
