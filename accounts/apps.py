from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts.services import teachers_group_ensure

        def ensure_group(**kwargs):
            teachers_group_ensure()

        post_migrate.connect(ensure_group, dispatch_uid="accounts.teachers_group_ensure", weak=False)


class SignInLockoutsConfig(AxesAppConfig):
    """django-axes, under a name teachers understand in the admin's menu."""

    verbose_name = _("Sign-in lockouts")
